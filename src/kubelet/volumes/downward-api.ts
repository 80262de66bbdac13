import type { DownwardAPIVolumeFile, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { mustParseQuantity, scaledValue } from '../../api/validation/quantity.ts';
import type { FileProjection } from './atomic-writer.ts';
import { defaultVolumeMode, writeVolumePayload } from './key-payload.ts';
import { volumeDir } from './layout.ts';
import { podUid, setUpFailed, type SetUpContext } from './plugin.ts';
import type { PreparedVolume } from './types.ts';

// downwardAPI (pkg/volume/downwardapi): pod fields and container resources as files, rewritten through
// AtomicWriter on every sync so label and annotation changes show up in the running pod.

/** formatMap renders labels/annotations as the kubelet does: sorted `key="value"` lines (Go %q quoting). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k] ?? '')}`)
    .join('\n');
}

/** PodAddresses are the pod's and node's IPs when the caller knows them better than the pod's status (container start). */
export interface PodAddresses {
  podIPs: readonly string[];
  hostIPs: readonly string[];
}

/** resolveFieldRef returns a pod field's value for the downward API (volumes, env, subPathExpr), or throws for an unsupported path. */
export function resolveFieldRef(pod: Pod, fieldPath: string, addresses?: PodAddresses): string {
  const subscript = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (subscript) {
    const map = subscript[1] === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[subscript[2] ?? ''] ?? '';
  }
  const podIPs = addresses?.podIPs ?? (pod.status?.podIPs ?? []).map((p) => p.ip);
  const hostIPs = addresses?.hostIPs ?? (pod.status?.hostIPs ?? []).map((p) => p.ip);
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'spec.restartPolicy':
      return pod.spec?.restartPolicy ?? '';
    case 'status.hostIP':
      return hostIPs[0] ?? pod.status?.hostIP ?? '';
    case 'status.podIP':
      return podIPs[0] ?? pod.status?.podIP ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'status.hostIPs':
      return hostIPs.join(',');
    default:
      throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * resolveResourceFieldRef is a container's request or limit divided by divisor and rounded up (upstream's
 * ExtractContainerResourceValue); an unset limit is the node's allocatable amount.
 */
export function resolveResourceFieldRef(pod: Pod, ref: ResourceFieldSelector, allocatable: Record<string, string>): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = containers.find((x) => x.name === ref.containerName);
  if (!c) throw new Error(`container ${ref.containerName ?? ''} not found`);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw new Error(`unsupported container resource : ${ref.resource}`);
  const set = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  const raw = set?.[resource] ?? (kind === 'limits' ? allocatable[resource] : undefined) ?? '0';
  const q = mustParseQuantity(raw);
  const divisor = mustParseQuantity(ref.divisor ?? '1');
  if (resource === 'cpu') {
    const d = scaledValue(divisor, -3);
    return String(ceilDiv(scaledValue(q, -3), d === 0n ? 1n : d));
  }
  const d = scaledValue(divisor, 0);
  return String(ceilDiv(scaledValue(q, 0), d === 0n ? 1n : d));
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** downwardApiPayload builds the files of downwardAPI items (volume or projection). */
export function downwardApiPayload(pod: Pod, items: readonly DownwardAPIVolumeFile[], defaultMode: number, allocatable: Record<string, string>): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  for (const item of items) {
    let value: string;
    if (item.fieldRef) value = resolveFieldRef(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = resolveResourceFieldRef(pod, item.resourceFieldRef, allocatable);
    else continue;
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** setUpDownwardApi writes the pod's fields into the volume directory (again on every sync). */
export async function setUpDownwardApi(ctx: SetUpContext): Promise<PreparedVolume> {
  const source = ctx.volume.downwardAPI;
  if (!source) throw new Error(`volume ${ctx.volume.name} is not a downwardAPI volume`);
  let payload: Map<string, FileProjection>;
  try {
    payload = downwardApiPayload(ctx.pod, source.items ?? [], source.defaultMode ?? defaultVolumeMode, ctx.nodeAllocatable);
  } catch (err) {
    throw setUpFailed(ctx.volume.name, err instanceof Error ? err.message : String(err));
  }
  const dir = volumeDir(ctx.podsDir, podUid(ctx.pod), 'downwardAPI', ctx.volume.name);
  writeVolumePayload(ctx, dir, payload);
  return { hostPath: dir, readOnly: true };
}
