import type { ReplicaSetObject } from '../replicaset/status.ts';
import { deploymentComplete } from './progress.ts';
import { availableReplicas, byCreationTimestamp, filterActive, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas } from './replicasets.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, syncRolloutStatus, type RolloutState, type SyncDeps } from './sync.ts';

/** rolloutRolling moves one step of a RollingUpdate: grow the new ReplicaSet within maxSurge, shrink old ones within maxUnavailable. */
export async function rolloutRolling(x: SyncDeps, st: RolloutState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, true);
  if (!newRS) throw new Error('rolling update found no new ReplicaSet');
  const all = [...oldRSs, newRS];
  const up = await reconcileNewReplicaSet(x, st, all, newRS);
  if (up.scaled) {
    await syncRolloutStatus(x, st, up.rs, [...oldRSs, up.rs]);
    return;
  }
  const { scaled, oldRSs: olds } = await reconcileOldReplicaSets(x, st, all, filterActive(oldRSs), newRS);
  const rest = oldRSs.map((o) => olds.find((r) => r.metadata?.uid === o.metadata?.uid) ?? o);
  if (scaled) {
    await syncRolloutStatus(x, st, newRS, [...rest, newRS]);
    return;
  }
  if (deploymentComplete(st.d, st.d.status ?? {})) await cleanupDeployment(x, st, rest);
  await syncRolloutStatus(x, st, newRS, [...rest, newRS]);
}

async function reconcileNewReplicaSet(x: SyncDeps, st: RolloutState, all: ReplicaSetObject[], newRS: ReplicaSetObject): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
  const want = replicasOf(st.d);
  if (replicasOf(newRS) === want) return { scaled: false, rs: newRS };
  if (replicasOf(newRS) > want) return scaleReplicaSetAndRecordEvent(x, st, newRS, want);
  return scaleReplicaSetAndRecordEvent(x, st, newRS, newRSNewReplicas(st.d, all, newRS));
}

/** reconcileOldReplicaSets scales old ReplicaSets down as far as maxUnavailable allows, unhealthy ones first. */
async function reconcileOldReplicaSets(x: SyncDeps, st: RolloutState, all: ReplicaSetObject[], oldRSs: ReplicaSetObject[], newRS: ReplicaSetObject): Promise<{ scaled: boolean; oldRSs: ReplicaSetObject[] }> {
  if (specReplicas(oldRSs) === 0) return { scaled: false, oldRSs };
  const minAvailable = replicasOf(st.d) - maxUnavailable(st.d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { scaled: false, oldRSs };

  // Unhealthy old pods go first: removing them costs no availability.
  let olds = [...oldRSs].sort(byCreationTimestamp);
  let cleaned = 0;
  for (let i = 0; i < olds.length && cleaned < maxScaledDown; i++) {
    const rs = olds[i];
    if (!rs || replicasOf(rs) === 0) continue;
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    const res = await scaleReplicaSetAndRecordEvent(x, st, rs, replicasOf(rs) - n);
    olds[i] = res.rs;
    cleaned += n;
  }

  // Then healthy ones, oldest first, while enough pods stay available.
  const available = availableReplicas([...olds, newRS]);
  let scaledDown = 0;
  if (available > minAvailable) {
    const total = available - minAvailable;
    olds = [...olds].sort(byCreationTimestamp);
    for (let i = 0; i < olds.length && scaledDown < total; i++) {
      const rs = olds[i];
      if (!rs || replicasOf(rs) === 0) continue;
      const n = Math.min(replicasOf(rs), total - scaledDown);
      const res = await scaleReplicaSetAndRecordEvent(x, st, rs, replicasOf(rs) - n);
      olds[i] = res.rs;
      scaledDown += n;
    }
  }
  return { scaled: cleaned + scaledDown > 0, oldRSs: olds };
}
