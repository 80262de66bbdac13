import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ApiObject, Mutable } from '../../api/object.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { equalIgnoreHash } from './hash.ts';

/** DeploymentObject is a Deployment as plain, mutable JSON data. */
export type DeploymentObject = Mutable<Deployment> & ApiObject;

/** revisionAnnotation numbers a Deployment's rollouts; the ReplicaSet of each rollout carries its number. */
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
/** revisionHistoryAnnotation lists earlier revisions a ReplicaSet served (after rollbacks). */
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
/** desiredReplicasAnnotation records the Deployment's replicas when a ReplicaSet was last scaled. */
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
/** maxReplicasAnnotation records replicas + maxSurge when a ReplicaSet was last scaled. */
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';

// Annotations that belong to the Deployment (or kubectl) and are never copied to its ReplicaSets.
const skippedAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration', revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, 'deprecated.deployment.rollback.to']);

/** replicasOf reads spec.replicas with its default of 1. */
export function replicasOf(o: { spec?: { replicas?: number } }): number {
  return o.spec?.replicas ?? 1;
}

/** revisionOf parses a ReplicaSet's revision annotation (0 when absent or malformed). */
export function revisionOf(o: ApiObject): number {
  const v = Number(o.metadata?.annotations?.[revisionAnnotation] ?? '');
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** maxRevision is the highest revision among ReplicaSets. */
export function maxRevision(rss: ReplicaSetObject[]): number {
  return Math.max(0, ...rss.map(revisionOf));
}

function timeOf(o: ApiObject): number {
  const t = Date.parse(o.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** byCreationTimestamp orders ReplicaSets oldest first, then by name (upstream's ReplicaSetsByCreationTimestamp). */
export function byCreationTimestamp(a: ReplicaSetObject, b: ReplicaSetObject): number {
  return timeOf(a) - timeOf(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** byRevision orders ReplicaSets by revision, oldest first (upstream's ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSetObject, b: ReplicaSetObject): number {
  return revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b);
}

/** findNewReplicaSet returns the oldest ReplicaSet whose template equals the Deployment's, ignoring the hash label. */
export function findNewReplicaSet(d: DeploymentObject, rss: ReplicaSetObject[]): ReplicaSetObject | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** findOldReplicaSets returns every ReplicaSet but the new one. */
export function findOldReplicaSets(d: DeploymentObject, rss: ReplicaSetObject[]): ReplicaSetObject[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
}

/** filterActive keeps ReplicaSets that want pods. */
export function filterActive(rss: (ReplicaSetObject | undefined)[]): ReplicaSetObject[] {
  return rss.filter((rs): rs is ReplicaSetObject => rs !== undefined && replicasOf(rs) > 0);
}

/** specReplicas sums spec.replicas. */
export function specReplicas(rss: (ReplicaSetObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** statusReplicas sums status.replicas (pods that exist). */
export function statusReplicas(rss: (ReplicaSetObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

/** readyReplicas sums status.readyReplicas. */
export function readyReplicas(rss: (ReplicaSetObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/** availableReplicas sums status.availableReplicas. */
export function availableReplicas(rss: (ReplicaSetObject | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** scaledValue resolves an int-or-percent against total, rounding percentages up or down as asked (GetScaledValueFromIntOrPercent). */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    return Number.isInteger(n) ? n : 0;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** isRollingUpdate tells whether the Deployment uses the RollingUpdate strategy (the default). */
export function isRollingUpdate(d: DeploymentObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** resolveFenceposts turns maxSurge (rounded up) and maxUnavailable (rounded down) into pod counts; both zero becomes unavailable 1. */
export function resolveFenceposts(d: DeploymentObject): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) return { surge: 0, unavailable: 1 };
  return { surge, unavailable };
}

/** maxSurge is how many pods above spec.replicas a rolling update may run. */
export function maxSurge(d: DeploymentObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

/** maxUnavailable is how many of spec.replicas may be unavailable during a rolling update. */
export function maxUnavailable(d: DeploymentObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

/** newRSNewReplicas is how far the new ReplicaSet may grow now (upstream's NewRSNewReplicas). */
export function newRSNewReplicas(d: DeploymentObject, allRSs: (ReplicaSetObject | undefined)[], newRS: ReplicaSetObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = specReplicas(allRSs);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

/** annotatedInt reads an integer annotation. */
export function annotatedInt(o: ApiObject, name: string): number | undefined {
  const s = o.metadata?.annotations?.[name];
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}

/** setReplicasAnnotations records desired and max replicas on a ReplicaSet; it reports whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSetObject, desired: number, max: number): boolean {
  const a = (rs.metadata ??= {}).annotations ?? {};
  const changed = a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
  rs.metadata.annotations = { ...a, [desiredReplicasAnnotation]: String(desired), [maxReplicasAnnotation]: String(max) };
  return changed;
}

/** setNewReplicaSetAnnotations copies the Deployment's annotations and sets the revision (upstream's SetNewReplicaSetAnnotations). */
export function setNewReplicaSetAnnotations(d: DeploymentObject, rs: ReplicaSetObject, newRevision: number, exists: boolean): boolean {
  const meta = (rs.metadata ??= {});
  const a = { ...(meta.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skippedAnnotations.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[revisionAnnotation];
  const oldNum = old === undefined ? 0 : Number(old);
  if (Number.isInteger(oldNum) && oldNum < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '') a[revisionHistoryAnnotation] = a[revisionHistoryAnnotation] ? `${a[revisionHistoryAnnotation]},${old}` : old;
  }
  meta.annotations = a;
  if (!exists) {
    setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d));
    changed = true;
  }
  return changed;
}

/** isSaturated tells whether the new ReplicaSet runs all desired pods, all available (upstream's IsSaturated). */
export function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) return false;
  const desired = annotatedInt(rs, desiredReplicasAnnotation);
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** findActiveOrLatest returns the only active ReplicaSet, or the newest when none is active, or nothing when several are. */
export function findActiveOrLatest(newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): ReplicaSetObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}
