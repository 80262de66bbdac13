import type { ConfigMap, ConfigMapProjection } from 'kubernetes-types/core/v1.js';
import type { FileProjection } from './atomic-writer.ts';
import { defaultVolumeMode, keyPayload, writeVolumePayload } from './key-payload.ts';
import { volumeDir } from './layout.ts';
import { podUid, setUpFailed, type SetUpContext } from './plugin.ts';
import type { PreparedVolume } from './types.ts';

// configMap (pkg/volume/configmap): the keys as files on disk, written through AtomicWriter so an update of the
// ConfigMap replaces the whole set at once on the next sync; always mounted read-only.

/** configMapData is a ConfigMap's data and binaryData as bytes. */
export function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** configMapPayload reads a configMap (configMap volume or projection) and builds its files; it throws upstream's messages. */
export async function configMapPayload(ctx: SetUpContext, source: ConfigMapProjection, defaultMode: number): Promise<Map<string, FileProjection>> {
  const namespace = ctx.pod.metadata?.namespace ?? 'default';
  const name = source.name ?? '';
  const optional = source.optional === true;
  const cm = await ctx.sources.configMap(namespace, name);
  if (!cm) {
    if (optional) return new Map();
    throw new Error(`configmap "${name}" not found`);
  }
  return keyPayload(configMapData(cm), source.items, defaultMode, optional, (key) => `configmap references non-existent config key: ${key}`);
}

/** setUpConfigMap writes the configMap's files into the volume directory (again on every sync, swapping atomically on change). */
export async function setUpConfigMap(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.configMap;
  if (!source) throw new Error(`volume ${ctx.volume.name} is not a configMap volume`);
  let payload: Map<string, FileProjection>;
  try {
    payload = await configMapPayload(ctx, source, source.defaultMode ?? defaultVolumeMode);
  } catch (err) {
    throw setUpFailed(ctx.volume.name, err instanceof Error ? err.message : String(err));
  }
  const dir = volumeDir(ctx.podsDir, podUid(ctx.pod), 'configMap', ctx.volume.name);
  writeVolumePayload(ctx, dir, payload);
  return { hostPath: dir, readOnly: true };
}
