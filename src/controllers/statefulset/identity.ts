import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Volume } from 'kubernetes-types/core/v1.js';
import type { ApiObject, Mutable } from '../../api/object.ts';
import { isPodAvailable, isPodReady, newControllerRef, type PodObject } from '../podutil/index.ts';

// A StatefulSet's pods have stable identities: `<set>-<ordinal>` names, hostnames, and claims named
// `<template>-<set>-<ordinal>` (upstream's stateful_set_utils.go).

/** StatefulSetObject is a StatefulSet as plain, mutable JSON data. */
export type StatefulSetObject = Mutable<StatefulSet> & ApiObject;

/** ClaimObject is a PersistentVolumeClaim as plain JSON data. */
export type ClaimObject = PersistentVolumeClaim & ApiObject;

/** podNameLabel carries the pod's own name, so a Service can select one member. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
/** podIndexLabel carries the pod's ordinal. */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** revisionLabel names the ControllerRevision a pod was made from (apps.ControllerRevisionHashLabelKey). */
export const revisionLabel = 'controller-revision-hash';

const podNamePattern = /^(.*)-([0-9]+)$/;

/** parentAndOrdinal splits a pod name into its set's name and ordinal; the ordinal is -1 for other names. */
export function parentAndOrdinal(pod: PodObject): { parent: string; ordinal: number } {
  const m = podNamePattern.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1] ?? '', ordinal: ordinal <= 0x7fffffff ? ordinal : -1 };
}

/** ordinalOf is the pod's ordinal, or -1. */
export function ordinalOf(pod: PodObject): number {
  return parentAndOrdinal(pod).ordinal;
}

/** isMemberOf tells whether the pod's name makes it one of the set's pods. */
export function isMemberOf(set: StatefulSetObject, pod: PodObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata?.name;
}

/** startOrdinal is the first ordinal (spec.ordinals.start, default 0). */
export function startOrdinal(set: StatefulSetObject): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** endOrdinal is the last ordinal wanted (inclusive). */
export function endOrdinal(set: StatefulSetObject): number {
  return startOrdinal(set) + (set.spec?.replicas ?? 1) - 1;
}

/** inOrdinalRange tells whether the pod's ordinal is one the set currently wants. */
export function inOrdinalRange(pod: PodObject, set: StatefulSetObject): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

/** podName is the name of the set's pod with an ordinal. */
export function podName(set: StatefulSetObject, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

/** claimName is the name of a pod's claim from a volumeClaimTemplate. */
export function claimName(set: StatefulSetObject, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`;
}

/** identityMatches tells whether the pod has the name, namespace and pod-name label of a member. */
export function identityMatches(set: StatefulSetObject, pod: PodObject): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata?.name && pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace && pod.metadata?.labels?.[podNameLabel] === pod.metadata?.name;
}

/** storageMatches tells whether the pod mounts every claim its templates call for. */
export function storageMatches(set: StatefulSetObject, pod: PodObject): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((t) => volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === claimName(set, t, ordinal));
}

/** podClaims builds the claims a pod needs, keyed by template name, labelled with the set's selector labels. */
export function podClaims(set: StatefulSetObject, pod: PodObject): Map<string, ClaimObject> {
  const ordinal = ordinalOf(pod);
  const out = new Map<string, ClaimObject>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...template } = structuredClone(t);
    const meta = { ...(template.metadata ?? {}) };
    meta.name = claimName(set, t, ordinal);
    meta.namespace = set.metadata?.namespace;
    meta.labels = { ...(meta.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    out.set(t.metadata?.name ?? '', { ...template, apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta });
  }
  return out;
}

/** updateStorage points the pod's template volumes at its claims, keeping its other volumes. */
export function updateStorage(set: StatefulSetObject, pod: PodObject): void {
  const claims = podClaims(set, pod);
  const volumes: Volume[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata?.name ?? '' } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/** updateIdentity gives the pod its member name, namespace and pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSetObject, pod: PodObject): void {
  const ordinal = ordinalOf(pod);
  const meta = (pod.metadata ??= {});
  meta.name = podName(set, ordinal);
  meta.namespace = set.metadata?.namespace;
  meta.labels = { ...(meta.labels ?? {}), [podNameLabel]: meta.name, [podIndexLabel]: String(ordinal) };
}

/** newStatefulSetPod builds the set's pod for an ordinal from its template (hostname and subdomain only at creation). */
export function newStatefulSetPod(set: StatefulSetObject, ordinal: number): PodObject {
  const template = set.spec?.template ?? {};
  const tm = template.metadata ?? {};
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...(tm.labels ?? {}) },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  updateIdentity(set, pod);
  if (pod.spec) {
    pod.spec.hostname = pod.metadata?.name;
    if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  }
  updateStorage(set, pod);
  return pod;
}

/** podRevision is the revision label of a pod ('' when unset). */
export function podRevision(pod: PodObject): string {
  return pod.metadata?.labels?.[revisionLabel] ?? '';
}

/**
 * newVersionedPod builds the pod for an ordinal at the current revision when the update has not reached it yet
 * (below the partition, or below currentReplicas without rollingUpdate), else at the update revision.
 */
export function newVersionedPod(currentSet: StatefulSetObject, updateSet: StatefulSetObject, currentRevision: string, updateRevision: string, ordinal: number): PodObject {
  const strategy = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  // Upstream's condition reads (RollingUpdate && no rollingUpdate && below currentReplicas) || (below partition).
  const useCurrent = (strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (strategy?.rollingUpdate !== undefined && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal);
  (pod.metadata ??= {}).labels = { ...(pod.metadata.labels ?? {}), [revisionLabel]: useCurrent ? currentRevision : updateRevision };
  return pod;
}

/** isCreated tells a pod the API server holds (it has a phase) from a placeholder built this sync. */
export function isCreated(pod: PodObject): boolean {
  return Boolean(pod.status?.phase);
}

/** isTerminating tells whether the pod is being deleted. */
export function isTerminating(pod: PodObject): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** isRunningAndReady tells whether the pod is Running with Ready=True. */
export function isRunningAndReady(pod: PodObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable tells whether the pod has been ready for minReadySeconds. */
export function isRunningAndAvailable(pod: PodObject, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}

/** isUnavailable tells whether the pod does not count as available: not created, not available, or terminating. */
export function isUnavailable(pod: PodObject, minReadySeconds: number, nowMs: number): boolean {
  return !isCreated(pod) || !isRunningAndAvailable(pod, minReadySeconds, nowMs) || isTerminating(pod);
}
