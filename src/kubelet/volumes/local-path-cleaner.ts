import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mountsUnder } from '../runtime/cleanup.ts';

// Reclaim Delete for local-path volumes, node side: the PV controller deletes the PV object, and the agent of each
// node removes the directories under its local-path dir whose PV is gone. Level-triggered, so a node that was down
// at deletion time catches up; directories are named after their PV (`pvc-<claim uid>`), never reused.

const pvDirName = /^pvc-[0-9a-f-]{36}$/;

/** sweepLocalPathStorage removes `pvc-*` directories of storageDir whose PV does not exist; it returns their names. */
export async function sweepLocalPathStorage(storageDir: string, volumeExists: (name: string) => Promise<boolean>): Promise<string[]> {
  if (!existsSync(storageDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(storageDir)) {
    if (!pvDirName.test(name)) continue;
    const dir = join(storageDir, name);
    if (mountsUnder(dir).length > 0) continue;
    if (await volumeExists(name)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
