import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mountsUnder } from '../runtime/cleanup.ts';

const run = promisify(execFile);

// Mounting is done with mount(8)/umount(8): Node has no mount(2), and these are on every node the agent runs on.

/** isMountPoint tells whether dir itself is a mount point (from /proc/self/mountinfo). */
export function isMountPoint(dir: string): boolean {
  return mountsUnder(dir).includes(dir);
}

/** mountTmpfs mounts a tmpfs on dir (once), with a size in bytes when given, as the kubelet does for memory-backed volumes. */
export async function mountTmpfs(dir: string, sizeBytes?: bigint): Promise<void> {
  if (isMountPoint(dir)) return;
  // No mode option: a tmpfs root is 1777, as the kubelet's memory-backed volumes are.
  const opts = sizeBytes !== undefined && sizeBytes > 0n ? ['-o', `size=${sizeBytes}`] : [];
  await run('mount', ['-t', 'tmpfs', ...opts, 'tmpfs', dir]);
}

/** unmountAll unmounts everything at or below dir, deepest first; it throws when something stays mounted. */
export async function unmountAll(dir: string): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points) await run('umount', [p]).catch(() => run('umount', ['--lazy', p]).catch(() => {}));
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
}
