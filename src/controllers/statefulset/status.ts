import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { PodObject } from '../podutil/index.ts';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating, podRevision, type StatefulSetObject } from './identity.ts';

/** MutableStatus is a StatefulSet status the sync fills in. */
export type MutableStatus = { -readonly [K in keyof StatefulSetStatus]: StatefulSetStatus[K] };

/** countReplicas sets the replica counts of status from the pods (upstream's updateStatus over computeReplicaStatus). */
export function countReplicas(status: MutableStatus, minReadySeconds: number, nowMs: number, currentRevision: string, updateRevision: string, pods: PodObject[]): void {
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    if (isCreated(pod)) replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) available++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const rev = podRevision(pod);
      if (rev === currentRevision) current++;
      if (rev === updateRevision) updated++;
    }
  }
  status.replicas = replicas;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  status.currentReplicas = current;
  status.updatedReplicas = updated;
}

/** completeRollingUpdate makes the update revision current once every wanted pod runs it and is ready. */
export function completeRollingUpdate(set: StatefulSetObject, status: MutableStatus): void {
  const want = set.spec?.replicas ?? 1;
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === want && status.readyReplicas === want && status.replicas === want) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus tells whether status differs from what the set records (so it must be written). */
export function inconsistentStatus(set: StatefulSetObject, status: MutableStatus): boolean {
  const s = set.status;
  return (status.observedGeneration ?? 0) > (s?.observedGeneration ?? 0) ||
    status.replicas !== (s?.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (s?.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (s?.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (s?.updatedReplicas ?? 0) ||
    (status.availableReplicas ?? 0) !== (s?.availableReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (s?.currentRevision ?? '') ||
    (status.updateRevision ?? '') !== (s?.updateRevision ?? '') ||
    (status.collisionCount ?? 0) !== (s?.collisionCount ?? 0);
}

/** writeStatus stores status on the set, re-reading and retrying on conflicts (upstream's status updater). */
export async function writeStatus(client: ResourceClient<StatefulSetObject>, set: StatefulSetObject, status: MutableStatus): Promise<StatefulSetObject> {
  let cur = set;
  for (let attempt = 0; ; attempt++) {
    try {
      // Conditions are not ours to drop.
      return await client.updateStatus({ ...cur, status: { ...(cur.status?.conditions ? { conditions: cur.status.conditions } : {}), ...status } });
    } catch (err) {
      if (attempt >= 4 || !isApiError(err, 'Conflict')) throw err;
      cur = await client.get(set.metadata?.namespace, set.metadata?.name ?? '');
    }
  }
}
