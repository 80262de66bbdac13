import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fromLabelSelector, type LabelSelector } from '../../api/selectors/index.ts';
import type { CycleState } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { Nominator } from '../framework/nominator.ts';
import { podStartTime, type PodInfo } from '../framework/pod-info.ts';
import type { Framework } from '../framework/registry.ts';
import { activeFilterPlugins, runFilterPluginsWithNominatedPods, runPreFilterExtensionAddPod, runPreFilterExtensionRemovePod } from '../framework/runtime.ts';
import { isSuccess, success, unresolvable, type Status } from '../framework/status.ts';

// Choosing victims on one node (upstream's DefaultPreemption.SelectVictimsOnNode): remove every lower-priority pod,
// check the preemptor fits, then put pods back, most important first and PDB-protected ones before the others, as
// long as it still fits. Whatever could not be put back is the minimal victim set.

/** errNoVictims is upstream's status for a node without lower-priority pods. */
export const errNoVictims = 'No preemption victims found for incoming pod';

/** moreImportantPod orders pods by priority, then by earlier start time (upstream's util.MoreImportantPod). */
export function moreImportantPod(a: PodInfo, b: PodInfo, now: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return podStartTime(a.pod, now) < podStartTime(b.pod, now);
}

function byImportance(now: number): (a: PodInfo, b: PodInfo) => number {
  return (a, b) => (moreImportantPod(a, b, now) ? -1 : moreImportantPod(b, a, now) ? 1 : 0);
}

function pdbSelector(pdb: PodDisruptionBudget): LabelSelector | undefined {
  try {
    const s = fromLabelSelector(pdb.spec?.selector);
    // A PDB with a nil or empty selector matches nothing.
    return s.isEverything() || s.isNothing() ? undefined : s;
  } catch {
    return undefined;
  }
}

/**
 * filterPodsWithPDBViolation splits pods (kept in order) into those whose eviction would exceed a matching PDB's
 * disruptionsAllowed, counting earlier pods in the list against the budget, and the rest.
 */
export function filterPodsWithPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map(pdbSelector);
  const violating: PodInfo[] = [];
  const ok: PodInfo[] = [];
  for (const pi of pods) {
    let violated = false;
    if (Object.keys(pi.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i];
        if (!sel || (pdb.metadata?.namespace ?? 'default') !== pi.namespace || !sel.matches(pi.labels)) return;
        // A pod the disruption controller already counted must not be charged twice.
        if (pdb.status?.disruptedPods?.[pi.pod.metadata?.name ?? ''] !== undefined) return;
        allowed[i] = (allowed[i] ?? 0) - 1;
        if ((allowed[i] ?? 0) < 0) violated = true;
      });
    }
    (violated ? violating : ok).push(pi);
  }
  return [violating, ok];
}

/** VictimSelection is the outcome for one node: victims most important first, how many violate a PDB, and a status. */
export interface VictimSelection {
  readonly status: Status;
  readonly victims: readonly PodInfo[];
  readonly numPDBViolations: number;
}

/** SelectVictimsArgs are a copied state and node (they are modified), plus what the filters and ordering need. */
export interface SelectVictimsArgs {
  readonly fw: Framework;
  readonly state: CycleState;
  readonly pod: Pod;
  readonly nodeInfo: NodeInfo;
  readonly pdbs: readonly PodDisruptionBudget[];
  readonly now: number;
  readonly nominator?: Nominator;
}

/** selectVictimsOnNode finds the minimal set of lower-priority pods to evict from a node so the pod fits. */
export function selectVictimsOnNode(args: SelectVictimsArgs): VictimSelection {
  const { fw, state, pod, nodeInfo, pdbs, now, nominator } = args;
  const me = state.podInfo;
  const potential = nodeInfo.pods.filter((p) => p.priority < me.priority);
  if (potential.length === 0) return { status: unresolvable(errNoVictims), victims: [], numPDBViolations: 0 };
  const remove = (pi: PodInfo): Status => {
    nodeInfo.removePod(pi.key);
    return runPreFilterExtensionRemovePod(fw, state, pod, pi, nodeInfo);
  };
  const add = (pi: PodInfo): Status => {
    nodeInfo.addPod(pi);
    return runPreFilterExtensionAddPod(fw, state, pod, pi, nodeInfo);
  };
  for (const pi of potential) {
    const s = remove(pi);
    if (!isSuccess(s)) return { status: s, victims: [], numPDBViolations: 0 };
  }
  const plugins = activeFilterPlugins(fw, state);
  const fits = (): Status => runFilterPluginsWithNominatedPods(fw, plugins, state, pod, nodeInfo, nominator);
  // Affinity to a lower-priority pod is not considered: upstream decided such setups are not worth the cost.
  const first = fits();
  if (!isSuccess(first)) return { status: first, victims: [], numPDBViolations: 0 };

  potential.sort(byImportance(now));
  const [violating, nonViolating] = filterPodsWithPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (pi: PodInfo): boolean | Status => {
    const a = add(pi);
    if (!isSuccess(a)) return a;
    if (isSuccess(fits())) return true;
    const r = remove(pi);
    if (!isSuccess(r)) return r;
    victims.push(pi);
    return false;
  };
  let numPDBViolations = 0;
  for (const pi of violating) {
    const r = reprieve(pi);
    if (typeof r !== 'boolean') return { status: r, victims: [], numPDBViolations: 0 };
    if (!r) numPDBViolations++;
  }
  for (const pi of nonViolating) {
    const r = reprieve(pi);
    if (typeof r !== 'boolean') return { status: r, victims: [], numPDBViolations: 0 };
  }
  if (violating.length > 0 && nonViolating.length > 0) victims.sort(byImportance(now));
  return { status: success(), victims, numPDBViolations };
}
