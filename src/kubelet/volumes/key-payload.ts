import { chmodSync, chownSync, statSync } from 'node:fs';
import type { KeyToPath } from 'kubernetes-types/core/v1.js';
import { AtomicWriter, type FileProjection, type Payload } from './atomic-writer.ts';
import { setVolumeOwnership } from './ownership.ts';
import { fsGroupOf, setUpFailed, type SetUpContext } from './plugin.ts';

/** defaultVolumeMode is the API's default for configMap, secret, downwardAPI and projected volumes (0644). */
export const defaultVolumeMode = 0o644;

/**
 * keyPayload turns a configMap's or secret's keys into files (all keys, or `items` with their modes), as upstream's
 * MakePayload; a missing item key is skipped when optional, else an error with `missingKeyMessage(key)`.
 */
export function keyPayload(data: ReadonlyMap<string, Buffer>, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKeyMessage: (key: string) => string): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  if (!items || items.length === 0) {
    for (const [key, bytes] of data) payload.set(key, { data: bytes, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const bytes = data.get(item.key);
    if (!bytes) {
      if (optional) continue;
      throw new Error(missingKeyMessage(item.key));
    }
    payload.set(item.path, { data: bytes, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** writeVolumePayload writes a payload into dir through AtomicWriter, applying the pod's fsGroup to the new version. */
export function writeVolumePayload(ctx: SetUpContext, dir: string, payload: Payload): void {
  const fsGroup = fsGroupOf(ctx.pod);
  const writer = new AtomicWriter(dir, ctx.clock);
  try {
    writer.write(payload, fsGroup ? (versionDir) => setVolumeOwnership(versionDir, fsGroup.gid, { readOnly: true }) : undefined);
  } catch (err) {
    throw setUpFailed(ctx.volume.name, err instanceof Error ? err.message : String(err));
  }
  if (fsGroup) {
    chownSync(dir, -1, fsGroup.gid);
    chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o550 | 0o2000);
  }
}
