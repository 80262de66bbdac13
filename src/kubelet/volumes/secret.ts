import { mkdirSync } from 'node:fs';
import type { Secret, SecretProjection } from 'kubernetes-types/core/v1.js';
import type { FileProjection } from './atomic-writer.ts';
import { defaultVolumeMode, keyPayload, writeVolumePayload } from './key-payload.ts';
import { volumeDir } from './layout.ts';
import { mountTmpfs } from './mount.ts';
import { podUid, setUpFailed, type SetUpContext } from './plugin.ts';
import type { PreparedVolume } from './types.ts';

// secret (pkg/volume/secret): like configMap, but the directory is a tmpfs so secret bytes never reach the node's
// disk (upstream wraps a memory-backed emptyDir).

/** secretData is a Secret's data as bytes. */
export function secretData(s: Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** secretPayload reads a secret (secret volume or projection) and builds its files; it throws upstream's messages. */
export async function secretPayload(ctx: SetUpContext, name: string, items: SecretProjection['items'], optional: boolean, defaultMode: number): Promise<Map<string, FileProjection>> {
  const secret = await ctx.sources.secret(ctx.pod.metadata?.namespace ?? 'default', name);
  if (!secret) {
    if (optional) return new Map();
    throw new Error(`secret "${name}" not found`);
  }
  return keyPayload(secretData(secret), items, defaultMode, optional, (key) => `references non-existent secret key: ${key}`);
}

/** setUpSecret mounts a tmpfs for the volume (once) and writes the secret's files into it on every sync. */
export async function setUpSecret(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.secret;
  if (!source) throw new Error(`volume ${ctx.volume.name} is not a secret volume`);
  let payload: Map<string, FileProjection>;
  try {
    payload = await secretPayload(ctx, source.secretName ?? '', source.items, source.optional === true, source.defaultMode ?? defaultVolumeMode);
  } catch (err) {
    throw setUpFailed(ctx.volume.name, err instanceof Error ? err.message : String(err));
  }
  const dir = volumeDir(ctx.podsDir, podUid(ctx.pod), 'secret', ctx.volume.name);
  mkdirSync(dir, { recursive: true });
  await mountTmpfs(dir).catch((err: unknown) => {
    throw setUpFailed(ctx.volume.name, `mount failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  writeVolumePayload(ctx, dir, payload);
  return { hostPath: dir, readOnly: true };
}
