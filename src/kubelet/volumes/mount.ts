import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { mountsUnder } from '../runtime/cleanup.ts';
import { CommandShell } from './command-shell.ts';

// Mounting is done with mount(8)/umount(8): Node has no mount(2), and these are on every node the agent runs on.
// They run in one long-lived shell of the process (see command-shell.ts): a mount per pod, started from the agent
// itself, was the largest part of the agent's CPU in a burst of pod starts.
const shell = new CommandShell();
const run = (cmd: string, args: string[]): Promise<void> => shell.run([cmd, ...args]);

/** isMountPoint tells whether dir itself is a mount point (from /proc/self/mountinfo). */
export function isMountPoint(dir: string): boolean {
  // Another device than the parent's is a mount point; mountinfo (long on a busy node) only settles the rest.
  try {
    if (statSync(dir).dev !== statSync(dirname(dir)).dev) return true;
  } catch {
    // missing: mountinfo answers
  }
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
