import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { goList } from './format.ts';

/** kubeletConditions are the pod conditions the kubelet owns; others (PodScheduled, readiness gates) are left alone. */
export const kubeletConditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

/** ConditionInputs are what the kubelet's pod conditions follow from (upstream status/generate.go). */
export interface ConditionInputs {
  phase: string;
  /** sandboxReady: the sandbox runs with its network (PodReadyToStartContainers). */
  sandboxReady: boolean;
  /** incompleteInit names init containers that have not completed (sidecars: not started). */
  incompleteInit: string[];
  /** statuses are the statuses that count for readiness: app containers and sidecars. */
  statuses: ContainerStatus[];
}

type Cond = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

/** podConditions computes the four kubelet conditions with upstream's reasons and messages. */
export function podConditions(pod: Pod, i: ConditionInputs): Cond[] {
  const initialized: Omit<Cond, 'type'> =
    i.phase === 'Succeeded'
      ? { status: 'True', reason: 'PodCompleted' }
      : i.incompleteInit.length === 0
        ? { status: 'True' }
        : { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(i.incompleteInit)}` };
  let containersReady: Omit<Cond, 'type'>;
  if (i.phase === 'Succeeded') containersReady = { status: 'False', reason: 'PodCompleted' };
  else if (i.phase === 'Failed') containersReady = { status: 'False', reason: 'PodFailed' };
  else {
    const unready = i.statuses.filter((s) => !s.ready).map((s) => s.name);
    containersReady = unready.length > 0 ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` } : { status: 'True' };
  }
  let ready = containersReady;
  if (containersReady.status === 'True') {
    // Readiness gates: conditions set by others (load balancers, for example) must be True as well.
    const conds = pod.status?.conditions ?? [];
    const waiting: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = conds.find((x) => x.type === g.conditionType);
      if (!c) waiting.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') waiting.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (waiting.length > 0) ready = { status: 'False', reason: 'ReadinessGatesNotReady', message: waiting.join(', ') };
  }
  return [
    { type: 'PodReadyToStartContainers', status: i.sandboxReady ? 'True' : 'False' },
    { type: 'Initialized', ...initialized },
    { type: 'Ready', ...ready },
    { type: 'ContainersReady', ...containersReady },
  ];
}

/** withTransitionTimes keeps a condition's lastTransitionTime while its status does not change. */
export function withTransitionTimes(conds: Cond[], prev: PodCondition[] | undefined, now: string): PodCondition[] {
  const prevTimes = new Map((prev ?? []).map((c) => [`${c.type}/${c.status}`, c.lastTransitionTime]));
  // lastProbeTime is left out: Go's zero time, which prints as null, would read as a deletion in a patch.
  return conds.map((c) => ({ ...c, lastTransitionTime: prevTimes.get(`${c.type}/${c.status}`) ?? now }));
}
