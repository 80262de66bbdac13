import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { mustParseQuantity, scaledValue } from '../../api/validation/quantity.ts';
import { volumeDir } from './layout.ts';
import { mountTmpfs } from './mount.ts';
import { setVolumeOwnership } from './ownership.ts';
import { fsGroupOf, podUid, setUpFailed, type SetUpContext } from './plugin.ts';
import type { PreparedVolume } from './types.ts';

// emptyDir (pkg/volume/emptydir): a 0777 directory in the pod's volume dir, or a tmpfs there for `medium: Memory`
// sized by sizeLimit. A disk emptyDir's sizeLimit is not a mount option upstream either: the eviction manager enforces
// it by measuring usage (Berth's eviction manager is not written yet, so disk sizeLimit is not enforced).

/** setUpEmptyDir creates (once) the volume's directory or tmpfs. */
export async function setUpEmptyDir(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.emptyDir ?? {};
  const dir = volumeDir(ctx.podsDir, podUid(ctx.pod), 'emptyDir', ctx.volume.name);
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (source.medium === 'Memory') {
    const size = source.sizeLimit ? scaledValue(mustParseQuantity(source.sizeLimit), 0) : undefined;
    try {
      await mountTmpfs(dir, size);
    } catch (err) {
      throw setUpFailed(ctx.volume.name, `mount failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else if (source.medium && source.medium !== '') {
    throw setUpFailed(ctx.volume.name, `unknown storage medium "${source.medium}"`);
  }
  if (fresh) {
    if (source.medium !== 'Memory') chmodSync(dir, 0o777);
    const fsGroup = fsGroupOf(ctx.pod);
    if (fsGroup) setVolumeOwnership(dir, fsGroup.gid, { readOnly: false, policy: fsGroup.policy });
  }
  return { hostPath: dir, readOnly: false };
}
