import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequestUsage } from '../../api/core/pod-resources.ts';
import { value } from '../../api/validation/quantity.ts';

// Which pod goes first under pressure (upstream eviction/helpers.go rankMemoryPressure and
// rankDiskPressureFunc): pods using more than they requested, then lower priority, then the larger
// use above the request. A pod without stats is ranked first, as upstream does.

/** PodUsage is what one pod uses of a resource, in total and per container. */
export interface PodUsage {
  total: number;
  containers: { name: string; used: number }[];
}

/** EvictionResource is what ranking and messages are about. */
export type EvictionResource = 'memory' | 'ephemeral-storage';

/** podRequest is the pod's request of a resource in bytes (0 when none). */
export function podRequest(pod: Pod, resource: EvictionResource): number {
  const q = podRequestUsage(pod).get(resource);
  return q ? value(q) : 0;
}

/** rankForEviction orders pods, first to evict first. */
export function rankForEviction(pods: readonly Pod[], usage: (pod: Pod) => PodUsage | undefined, resource: EvictionResource): Pod[] {
  const key = new Map(
    pods.map((p) => {
      const u = usage(p);
      const req = podRequest(p, resource);
      return [p, { known: u !== undefined, exceeds: u !== undefined && u.total > req, priority: p.spec?.priority ?? 0, above: (u?.total ?? 0) - req }];
    }),
  );
  return [...pods].sort((a, b) => {
    const ka = key.get(a);
    const kb = key.get(b);
    if (!ka || !kb) return 0;
    if (ka.known !== kb.known) return ka.known ? 1 : -1;
    if (ka.exceeds !== kb.exceeds) return ka.exceeds ? -1 : 1;
    if (ka.priority !== kb.priority) return ka.priority - kb.priority;
    return kb.above - ka.above;
  });
}

/** formatBytes writes a byte count as the Quantity string upstream prints (1Mi, 1536Ki, 1000). */
export function formatBytes(n: number): string {
  const v = Math.max(0, Math.round(n));
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) if (v !== 0 && v % size === 0) return `${v / size}${suffix}`;
  return String(v);
}

/** evictionMessage is the kubelet's message for a pod evicted to reclaim a resource. */
export function evictionMessage(pod: Pod, resource: EvictionResource, threshold: { text: string; available: number } | undefined, usage: PodUsage | undefined): string {
  let msg = `The node was low on resource: ${resource}. `;
  if (threshold) msg += `Threshold quantity: ${threshold.text}, available: ${formatBytes(threshold.available)}. `;
  for (const c of pod.spec?.containers ?? []) {
    const used = usage?.containers.find((x) => x.name === c.name)?.used;
    if (used === undefined) continue;
    const reqText = c.resources?.requests?.[resource];
    const req = reqText === undefined ? 0 : podRequest({ spec: { containers: [c] } }, resource);
    if (used > req) msg += `Container ${c.name} was using ${formatBytes(used)}, request is ${reqText === undefined ? '0' : String(reqText)}, has larger consumption of ${resource}. `;
  }
  return msg;
}
