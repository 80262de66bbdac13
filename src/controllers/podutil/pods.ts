import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';

/** PodObject is a Pod as plain, mutable JSON data. */
export type PodObject = Pod & ApiObject;

/** controllerRefOf returns the owner reference marked controller=true, as upstream's metav1.GetControllerOf. */
export function controllerRefOf(obj: ApiObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** newControllerRef builds the controller owner reference a controller stamps on what it creates. */
export function newControllerRef(owner: ApiObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** isPodActive tells whether a pod still counts toward replicas: not finished and not being deleted. */
export function isPodActive(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** podReadyCondition returns the pod's Ready condition. */
export function podReadyCondition(pod: PodObject): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** isPodReady tells whether the pod's Ready condition is True. */
export function isPodReady(pod: PodObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** isPodAvailable tells whether a pod has been ready for at least minReadySeconds at nowMs (upstream's IsPodAvailable). */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, nowMs: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** podDeletionCostAnnotation lets users say which pods a scale-down should remove first (lower cost goes first). */
export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

function phaseOrdinal(phase: string | undefined): number {
  switch (phase) {
    case 'Pending':
      return 0;
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      return 3;
  }
}

function deletionCost(pod: PodObject): number {
  const v = Number(pod.metadata?.annotations?.[podDeletionCostAnnotation] ?? '0');
  return Number.isInteger(v) ? v : 0;
}

function maxRestarts(pod: PodObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount));
}

// afterOrZero is upstream's tie-break on times: a missing time counts as the most recent.
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

function timeOf(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * compareActivePods orders pods so the ones to delete first come first, as upstream's ActivePodsWithRanks:
 * unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower deletion cost first; more pods
 * on the same node (rank) first; ready for less time first; more restarts first; newer first.
 */
export function compareActivePods(a: PodObject, b: PodObject, rank: (p: PodObject) => number = () => 0): number {
  const an = a.spec?.nodeName ? 1 : 0;
  const bn = b.spec?.nodeName ? 1 : 0;
  if (an !== bn) return an - bn;
  const ap = phaseOrdinal(a.status?.phase);
  const bp = phaseOrdinal(b.status?.phase);
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a) ? 1 : 0;
  const br = isPodReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  const ac = deletionCost(a);
  const bc = deletionCost(b);
  if (ac !== bc) return ac - bc;
  const ark = rank(a);
  const brk = rank(b);
  if (ark !== brk) return brk - ark;
  if (ar === 1 && br === 1) {
    // The one that became ready later has been ready for less time; a zero time sorts as most recent.
    const at = timeOf(podReadyCondition(a)?.lastTransitionTime);
    const bt = timeOf(podReadyCondition(b)?.lastTransitionTime);
    if (at !== bt) return afterOrZero(at, bt) ? -1 : 1;
  }
  const arc = maxRestarts(a);
  const brc = maxRestarts(b);
  if (arc !== brc) return brc - arc;
  const act = timeOf(a.metadata?.creationTimestamp);
  const bct = timeOf(b.metadata?.creationTimestamp);
  if (act !== bct) return afterOrZero(act, bct) ? -1 : 1;
  return 0;
}
