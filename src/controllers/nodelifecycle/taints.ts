import type { Taint } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { formatTime } from '../../api/time.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { NodeObject } from './health.ts';

/** Well-known node taint keys the node lifecycle controller manages (k8s.io/api/core/v1 well_known_taints.go). */
export const taintKeys = {
  notReady: 'node.kubernetes.io/not-ready',
  unreachable: 'node.kubernetes.io/unreachable',
  unschedulable: 'node.kubernetes.io/unschedulable',
  memoryPressure: 'node.kubernetes.io/memory-pressure',
  diskPressure: 'node.kubernetes.io/disk-pressure',
  pidPressure: 'node.kubernetes.io/pid-pressure',
  networkUnavailable: 'node.kubernetes.io/network-unavailable',
} as const;

/** unreachableTaint is put on a node whose Ready condition is Unknown. */
export const unreachableTaint: Taint = { key: taintKeys.unreachable, effect: 'NoExecute' };
/** notReadyTaint is put on a node whose Ready condition is False. */
export const notReadyTaint: Taint = { key: taintKeys.notReady, effect: 'NoExecute' };

// Which condition status gets which NoSchedule taint (upstream's nodeConditionToTaintKeyStatusMap).
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: taintKeys.notReady, Unknown: taintKeys.unreachable },
  MemoryPressure: { True: taintKeys.memoryPressure },
  DiskPressure: { True: taintKeys.diskPressure },
  NetworkUnavailable: { True: taintKeys.networkUnavailable },
  PIDPressure: { True: taintKeys.pidPressure },
};
const conditionTaintKeys = new Set<string>(Object.values(conditionTaints).flatMap((m) => Object.values(m)));

/** sameTaint compares taints by key and effect, as upstream's Taint.MatchTaint. */
export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** hasTaint tells whether a node carries a taint (by key and effect). */
export function hasTaint(node: NodeObject, taint: Taint): boolean {
  return (node.spec?.taints ?? []).some((t) => sameTaint(t, taint));
}

/**
 * noScheduleTaintDiff is upstream's doNoScheduleTaintingPass decision: the NoSchedule taints a node's
 * conditions and spec.unschedulable call for, against the ones of those kinds it has.
 */
export function noScheduleTaintDiff(node: NodeObject): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: taintKeys.unschedulable, effect: 'NoSchedule' });
  const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === taintKeys.unschedulable || conditionTaintKeys.has(t.key)));
  return {
    add: want.filter((w) => !have.some((h) => sameTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => sameTaint(h, w))),
  };
}

/**
 * swapNodeTaints adds and removes taints on a node (upstream's SwapNodeControllerTaint), starting from the
 * cached node and re-reading it after a conflict. Added NoExecute taints get timeAdded. It returns the
 * written node, or the node unchanged when nothing had to change.
 */
export async function swapNodeTaints(nodes: ResourceClient<NodeObject>, cached: NodeObject, add: Taint[], remove: Taint[], now: number): Promise<NodeObject | undefined> {
  let node = cached;
  for (let attempt = 0; ; attempt++) {
    const current = node.spec?.taints ?? [];
    let next = current.filter((t) => !remove.some((r) => sameTaint(t, r)));
    for (const a of add) {
      if (next.some((t) => sameTaint(t, a))) continue;
      next = [...next, { ...a, ...(a.effect === 'NoExecute' ? { timeAdded: formatTime(now) } : {}) }];
    }
    if (next.length === current.length && next.every((t) => current.includes(t))) return node;
    const updated = structuredClone(node);
    updated.spec = { ...updated.spec, taints: next };
    if (next.length === 0) delete updated.spec.taints;
    try {
      return await nodes.update(updated);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      if (!isApiError(err, 'Conflict') || attempt >= 4) throw err;
      node = await nodes.get(undefined, cached.metadata?.name ?? '');
    }
  }
}
