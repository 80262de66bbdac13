import type { PodObject } from '../podutil/index.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { deploymentComplete } from './progress.ts';
import { filterActive, replicasOf, statusReplicas } from './replicasets.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, syncRolloutStatus, type RolloutState, type SyncDeps } from './sync.ts';

/** rolloutRecreate scales every old ReplicaSet to zero, waits for their pods to stop, then scales up the new one. */
export async function rolloutRecreate(x: SyncDeps, st: RolloutState, podsByRS: Map<string, PodObject[]>): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(x, st, rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podsByRS)) {
    await syncRolloutStatus(x, st, newRS, [...oldRSs, newRS]);
    return;
  }
  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, true));
  if (!newRS) throw new Error('recreate found no new ReplicaSet');
  const up = await scaleReplicaSetAndRecordEvent(x, st, newRS, replicasOf(st.d));
  if (deploymentComplete(st.d, st.d.status ?? {})) await cleanupDeployment(x, st, oldRSs);
  await syncRolloutStatus(x, st, up.rs, [...oldRSs, up.rs]);
}

// oldPodsRunning is upstream's check that no pod of an old ReplicaSet may still be running.
function oldPodsRunning(newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[], podsByRS: Map<string, PodObject[]>): boolean {
  if (statusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
