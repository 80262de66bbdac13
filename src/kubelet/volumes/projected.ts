import { mkdirSync } from 'node:fs';
import type { FileProjection } from './atomic-writer.ts';
import { configMapPayload } from './config-map.ts';
import { downwardApiPayload } from './downward-api.ts';
import { defaultVolumeMode, writeVolumePayload } from './key-payload.ts';
import { volumeDir } from './layout.ts';
import { mountTmpfs } from './mount.ts';
import { fsGroupOf, podUid, setUpFailed, type SetUpContext } from './plugin.ts';
import { secretPayload } from './secret.ts';
import type { PreparedVolume } from './types.ts';

// projected (pkg/volume/projected): configMap, secret, downwardAPI and serviceAccountToken sources merged into one
// directory, on a tmpfs (it may hold secrets and tokens) and written through AtomicWriter on every sync, which is
// also when a token past 80% of its life is replaced.

/** defaultTokenExpirationSeconds is the API's default for a projected serviceAccountToken's expirationSeconds. */
const defaultTokenExpirationSeconds = 3600;

/** projectedPayload collects every source's files; errors of all sources are joined, as upstream aggregates them. */
async function projectedPayload(ctx: SetUpContext): Promise<Map<string, FileProjection>> {
  const source = ctx.volume.projected ?? {};
  const defaultMode = source.defaultMode ?? defaultVolumeMode;
  const payload = new Map<string, FileProjection>();
  const errors: string[] = [];
  const pod = ctx.pod;
  for (const s of source.sources ?? []) {
    try {
      let part: Map<string, FileProjection> | undefined;
      if (s.configMap) part = await configMapPayload(ctx, s.configMap, defaultMode);
      else if (s.secret) part = await secretPayload(ctx, s.secret.name ?? '', s.secret.items, s.secret.optional === true, defaultMode);
      else if (s.downwardAPI) part = downwardApiPayload(pod, s.downwardAPI.items ?? [], defaultMode, ctx.nodeAllocatable);
      else if (s.serviceAccountToken) {
        const tp = s.serviceAccountToken;
        const token = await ctx.tokens.token(pod.metadata?.namespace ?? 'default', pod.spec?.serviceAccountName ?? 'default', {
          audiences: tp.audience ? [tp.audience] : [],
          expirationSeconds: tp.expirationSeconds ?? defaultTokenExpirationSeconds,
          boundPod: { name: pod.metadata?.name ?? '', uid: podUid(pod) },
        });
        // With an fsGroup the token is 0600 and ownership widens it to 0640 (upstream).
        part = new Map([[tp.path, { data: Buffer.from(token, 'utf8'), mode: fsGroupOf(pod) ? 0o600 : defaultMode }]]);
      }
      for (const [k, v] of part ?? []) payload.set(k, v);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length === 1) throw new Error(errors[0]);
  if (errors.length > 1) throw new Error(`[${errors.join(', ')}]`);
  return payload;
}

/** setUpProjected mounts a tmpfs for the volume (once) and writes all its sources into it on every sync. */
export async function setUpProjected(ctx: SetUpContext): Promise<PreparedVolume> {
  let payload: Map<string, FileProjection>;
  try {
    payload = await projectedPayload(ctx);
  } catch (err) {
    throw setUpFailed(ctx.volume.name, err instanceof Error ? err.message : String(err));
  }
  const dir = volumeDir(ctx.podsDir, podUid(ctx.pod), 'projected', ctx.volume.name);
  mkdirSync(dir, { recursive: true });
  await mountTmpfs(dir).catch((err: unknown) => {
    throw setUpFailed(ctx.volume.name, `mount failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  writeVolumePayload(ctx, dir, payload);
  return { hostPath: dir, readOnly: true };
}
