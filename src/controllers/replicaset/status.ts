import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import { deepEqualJson, type ApiObject, type Mutable } from '../../api/object.ts';
import { selectorFromSet } from '../../api/selectors/index.ts';
import type { ResourceClient } from '../../client/index.ts';
import { isApiError } from '../../api/errors.ts';
import { formatTime } from '../../api/time.ts';
import { isPodAvailable, isPodReady, type PodObject } from '../podutil/index.ts';

/** ReplicaSetObject is a ReplicaSet as plain, mutable JSON data. */
export type ReplicaSetObject = Mutable<ReplicaSet> & ApiObject;

/** calculateReplicaSetStatus derives a ReplicaSet's status from the pods it owns and the last manage error (upstream's calculateStatus). */
export function calculateReplicaSetStatus(rs: ReplicaSetObject, pods: PodObject[], manageErr: { error: Error; creating: boolean } | undefined, nowMs: number): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (templateLabels.matches(p.metadata?.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const cond: ReplicaSetCondition = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: formatTime(nowMs), reason: manageErr.creating ? 'FailedCreate' : 'FailedDelete', message: manageErr.error.message };
    conditions.push(cond);
  } else if (!manageErr && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration ?? 0,
    ...(conditions.length > 0 ? { conditions } : {}),
  };
  return status;
}

/** updateReplicaSetStatus writes a status (and observedGeneration) unless nothing changed, retrying once on a conflict. */
export async function updateReplicaSetStatus(client: ResourceClient<ReplicaSetObject>, rs: ReplicaSetObject, status: ReplicaSetStatus): Promise<ReplicaSetObject> {
  const generation = rs.metadata?.generation ?? 0;
  if (rs.status?.observedGeneration === generation && sameStatus(rs.status, status)) return rs;
  let cur = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.updateStatus({ ...cur, status: { ...status, observedGeneration: generation } });
    } catch (err) {
      if (attempt >= 1 || !isApiError(err, 'Conflict')) throw err;
      cur = await client.get(rs.metadata?.namespace, rs.metadata?.name ?? '');
    }
  }
}

function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  if (!a) return false;
  return (
    (a.replicas ?? 0) === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    deepEqualJson(a.conditions ?? [], b.conditions ?? [])
  );
}
