import type { DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, objectKey } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import { newControllerRef, controllerRefOf } from '../podutil/index.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { computeHash, equalIgnoreHash, podTemplateHashLabel } from './hash.ts';
import { calculateStatus, getCondition, hasProgressDeadline, newCondition, reasons, rolloutStatus, setCondition, stuckRequeueMs } from './progress.ts';
import {
  annotatedInt, byRevision, desiredReplicasAnnotation, filterActive, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, isRollingUpdate, isSaturated, maxRevision,
  maxSurge, maxReplicasAnnotation, newRSNewReplicas, replicasOf, revisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas, type DeploymentObject,
} from './replicasets.ts';

/** SyncDeps are what one Deployment sync needs: clients, the ReplicaSet cache, events, time and the queue. */
export interface SyncDeps {
  deployments: ResourceClient<DeploymentObject>;
  replicaSets: ResourceClient<ReplicaSetObject>;
  cachedReplicaSet: (key: string) => ReplicaSetObject | undefined;
  recorder: EventRecorder;
  now: () => number;
  requeueAfter: (key: string, ms: number) => void;
}

/** RolloutState is the Deployment being synced (updated in place as its status is written) and its ReplicaSets. */
export interface RolloutState {
  d: DeploymentObject;
  rsList: ReplicaSetObject[];
}

/** updateDeploymentStatus writes d.status and takes the server's copy back into d. */
export async function updateDeploymentStatus(x: SyncDeps, d: DeploymentObject, status: DeploymentStatus): Promise<void> {
  const updated = await x.deployments.updateStatus({ ...d, status });
  d.status = updated.status;
  d.metadata = updated.metadata;
}

/** getAllReplicaSetsAndSyncRevision finds the new and old ReplicaSets, creating the new one if asked (upstream's function of that name). */
export async function getAllReplicaSetsAndSyncRevision(x: SyncDeps, st: RolloutState, create: boolean): Promise<{ newRS: ReplicaSetObject | undefined; oldRSs: ReplicaSetObject[] }> {
  const oldRSs = findOldReplicaSets(st.d, st.rsList);
  const newRS = await getNewReplicaSet(x, st, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(x: SyncDeps, st: RolloutState, oldRSs: ReplicaSetObject[], create: boolean): Promise<ReplicaSetObject | undefined> {
  const d = st.d;
  const existing = findNewReplicaSet(d, st.rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    let rs = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    const minReadyChanged = (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsChanged || minReadyChanged) {
      if (rs.spec) rs.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      rs = await x.replicaSets.update(rs);
      replaceInList(st, rs);
    }
    let needsUpdate = setDeploymentRevision(d, rs.metadata?.annotations?.[revisionAnnotation] ?? '');
    const status = structuredClone(d.status ?? {});
    if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
      setCondition(status, newCondition('Progressing', 'True', reasons.foundNewRS, `Found new replica set "${rs.metadata?.name ?? ''}"`, x.now()));
      needsUpdate = true;
    }
    if (needsUpdate) {
      // The revision annotation lives in metadata: write it with the spec, then the condition with the status.
      await syncDeploymentRevision(x, d);
      await updateDeploymentStatus(x, d, status);
    }
    return rs;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
  const rs: ReplicaSetObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata?.name ?? ''}-${hash}`, namespace: d.metadata?.namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels: { ...template.metadata.labels } },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
  if (rs.spec) rs.spec.replicas = count;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSetObject;
  let alreadyExists = false;
  try {
    created = await x.replicaSets.create(rs);
  } catch (err) {
    if (isApiError(err, 'AlreadyExists')) {
      const found = x.cachedReplicaSet(objectKey(rs)) ?? (await x.replicaSets.get(rs.metadata?.namespace, rs.metadata?.name ?? ''));
      // The cache lagged behind our own earlier create: that ReplicaSet is the new one.
      if (controllerRefOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
        created = found;
        alreadyExists = true;
      } else {
        // A hash collision with someone else's ReplicaSet: bump collisionCount so the next hash differs.
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await updateDeploymentStatus(x, d, status);
        throw err;
      }
    } else {
      const msg = err instanceof Error ? err.message : String(err);
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition('Progressing', 'False', reasons.failedRSCreate, `Failed to create new replica set "${rs.metadata?.name ?? ''}": ${msg}`, x.now()));
        await updateDeploymentStatus(x, d, status).catch(() => undefined);
      }
      x.recorder.event(d, 'Warning', reasons.failedRSCreate, `Failed to create new replica set "${rs.metadata?.name ?? ''}": ${msg}`);
      throw err;
    }
  }
  if (!alreadyExists) {
    st.rsList.push(created);
    if (count > 0) x.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} from 0 to ${count}`);
  }
  const needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (needsUpdate) await syncDeploymentRevision(x, d);
  if (!alreadyExists && hasProgressDeadline(d)) {
    const status = structuredClone(d.status ?? {});
    setCondition(status, newCondition('Progressing', 'True', reasons.newRSCreated, `Created new replica set "${created.metadata?.name ?? ''}"`, x.now()));
    await updateDeploymentStatus(x, d, status);
  }
  return created;
}

function replaceInList(st: RolloutState, rs: ReplicaSetObject): void {
  const i = st.rsList.findIndex((r) => r.metadata?.uid === rs.metadata?.uid);
  if (i >= 0) st.rsList[i] = rs;
}

function setDeploymentRevision(d: DeploymentObject, revision: string): boolean {
  if (d.metadata?.annotations?.[revisionAnnotation] === revision) return false;
  d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [revisionAnnotation]: revision } };
  return true;
}

async function syncDeploymentRevision(x: SyncDeps, d: DeploymentObject): Promise<void> {
  const rev = d.metadata?.annotations?.[revisionAnnotation] ?? '';
  const updated = await x.deployments.patch(d.metadata?.namespace, d.metadata?.name ?? '', 'merge', { metadata: { annotations: { [revisionAnnotation]: rev } } });
  // The spec moved on meanwhile: this sync's view is stale, so let the next one start over.
  if (updated.metadata?.generation !== d.metadata?.generation) throw new Error(`deployment ${objectKey(d)} changed during sync`);
  d.metadata = updated.metadata;
}

/** scaleReplicaSet sets a ReplicaSet's size and replica annotations, recording ScalingReplicaSet when the size changes. */
export async function scaleReplicaSet(x: SyncDeps, st: RolloutState, rs: ReplicaSetObject, newScale: number, op?: 'up' | 'down'): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
  const d = st.d;
  const from = replicasOf(rs);
  const sizeChanged = from !== newScale;
  const copy = structuredClone(rs);
  const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
  if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
  copy.spec = { ...copy.spec, replicas: newScale, selector: copy.spec?.selector ?? {} };
  const updated = await x.replicaSets.update(copy);
  replaceInList(st, updated);
  if (sizeChanged) {
    const dir = op ?? (from < newScale ? 'up' : 'down');
    x.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${updated.metadata?.name ?? ''} from ${from} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: updated };
}

/** scaleReplicaSetAndRecordEvent scales only when the size differs (upstream's function of that name). */
export async function scaleReplicaSetAndRecordEvent(x: SyncDeps, st: RolloutState, rs: ReplicaSetObject, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(x, st, rs, newScale);
}

/** scale resizes ReplicaSets when the Deployment's replicas changed, proportionally across them mid-rollout (upstream's scale). */
export async function scale(x: SyncDeps, st: RolloutState, newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): Promise<void> {
  const d = st.d;
  const want = replicasOf(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (replicasOf(only) !== want) await scaleReplicaSetAndRecordEvent(x, st, only, want);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(x, st, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = filterActive([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  if (toAdd > 0) all.sort((a, b) => replicasOf(b) - replicasOf(a) || byNewer(a, b));
  else if (toAdd < 0) all.sort((a, b) => replicasOf(b) - replicasOf(a) || byNewer(b, a));
  const sizes = new Map<ReplicaSetObject, number>();
  let added = 0;
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(d, rs, toAdd, added) : 0;
    sizes.set(rs, replicasOf(rs) + p);
    added += p;
  }
  const first = all[0];
  if (first && toAdd !== 0 && added !== toAdd) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const rs of all) {
    await scaleReplicaSet(x, st, rs, sizes.get(rs) ?? replicasOf(rs), toAdd > 0 ? 'up' : 'down');
  }
}

function byNewer(a: ReplicaSetObject, b: ReplicaSetObject): number {
  return Date.parse(b.metadata?.creationTimestamp ?? '') - Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
}

// proportion is upstream's GetProportion: the share of toAdd this ReplicaSet takes, by its size before the resize.
function proportion(d: DeploymentObject, rs: ReplicaSetObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = annotatedInt(rs, maxReplicasAnnotation) ?? d.status?.replicas ?? 0;
    fraction = annotated > 0 ? Math.round((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** isScalingEvent tells whether replicas changed without a template change: some active ReplicaSet's desired-replicas differs. */
export async function isScalingEvent(x: SyncDeps, st: RolloutState): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, false);
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = annotatedInt(rs, desiredReplicasAnnotation);
    if (desired !== undefined && desired !== replicasOf(st.d)) return true;
  }
  return false;
}

/** cleanupDeployment deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(x: SyncDeps, st: RolloutState, oldRSs: ReplicaSetObject[]): Promise<void> {
  const limit = st.d.spec?.revisionHistoryLimit;
  if (limit === undefined) return;
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  const victims = [...alive].sort(byRevision).slice(0, diff);
  for (const rs of victims) {
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await x.replicaSets.delete(rs.metadata?.namespace, rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}

/** syncDeploymentStatus writes the status computed from the ReplicaSets if it changed. */
export async function syncDeploymentStatus(x: SyncDeps, st: RolloutState, newRS: ReplicaSetObject | undefined, allRSs: (ReplicaSetObject | undefined)[]): Promise<void> {
  const status = calculateStatus(allRSs, newRS, st.d, x.now());
  if (deepEqualJson(st.d.status ?? {}, status)) return;
  await updateDeploymentStatus(x, st.d, status);
}

/** syncRolloutStatus writes the status with Progressing after a rollout step, or schedules the deadline check. */
export async function syncRolloutStatus(x: SyncDeps, st: RolloutState, newRS: ReplicaSetObject | undefined, allRSs: (ReplicaSetObject | undefined)[]): Promise<void> {
  const status = rolloutStatus(allRSs, newRS, st.d, x.now());
  if (deepEqualJson(st.d.status ?? {}, status)) {
    const after = stuckRequeueMs(st.d, status, x.now());
    if (after !== undefined) x.requeueAfter(objectKey(st.d), after);
    return;
  }
  await updateDeploymentStatus(x, st.d, status);
}

/** syncScaleOrPaused handles a scaling event or a paused Deployment: resize, clean up when paused, write status (upstream's sync). */
export async function syncScaleOrPaused(x: SyncDeps, st: RolloutState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, false);
  await scale(x, st, newRS, oldRSs);
  const fresh = (rs: ReplicaSetObject | undefined): ReplicaSetObject | undefined => (rs ? (st.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs) : undefined);
  const olds = oldRSs.map((rs) => fresh(rs) ?? rs);
  if (st.d.spec?.paused) await cleanupDeployment(x, st, olds);
  await syncDeploymentStatus(x, st, fresh(newRS), [...olds, fresh(newRS)]);
}

/** checkPausedConditions records DeploymentPaused/DeploymentResumed in Progressing when spec.paused flips. */
export async function checkPausedConditions(x: SyncDeps, d: DeploymentObject): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === reasons.timedOut) return;
  const pausedCond = cond?.reason === reasons.paused;
  const status = structuredClone(d.status ?? {});
  if (d.spec?.paused && !pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', x.now()));
  } else if (!d.spec?.paused && pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', x.now()));
  } else {
    return;
  }
  await updateDeploymentStatus(x, d, status);
}

