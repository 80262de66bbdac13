import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { isPlainObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import {
  createControllerRevision, findEqualRevisions, equalRevision, nextRevision, sortRevisions, updateRevisionNumber, type RevisionObject,
} from '../history/index.ts';
import { newControllerRef, type PodObject } from '../podutil/index.ts';
import { podRevision, type StatefulSetObject } from './identity.ts';

// A StatefulSet's ControllerRevisions hold, as upstream's, a strategic merge patch that restores the pod template:
// {"spec":{"template":{...,"$patch":"replace"}}}. kubectl rollout undo sends exactly that data back as a patch.

/** revisionData is the patch a revision stores for the set's current template. */
export function revisionData(set: StatefulSetObject): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** applyRevision returns a copy of the set with the revision's template restored (upstream's ApplyRevision). */
export function applyRevision(set: StatefulSetObject, revision: RevisionObject): StatefulSetObject {
  const clone = structuredClone(set);
  const data: unknown = revision.data;
  const spec = isPlainObject(data) ? data.spec : undefined;
  const template = isPlainObject(spec) ? spec.template : undefined;
  if (isPlainObject(template)) {
    const { $patch: _directive, ...restored } = template;
    clone.spec = { ...(clone.spec ?? { selector: {}, serviceName: '', template: {} }), template: structuredClone(restored) as PodTemplateSpec };
  }
  return clone;
}

/** SetRevisions are the revisions a sync works with. */
export interface SetRevisions {
  current: RevisionObject;
  update: RevisionObject;
  collisionCount: number;
}

/**
 * setRevisions finds or makes the update revision for the set's template (reusing, and renumbering to the newest,
 * an equal older revision as a rollback does), and the current revision named by status (upstream's
 * getStatefulSetRevisions). revisions must be sorted oldest first.
 */
export async function setRevisions(client: ResourceClient<RevisionObject>, set: StatefulSetObject, revisions: RevisionObject[]): Promise<SetRevisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidateOpts = {
    parent: set,
    ownerRef: newControllerRef(set, 'apps/v1', 'StatefulSet'),
    templateLabels: set.spec?.template?.metadata?.labels,
    data: revisionData(set),
    revision: nextRevision(revisions),
    annotations: set.metadata?.annotations,
  };
  const candidate: RevisionObject = { data: candidateOpts.data as RevisionObject['data'], revision: candidateOpts.revision };
  const equal = findEqualRevisions(revisions, candidate) as RevisionObject[];
  const latest = revisions[revisions.length - 1];
  const lastEqual = equal[equal.length - 1];
  let update: RevisionObject;
  if (lastEqual && equalRevision(latest, lastEqual)) {
    update = latest as RevisionObject;
  } else if (lastEqual) {
    update = await updateRevisionNumber(client, lastEqual, candidateOpts.revision);
  } else {
    const created = await createControllerRevision(client, { ...candidateOpts, collisionCount });
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/**
 * truncateHistory deletes the oldest revisions beyond revisionHistoryLimit, never one in use: the current and
 * update revisions and any revision a pod still runs.
 */
export async function truncateHistory(
  client: ResourceClient<RevisionObject>,
  set: StatefulSetObject,
  pods: PodObject[],
  revisions: RevisionObject[],
  inUse: (RevisionObject | undefined)[],
): Promise<void> {
  const live = new Set<string>(pods.map(podRevision));
  for (const r of inUse) if (r?.metadata?.name) live.add(r.metadata.name);
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata?.name ?? '')) as RevisionObject[];
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return;
  for (const r of history.slice(0, history.length - limit)) {
    try {
      await client.delete(r.metadata?.namespace, r.metadata?.name ?? '', { preconditions: { uid: r.metadata?.uid ?? '' } });
    } catch (err) {
      // Someone else removed it first; that is what we wanted.
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}
