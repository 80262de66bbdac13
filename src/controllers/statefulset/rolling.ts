import type { Clock } from '../../clock.ts';
import { scaledValue } from '../deployment/replicasets.ts';
import type { PodObject } from '../podutil/index.ts';
import { isTerminating, isUnavailable, podRevision, type StatefulSetObject } from './identity.ts';
import type { StatefulPodControl } from './pod-control.ts';
import type { MutableStatus } from './status.ts';

// RollingUpdate replaces pods not at the update revision from the highest ordinal down to the partition. Without
// maxUnavailable it is upstream's classic one-at-a-time walk; with it, upstream's MaxUnavailableStatefulSet path
// deletes up to maxUnavailable pods at once.

/** RollingDeps are what a rolling update step needs. */
export interface RollingDeps {
  podControl: StatefulPodControl;
  clock: Clock;
}

/** rollingUpdate deletes the next pods to replace; replicas are the wanted pods in ordinal order (placeholders included). */
export async function rollingUpdate(d: RollingDeps, set: StatefulSetObject, replicas: PodObject[], updateRevision: string, status: MutableStatus): Promise<void> {
  const ru = set.spec?.updateStrategy?.rollingUpdate;
  if (ru?.maxUnavailable !== undefined) {
    await rollingUpdateMaxUnavailable(d, set, replicas, updateRevision, status);
    return;
  }
  const minReady = set.spec?.minReadySeconds ?? 0;
  const updateMin = ru?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (!pod) continue;
    if (podRevision(pod) !== updateRevision && !isTerminating(pod)) {
      await d.podControl.deletePod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return;
    }
    // The pod just replaced must be available before the next one goes.
    if (isUnavailable(pod, minReady, d.clock.now())) return;
  }
}

async function rollingUpdateMaxUnavailable(d: RollingDeps, set: StatefulSetObject, replicas: PodObject[], updateRevision: string, status: MutableStatus): Promise<void> {
  const ru = set.spec?.updateStrategy?.rollingUpdate;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const updateMin = ru?.partition ?? 0;
  // A small percentage rounds down to 0; at least one pod may always be replaced.
  const maxUnavailable = Math.max(1, scaledValue(ru?.maxUnavailable ?? 1, replicas.length, false));
  const now = d.clock.now();
  const unavailable = replicas.filter((p) => isUnavailable(p, minReady, now)).length;
  if (unavailable > maxUnavailable) return;
  const budget = maxUnavailable - unavailable;
  let deleted = 0;
  for (let target = replicas.length - 1; target >= updateMin && deleted < budget; target--) {
    const pod = replicas[target];
    if (!pod || podRevision(pod) === updateRevision || isTerminating(pod)) continue;
    await d.podControl.deletePod(set, pod);
    deleted++;
    status.currentReplicas = (status.currentReplicas ?? 0) - 1;
  }
}
