import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ResourceClient } from '../../client/index.ts';
import { isPodAvailable, isPodReady } from '../podutil/index.ts';
import { comparePodsByAge } from './manage.ts';
import type { DaemonSetObject, NodePlacement } from './placement.ts';
import { isPodUpdated, type DaemonSetState } from './state.ts';

/** DaemonSetCounts are the numbers a DaemonSet's status reports. */
export type DaemonSetCounts = Required<Pick<DaemonSetStatus,
  'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

/** calculateStatus counts desired, scheduled, misscheduled, ready, updated and available nodes (upstream's updateDaemonSetStatus). */
export function calculateStatus(s: DaemonSetState, placement: NodePlacement): DaemonSetCounts {
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const minReady = s.ds.spec?.minReadySeconds ?? 0;
  for (const node of s.nodes) {
    const pods = s.nodeToPods.get(node.metadata?.name ?? '') ?? [];
    if (!placement(node).shouldRun) {
      if (pods.length > 0) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    // A node counts once, by its oldest pod.
    const pod = [...pods].sort(comparePodsByAge)[0];
    if (!pod) continue;
    c.currentNumberScheduled++;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, s.now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, s.hash, s.generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/**
 * storeStatus writes the counts and collision count, and observedGeneration when this sync acted on the current
 * generation, unless nothing changed; it retries once on a conflict with a fresh copy (upstream's storeDaemonSetStatus).
 */
export async function storeStatus(
  client: ResourceClient<DaemonSetObject>,
  ds: DaemonSetObject,
  counts: DaemonSetCounts,
  collisionCount: number,
  updateObservedGeneration: boolean,
): Promise<void> {
  const generation = ds.metadata?.generation ?? 0;
  const cur: DaemonSetStatus = ds.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
  const same = (Object.keys(counts) as (keyof DaemonSetCounts)[]).every((k) => (cur[k] ?? 0) === counts[k]);
  if (same && (cur.collisionCount ?? 0) === collisionCount && (cur.observedGeneration ?? 0) >= generation) return;
  let toUpdate = ds;
  for (let attempt = 0; ; attempt++) {
    const observedGeneration = updateObservedGeneration ? generation : toUpdate.status?.observedGeneration;
    const status: DaemonSetStatus = {
      ...toUpdate.status,
      ...counts,
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
      ...(collisionCount > 0 || toUpdate.status?.collisionCount !== undefined ? { collisionCount } : {}),
    };
    try {
      await client.updateStatus({ ...toUpdate, status });
      return;
    } catch (err) {
      if (attempt >= 1 || !isApiError(err, 'Conflict')) throw err;
      toUpdate = await client.get(ds.metadata?.namespace, ds.metadata?.name ?? '');
    }
  }
}
