import { chmodSync, lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The kubelet's SetVolumeOwnership (pkg/volume/volume_linux.go): with a pod fsGroup, every file and directory of a
// supporting volume gets that group; files get g+rw (g+r for read-only volumes) and directories also g+x and setgid,
// so files created later inherit the group.

const rwMask = 0o660;
const roMask = 0o440;

/** setVolumeOwnership applies fsGroup to dir and everything below it; OnRootMismatch skips the walk when the root already fits. */
export function setVolumeOwnership(dir: string, fsGroup: number, opts: { readOnly: boolean; policy?: 'Always' | 'OnRootMismatch' }): void {
  const mask = opts.readOnly ? roMask : rwMask;
  if (opts.policy === 'OnRootMismatch' && rootMatches(dir, fsGroup, mask)) return;
  walk(dir, (path, isDir, isLink) => {
    const st = lstatSync(path);
    lchownSync(path, st.uid, fsGroup);
    if (isLink) return;
    let mode = (st.mode & 0o7777) | mask;
    if (isDir) mode |= 0o110 | 0o2000;
    chmodSync(path, mode);
  });
}

function rootMatches(dir: string, fsGroup: number, mask: number): boolean {
  const st = lstatSync(dir);
  const want = mask | 0o110 | 0o2000;
  return st.gid === fsGroup && (st.mode & want) === want;
}

function walk(path: string, visit: (path: string, isDir: boolean, isLink: boolean) => void): void {
  const st = lstatSync(path);
  visit(path, st.isDirectory(), st.isSymbolicLink());
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) walk(join(path, name), visit);
}
