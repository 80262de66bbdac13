import { isApiError } from '../../api/errors.ts';
import { deepEqualJson } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import { controllerRevisionHashLabel, createControllerRevision, nextRevision, sortRevisions, updateRevisionNumber, type RevisionObject } from '../history/index.ts';
import { newControllerRef, type PodObject } from '../podutil/index.ts';
import type { DaemonSetObject } from './placement.ts';

// A DaemonSet's ControllerRevisions (upstream's daemon/update.go constructHistory, snapshot, dedupCurHistories and
// cleanupHistory). Each holds a strategic merge patch that puts a template back, which is exactly what
// `kubectl rollout undo daemonset` sends; the revision matching the current template is the current one, and its
// hash labels the pods made from it.

/** revisionHashLabel ties daemon pods to the revision they were made from (apps/v1 DefaultDaemonSetUniqueLabelKey). */
export const revisionHashLabel = 'controller-revision-hash';

/** revisionData is what a DaemonSet revision stores: a patch replacing spec.template (upstream's getPatch). */
export function revisionData(ds: DaemonSetObject): unknown {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** revisionHash is the hash a revision's pods carry; revisions made elsewhere may have only the generic label. */
export function revisionHash(rev: RevisionObject): string {
  return rev.metadata?.labels?.[revisionHashLabel] ?? rev.metadata?.labels?.[controllerRevisionHashLabel] ?? rev.metadata?.name ?? '';
}

/** HistoryDeps are the clients history upkeep writes through. */
export interface HistoryDeps {
  revisions: ResourceClient<RevisionObject>;
  pods: ResourceClient<PodObject>;
}

/** History is a DaemonSet's current revision, the older ones, and the collision count that named the current one. */
export interface History {
  cur: RevisionObject;
  old: RevisionObject[];
  collisionCount: number;
}

/**
 * constructHistory splits the DaemonSet's revisions into the current one (creating it if the template is new,
 * keeping only the newest if several match, and renumbering it to come last) and the old ones.
 */
export async function constructHistory(d: HistoryDeps, ds: DaemonSetObject, revisions: RevisionObject[], pods: PodObject[]): Promise<History> {
  const data = revisionData(ds);
  const current: RevisionObject[] = [];
  const old: RevisionObject[] = [];
  for (const r of revisions) (deepEqualJson(r.data ?? null, data) ? current : old).push(r);
  const want = nextRevision(old);
  const collisionCount = ds.status?.collisionCount ?? 0;
  if (current.length === 0) {
    const created = await createControllerRevision(d.revisions, {
      parent: ds,
      ownerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'),
      templateLabels: ds.spec?.template?.metadata?.labels,
      labels: (hash) => ({ [revisionHashLabel]: hash }),
      ...(ds.metadata?.annotations ? { annotations: ds.metadata.annotations } : {}),
      data,
      revision: want,
      collisionCount,
    });
    return { cur: created.revision, old, collisionCount: created.collisionCount };
  }
  let cur = await dedupCurrent(d, current, pods);
  if ((cur.revision ?? 0) < want) cur = await updateRevisionNumber(d.revisions, cur, want);
  return { cur, old, collisionCount };
}

// dedupCurrent keeps the newest of several revisions holding the current template: pods are relabelled to its
// hash first, so none is left pointing at a revision that is about to go.
async function dedupCurrent(d: HistoryDeps, current: RevisionObject[], pods: PodObject[]): Promise<RevisionObject> {
  const keep = current.reduce((a, b) => ((b.revision ?? 0) >= (a.revision ?? 0) ? b : a));
  if (current.length === 1) return keep;
  const hash = revisionHash(keep);
  for (const p of pods) {
    if (p.metadata?.labels?.[revisionHashLabel] === hash) continue;
    await d.pods.patch(p.metadata?.namespace, p.metadata?.name ?? '', 'merge', { metadata: { labels: { [revisionHashLabel]: hash } } });
  }
  for (const r of current) {
    if (r === keep) continue;
    await deleteRevision(d, r);
  }
  return keep;
}

/**
 * cleanupHistory deletes the oldest revisions beyond spec.revisionHistoryLimit, never one whose hash a pod of
 * the DaemonSet still carries (including finished pods), since a rollback or an OnDelete update still needs it.
 */
export async function cleanupHistory(d: HistoryDeps, ds: DaemonSetObject, old: RevisionObject[], pods: PodObject[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata?.labels?.[revisionHashLabel]).filter((h): h is string => Boolean(h)));
  for (const r of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(revisionHash(r))) continue;
    await deleteRevision(d, r);
    toKill--;
  }
}

async function deleteRevision(d: HistoryDeps, r: RevisionObject): Promise<void> {
  try {
    await d.revisions.delete(r.metadata?.namespace, r.metadata?.name ?? '', { preconditions: { uid: r.metadata?.uid ?? '' } });
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
}
