import type { PdbObject } from '../../api/other/pdb-status.ts';
import { scaledValue } from '../deployment/replicasets.ts';
import { isPodReady, type PodObject } from '../podutil/index.ts';

/** deletionTimeoutMs is how long an eviction's pod may take to be deleted before the budget counts it again (upstream's DeletionTimeout, 2 minutes). */
export const deletionTimeoutMs = 2 * 60 * 1000;

/**
 * desiredHealthy is upstream's getExpectedPodCount once the controllers' scale is known: maxUnavailable
 * and a percentage minAvailable are taken against the summed scale (rounded up); an integer minAvailable
 * stands as is and expects the matching pods.
 */
export function desiredHealthy(pdb: PdbObject, podCount: number, scale: () => number): { expectedCount: number; desiredHealthy: number } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expected = scale();
    return { expectedCount: expected, desiredHealthy: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true)) };
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: spec.minAvailable };
  if (typeof spec.minAvailable === 'string') {
    const expected = scale();
    return { expectedCount: expected, desiredHealthy: scaledValue(spec.minAvailable, expected, true) };
  }
  return { expectedCount: podCount, desiredHealthy: 0 };
}

/** needsScale tells whether the budget is relative to the controllers' scale (so pods' controllers must be looked up). */
export function needsScale(pdb: PdbObject): boolean {
  const spec = pdb.spec ?? {};
  return (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) || typeof spec.minAvailable === 'string';
}

/** countHealthyPods counts ready pods that are neither being deleted nor recently evicted (upstream's countHealthyPods). */
export function countHealthyPods(pods: PodObject[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const at = disrupted[p.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + deletionTimeoutMs > now) continue;
    if (isPodReady(p)) n++;
  }
  return n;
}

/**
 * buildDisruptedPodMap keeps the evictions still expected to complete (upstream's buildDisruptedPodMap):
 * entries for pods gone or being deleted are dropped, and so are ones past the deletion timeout (those are
 * reported in `overdue`). recheckAt is when the next kept entry expires.
 */
export function buildDisruptedPodMap(pods: PodObject[], pdb: PdbObject, now: number): { disrupted: Record<string, string>; recheckAt?: number; overdue: PodObject[] } {
  const old = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const overdue: PodObject[] = [];
  let recheckAt: number | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const at = old[p.metadata?.name ?? ''];
    if (at === undefined) continue;
    const expected = Date.parse(at) + deletionTimeoutMs;
    if (expected < now) {
      overdue.push(p);
      continue;
    }
    if (recheckAt === undefined || expected < recheckAt) recheckAt = expected;
    disrupted[p.metadata?.name ?? ''] = at;
  }
  return recheckAt === undefined ? { disrupted, overdue } : { disrupted, recheckAt, overdue };
}
