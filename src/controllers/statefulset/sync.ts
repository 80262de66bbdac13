import type { ResourceClient } from '../../client/index.ts';
import type { RevisionObject } from '../history/index.ts';
import { sortRevisions } from '../history/index.ts';
import type { PodObject } from '../podutil/index.ts';
import {
  identityMatches, inOrdinalRange, isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating, isUnavailable, newVersionedPod, ordinalOf,
  startOrdinal, storageMatches, type StatefulSetObject,
} from './identity.ts';
import { applyRevision, setRevisions, truncateHistory } from './revisions.ts';
import { rollingUpdate, type RollingDeps } from './rolling.ts';
import { completeRollingUpdate, countReplicas, inconsistentStatus, writeStatus, type MutableStatus } from './status.ts';

// One pass of upstream's defaultStatefulSetControl.UpdateStatefulSet: revisions, then pods in ordinal order
// (OrderedReady stops at the first pod that is missing, unhealthy or terminating; Parallel does all at once),
// then scale-down from the highest ordinal, then the update strategy, then status and history.

/** SyncDeps are what a StatefulSet sync works through. */
export interface SyncDeps extends RollingDeps {
  sets: ResourceClient<StatefulSetObject>;
  revisions: ResourceClient<RevisionObject>;
}

/** syncStatefulSet brings the set's pods one step toward its spec and writes its status; returns the status written or computed. */
export async function syncStatefulSet(d: SyncDeps, cached: StatefulSetObject, pods: PodObject[], revisions: RevisionObject[]): Promise<MutableStatus> {
  const set = structuredClone(cached);
  const sorted = sortRevisions(revisions) as RevisionObject[];
  let revs: Awaited<ReturnType<typeof setRevisions>> | undefined;
  try {
    revs = await setRevisions(d.revisions, set, sorted);
    const { status, error } = await updateStatefulSet(d, set, revs.current, revs.update, revs.collisionCount, pods);
    completeRollingUpdate(set, status);
    if (inconsistentStatus(set, status)) await writeStatus(d.sets, set, status);
    if (error !== undefined) throw error;
    return status;
  } finally {
    await truncateHistory(d.revisions, set, pods, sorted, [revs?.current, revs?.update]);
  }
}

type Step = (i: number) => Promise<boolean>;

// runForAll runs step over the pods: in order, stopping when a step says so (monotonic), or all at once in
// growing batches (Parallel, whose steps' answers do not matter). It returns whether to stop this pass.
async function runForAll(count: number, step: Step, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await step(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(1, count); batch > 0; batch = Math.min(2 * batch, count - next, 500)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => step(next + k)));
    next += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}

interface UpdateResult {
  status: MutableStatus;
  error?: unknown;
}

async function updateStatefulSet(d: SyncDeps, set: StatefulSetObject, current: RevisionObject, update: RevisionObject, collisionCount: number, pods: PodObject[]): Promise<UpdateResult> {
  const currentSet = applyRevision(set, current);
  const updateSet = applyRevision(set, update);
  const currentName = current.metadata?.name ?? '';
  const updateName = update.metadata?.name ?? '';
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: MutableStatus = { observedGeneration: set.metadata?.generation ?? 0, currentRevision: currentName, updateRevision: updateName, collisionCount, replicas: 0 };
  countReplicas(status, minReady, d.clock.now(), currentName, updateName, pods);

  const start = startOrdinal(set);
  const count = set.spec?.replicas ?? 1;
  const found: (PodObject | undefined)[] = new Array<PodObject | undefined>(count).fill(undefined);
  const condemned: PodObject[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) found[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  const replicas = found.map((p, i) => p ?? newVersionedPod(currentSet, updateSet, currentName, updateName, start + i));
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  // The first unavailable pod, lowest ordinal first among replicas, then among the condemned.
  const now = d.clock.now();
  const firstUnavailable = replicas.find((p) => isUnavailable(p, minReady, now)) ?? [...condemned].reverse().find((p) => isUnavailable(p, minReady, now));

  if (set.metadata?.deletionTimestamp) return { status };
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const recount = () => countReplicas(status, minReady, d.clock.now(), currentName, updateName, [...replicas, ...condemned]);
  const pc = d.podControl;

  const processReplica: Step = async (i) => {
    const pod = replicas[i] as PodObject;
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      // The replacement is made on a later pass, once this pod is gone.
      if (!isTerminating(pod)) await pc.deletePod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      // A claim left by an earlier pod under whenScaled=Delete must be garbage-collected before the pod returns.
      if (pc.claimIsStale(set, pod)) return true;
      await pc.createPod(set, pod);
      // Parallel: this new pod needs nothing more this pass (its claims were set up with it).
      return monotonic;
    }
    if (phase === 'Pending') {
      await pc.createClaims(set, pod);
      await pc.updateClaimsForRetention(set, pod);
    }
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, d.clock.now()))) return true;
    const retentionMatch = await pc.claimsMatchRetention(updateSet, pod).catch(() => true);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
    await pc.updatePod(updateSet, pod);
    return false;
  };

  const fixClaims: Step = async (i) => {
    const pod = condemned[i] as PodObject;
    if (!(await pc.claimsMatchRetention(updateSet, pod))) await pc.updateClaimsForRetention(updateSet, pod);
    return false;
  };

  // Scale-down goes from the highest ordinal, one at a time when ordered, and only past healthy predecessors.
  const processCondemned: Step = async (i) => {
    const pod = condemned[i] as PodObject;
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, d.clock.now()))) return true;
    await pc.deletePod(set, pod);
    return true;
  };

  try {
    const stop = (await runForAll(replicas.length, processReplica, monotonic)) ||
      (await runForAll(condemned.length, fixClaims, monotonic)) ||
      (await runForAll(condemned.length, processCondemned, monotonic));
    recount();
    // OnDelete: pods change revision only when someone deletes them.
    if (stop || set.spec?.updateStrategy?.type === 'OnDelete') return { status };
    // The rolling step lowers currentReplicas itself for the pod it deletes.
    await rollingUpdate(d, set, replicas, updateName, status);
    return { status };
  } catch (error) {
    recount();
    return { status, error };
  }
}
