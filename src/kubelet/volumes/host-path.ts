import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { setUpFailed, type SetUpContext } from './plugin.ts';
import type { PreparedVolume } from './types.ts';

// hostPath (pkg/volume/hostpath): the node's path itself, checked against spec.hostPath.type first with the
// kubelet's messages; the *OrCreate types create what is missing (directories 0755, files 0644).

/** HostPathType is v1.HostPathType; "" skips the check. */
export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

const checks: Record<Exclude<HostPathType, '' | 'DirectoryOrCreate' | 'FileOrCreate'>, { is: (s: Stats) => boolean; what: string }> = {
  Directory: { is: (s) => s.isDirectory(), what: 'a directory' },
  File: { is: (s) => s.isFile(), what: 'a file' },
  Socket: { is: (s) => s.isSocket(), what: 'a socket file' },
  CharDevice: { is: (s) => s.isCharacterDevice(), what: 'a character device' },
  BlockDevice: { is: (s) => s.isBlockDevice(), what: 'a block device' },
};

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** checkHostPathType returns undefined when path fits type (creating it for the *OrCreate types), else the kubelet's error. */
export function checkHostPathType(path: string, type: string, dirMode = 0o755): string | undefined {
  let t = type;
  if (t === '') return undefined;
  if (t === 'DirectoryOrCreate') {
    if (!existsSync(path)) {
      mkdirSync(path, { recursive: true, mode: dirMode });
      chmodSync(path, dirMode); // past the umask, so a world-writable local-path directory really is
      return undefined;
    }
    t = 'Directory';
  } else if (t === 'FileOrCreate') {
    if (!existsSync(path)) {
      closeSync(openSync(path, 'a', 0o644));
      return undefined;
    }
    t = 'File';
  }
  const check = checks[t as keyof typeof checks];
  if (!check) return `${t} is an invalid volume type`;
  const st = statOrUndefined(path);
  if (!st || !check.is(st)) return `hostPath type check failed: ${path} is not ${check.what}`;
  return undefined;
}

/** setUpHostPath checks the node path's type; the container binds the node path directly. */
export async function setUpHostPath(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.hostPath;
  if (!source) throw new Error(`volume ${ctx.volume.name} is not a hostPath volume`);
  const err = checkHostPathType(source.path, source.type ?? '');
  if (err) throw setUpFailed(ctx.volume.name, err);
  return { hostPath: source.path, readOnly: false };
}
