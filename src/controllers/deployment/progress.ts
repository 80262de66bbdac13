import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { formatTime } from '../../api/time.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { availableReplicas, maxUnavailable, readyReplicas, replicasOf, specReplicas, statusReplicas, type DeploymentObject } from './replicasets.ts';

/** Progressing and Available condition reasons, as upstream's deployment util names them. */
export const reasons = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** newCondition builds a condition stamped now. */
export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = formatTime(nowMs);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** getCondition returns a status's condition of a type. */
export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** setCondition replaces a condition, keeping lastTransitionTime while the status stays (upstream's SetDeploymentCondition). */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = cur && cur.status === cond.status ? { ...cond, lastTransitionTime: cur.lastTransitionTime } : cond;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** removeCondition drops a condition type. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

/** hasProgressDeadline tells whether progress is tracked (progressDeadlineSeconds is set and not "forever"). */
export function hasProgressDeadline(d: DeploymentObject): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** calculateStatus derives a Deployment's status from its ReplicaSets, with the Available condition. */
export function calculateStatus(allRSs: (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined, d: DeploymentObject, nowMs: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  // Unavailable counts against the pods the ReplicaSets want (spec), not the ones that exist yet.
  const wanted = specReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: statusReplicas(allRSs),
    updatedReplicas: statusReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, wanted - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** deploymentComplete tells whether every desired pod is updated and available and the spec was observed. */
export function deploymentComplete(d: DeploymentObject, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** deploymentProgressing tells whether the rollout moved since the status last written. */
export function deploymentProgressing(d: DeploymentObject, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** deploymentTimedOut tells whether the rollout made no progress for progressDeadlineSeconds. */
export function deploymentTimedOut(d: DeploymentObject, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === reasons.newRSAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** rolloutStatus computes the status after a rollout step, with the Progressing and ReplicaFailure conditions (upstream's syncRolloutStatus). */
export function rolloutStatus(allRSs: (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject | undefined, d: DeploymentObject, nowMs: number): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === reasons.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS?.metadata?.name ?? '';
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', reasons.newRSAvailable, newRS ? `ReplicaSet "${rsName}" has successfully progressed.` : 'Deployment has successfully progressed.', nowMs));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', reasons.rsUpdated, newRS ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.', nowMs);
      // Progress refreshes lastUpdateTime (the deadline clock); the transition time stays while it is True.
      if (cur?.status === 'True' && cur.lastTransitionTime) c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, nowMs)) {
      setCondition(s, newCondition('Progressing', 'False', reasons.timedOut, newRS ? `ReplicaSet "${rsName}" has timed out progressing.` : 'Deployment has timed out progressing.', nowMs));
    }
  }
  const failure = newRS?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (failure) {
    setCondition(s, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason ?? '', message: failure.message ?? '', lastUpdateTime: failure.lastTransitionTime ?? formatTime(nowMs), lastTransitionTime: failure.lastTransitionTime ?? formatTime(nowMs) });
  } else {
    removeCondition(s, 'ReplicaFailure');
  }
  return s;
}

/** stuckRequeueMs is when to look again so a stalled rollout is marked ProgressDeadlineExceeded, or undefined. */
export function stuckRequeueMs(d: DeploymentObject, s: DeploymentStatus, nowMs: number): number | undefined {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || deploymentComplete(d, s) || c.reason === reasons.timedOut) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return Math.max(0, from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - nowMs) + 1000;
}
