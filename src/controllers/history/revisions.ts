import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import { canonicalJson, fnv32a, safeEncodeString } from './hash.ts';

// ControllerRevisions record each template a StatefulSet or DaemonSet has run, as upstream's
// pkg/controller/history does: the revision's data is a patch that restores the template, its name is
// `<parent>-<hash of data>`, and a collision count in the parent's status makes a new name when two different
// data hash alike.

/** RevisionObject is a ControllerRevision as the client handles it. */
export type RevisionObject = ControllerRevision & ApiObject;

/** controllerRevisionHashLabel carries a revision's hash (upstream's history.ControllerRevisionHashLabel; pods carry their revision's name under controller-revision-hash). */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

/** maxNamePrefix keeps `<prefix>-<hash>` within a DNS subdomain name (upstream truncates at 223). */
const maxNamePrefix = 223;

/** revisionName is the name of the revision of a parent with the given hash. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, maxNamePrefix)}-${hash}`;
}

/** hashRevision hashes a revision's data, then the collision count as decimal text when set (upstream's HashControllerRevision). */
export function hashRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(data ?? null)));
  if (collisionCount !== undefined) h = fnv32a(new TextEncoder().encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** NewRevisionOptions describe a revision to build for a parent. */
export interface NewRevisionOptions {
  parent: { metadata?: { name?: string; namespace?: string } };
  /** ownerRef is the controller reference to the parent. */
  ownerRef: OwnerReference;
  /** templateLabels are the parent template's labels, copied so the parent's selector finds its revisions. */
  templateLabels: Record<string, string> | undefined;
  /** labels are added to the template labels (DaemonSet revisions also carry controller-revision-hash). */
  labels?: (hash: string) => Record<string, string>;
  /** annotations are copied onto the revision (the parent's, so `kubectl rollout history` shows change-cause). */
  annotations?: Record<string, string>;
  data: unknown;
  revision: number;
  collisionCount?: number;
}

/** newControllerRevision builds an unsaved revision named after its hash (upstream's NewControllerRevision). */
export function newControllerRevision(o: NewRevisionOptions): RevisionObject {
  const hash = hashRevision(o.data, o.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(o.parent.metadata?.name ?? '', hash),
      ...(o.parent.metadata?.namespace ? { namespace: o.parent.metadata.namespace } : {}),
      labels: { ...(o.templateLabels ?? {}), ...(o.labels?.(hash) ?? {}), [controllerRevisionHashLabel]: hash },
      ...(o.annotations && Object.keys(o.annotations).length > 0 ? { annotations: { ...o.annotations } } : {}),
      ownerReferences: [o.ownerRef],
    },
    data: o.data as ControllerRevision['data'],
    revision: o.revision,
  };
}

/**
 * equalRevision tells whether two revisions hold the same data. Upstream compares the hash labels first only
 * when both parse as integers, which safe-encoded hashes never do, so in effect it compares data alone: a
 * revision named under an earlier collision count still equals a new candidate with the same data.
 */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return deepEqualJson(a.data ?? null, b.data ?? null);
}

/** findEqualRevisions returns the revisions whose data equals needle's. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** sortRevisions orders revisions oldest first: by revision number, then creation time, then name. */
export function sortRevisions<T extends ControllerRevision>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) =>
    (a.revision ?? 0) - (b.revision ?? 0) ||
    (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') ||
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** nextRevision is one more than the highest revision number present (1 for none). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/** CreatedRevision is a stored revision and the collision count that named it. */
export interface CreatedRevision {
  revision: RevisionObject;
  collisionCount: number;
}

/**
 * createControllerRevision stores a revision, reusing an existing one with equal data, and on a hash collision
 * with different data counts the collision and tries the next name (upstream's realHistory.CreateControllerRevision).
 * The caller persists the returned collision count in its parent's status.
 */
export async function createControllerRevision(
  client: ResourceClient<RevisionObject>,
  o: NewRevisionOptions,
): Promise<CreatedRevision> {
  let collisionCount = o.collisionCount ?? 0;
  for (;;) {
    const candidate = newControllerRevision({ ...o, collisionCount });
    try {
      return { revision: await client.create(candidate), collisionCount };
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      const existing = await client.get(candidate.metadata?.namespace, candidate.metadata?.name ?? '');
      if (deepEqualJson(existing.data ?? null, candidate.data ?? null)) return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
}

/** updateRevisionNumber gives an existing revision a new revision number (upstream's UpdateControllerRevision). */
export async function updateRevisionNumber(
  client: ResourceClient<RevisionObject>,
  revision: RevisionObject,
  newRevision: number,
): Promise<RevisionObject> {
  if (revision.revision === newRevision) return revision;
  return client.patch(revision.metadata?.namespace, revision.metadata?.name ?? '', 'merge', {
    metadata: { resourceVersion: revision.metadata?.resourceVersion },
    revision: newRevision,
  });
}
