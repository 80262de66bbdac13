import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pause } from '../../abort.ts';
import { isApiError } from '../../api/errors.ts';
import type { Client } from '../../client/client.ts';
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

/** sweepPeriodically removes local-path volume directories of deleted PVs every minute (reclaim policy Delete). */
export async function sweepPeriodically(storageDir: string, client: Client, signal: AbortSignal, log: (m: string) => void): Promise<void> {
  const exists = async (name: string): Promise<boolean> => {
    try {
      await client.resource('v1', 'persistentvolumes').get(undefined, name);
      return true;
    } catch (err) {
      // Only a definite NotFound deletes data; any other failure keeps the directory for the next round.
      return !isApiError(err, 'NotFound');
    }
  };
  while (!signal.aborted) {
    try {
      for (const name of await sweepLocalPathStorage(storageDir, exists)) log(`agent: removed the local-path volume directory of deleted PV ${name}`);
    } catch (err) {
      log(`agent: local-path sweep: ${err instanceof Error ? err.message : String(err)}`);
    }
    await pause(60_000, signal);
  }
}
