import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { systemClock, type Clock } from '../../clock.ts';
import type { Framework } from '../framework/registry.ts';
import type { Nominator } from '../framework/nominator.ts';
import { podStartTime } from '../framework/pod-info.ts';
import { scheduleOne, type PostFilter, type PostFilterArgs, type PostFilterResult } from '../framework/schedule-one.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { errorStatus, fitErrorMessage, newDiagnosis, NodeToStatus, success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { selectVictimsOnNode, type VictimSelection } from './victims.ts';

// DefaultPreemption as a PostFilter (upstream's framework/preemption Evaluator with defaultpreemption's policy): among
// nodes rejected as Unschedulable (not Unresolvable), dry-run victim selection from a random offset until enough
// candidates are found, then pick one node by fewest PDB violations, lowest highest-victim priority, lowest priority
// sum, fewest victims, and latest start of the most important victims.

/** PreemptionOptions are upstream's DefaultPreemptionArgs plus injected PDBs, clock and randomness. */
export interface PreemptionOptions {
  /** pdbs lists PodDisruptionBudgets (a lister); none means no budget is ever violated. */
  readonly pdbs?: () => readonly PodDisruptionBudget[];
  readonly clock?: Clock;
  /** random returns [0, 1) and picks where the dry run starts (default Math.random). */
  readonly random?: () => number;
  readonly minCandidateNodesPercentage?: number;
  readonly minCandidateNodesAbsolute?: number;
}

/** Candidate is a node where evicting the victims makes the pod fit. */
export interface Candidate {
  readonly nodeName: string;
  readonly victims: readonly Pod[];
  readonly numPDBViolations: number;
}

/** errNotHelpful is the status upstream reports for nodes preemption cannot help. */
export const errNotHelpful = 'Preemption is not helpful for scheduling';

/** calculateNumCandidates is how many candidates the dry run looks for: a percentage of the nodes, at least an absolute number, at most all. */
export function calculateNumCandidates(numNodes: number, percentage = 10, absolute = 100): number {
  return Math.min(numNodes, Math.max(Math.trunc((numNodes * percentage) / 100), absolute));
}

function terminatingByPreemption(pod: Pod): boolean {
  if (!pod.metadata?.deletionTimestamp) return false;
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

/** podEligibleToPreemptOthers returns why a pod may not preempt, or undefined when it may. */
export function podEligibleToPreemptOthers(args: PostFilterArgs): string | undefined {
  const { pod, state, nodeToStatus } = args;
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.status?.nominatedNodeName;
  // If the nominated node became hopeless, preempting elsewhere is fine; otherwise wait for earlier victims to go.
  if (nominated && nodeToStatus.get(nominated).code !== 'UnschedulableAndUnresolvable') {
    const ni = state.snapshot.get(nominated);
    if (ni?.pods.some((p) => p.priority < state.podInfo.priority && terminatingByPreemption(p.pod))) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
  }
  return undefined;
}

interface InternalCandidate extends VictimSelection {
  readonly nodeName: string;
}

function earliestStartOfTopVictims(c: InternalCandidate, now: number): number {
  const first = c.victims[0];
  if (!first) return Number.MIN_SAFE_INTEGER;
  let maxPriority = first.priority;
  let earliest = podStartTime(first.pod, now);
  for (const v of c.victims) {
    const t = podStartTime(v.pod, now);
    if (v.priority === maxPriority) earliest = Math.min(earliest, t);
    else if (v.priority > maxPriority) {
      maxPriority = v.priority;
      earliest = t;
    }
  }
  return earliest;
}

/** pickOneNodeForPreemption applies upstream's tie-breaking score functions in order and returns the winning candidate. */
function pickOneNodeForPreemption(candidates: readonly InternalCandidate[], now: number): InternalCandidate | undefined {
  const scoreFuncs: ((c: InternalCandidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -(c.victims[0]?.priority ?? 0),
    // Shifting priorities to be non-negative keeps a few negative-priority victims from beating fewer of them.
    (c) => -c.victims.reduce((sum, v) => sum + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfTopVictims(c, now),
  ];
  let remaining = [...candidates];
  for (const f of scoreFuncs) {
    let best = Number.NEGATIVE_INFINITY;
    let selected: InternalCandidate[] = [];
    for (const c of remaining) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [c];
      } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    remaining = selected;
  }
  return remaining[0];
}

/** preempt runs DefaultPreemption for a pod that fits nowhere. */
export function preempt(args: PostFilterArgs, opts: PreemptionOptions = {}): PostFilterResult {
  return evaluate(args, opts).result;
}

function evaluate(args: PostFilterArgs, opts: PreemptionOptions): { result: PostFilterResult; candidate?: Candidate } {
  const r = (result: PostFilterResult): { result: PostFilterResult } => ({ result });
  const notEligible = podEligibleToPreemptOthers(args);
  if (notEligible !== undefined) return r({ status: unschedulable(`preemption: ${notEligible}`) });
  const { fw, state, pod, nodeToStatus, nominator } = args;
  const now = (opts.clock ?? systemClock).now();
  const allNodes = state.snapshot.list();
  if (allNodes.length === 0) return r({ status: errorStatus('preemption: no nodes available') });
  const potential = allNodes.filter((ni) => nodeToStatus.get(ni.name).code === 'Unschedulable');
  const statuses = new NodeToStatus();
  const nonViolating: InternalCandidate[] = [];
  const violating: InternalCandidate[] = [];
  if (potential.length > 0) {
    const pdbs = opts.pdbs?.() ?? [];
    const offset = Math.floor((opts.random ?? Math.random)() * potential.length);
    const wanted = calculateNumCandidates(potential.length, opts.minCandidateNodesPercentage, opts.minCandidateNodesAbsolute);
    for (let i = 0; i < potential.length; i++) {
      const ni = potential[(offset + i) % potential.length];
      if (!ni) continue;
      const sel = selectVictimsOnNode({ fw, state: state.clone(), pod, nodeInfo: ni.clone(), pdbs, now, ...(nominator ? { nominator } : {}) });
      if (sel.status.code === 'Success' && sel.victims.length > 0) {
        (sel.numPDBViolations === 0 ? nonViolating : violating).push({ ...sel, nodeName: ni.name });
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
        continue;
      }
      const status: Status = sel.status.code === 'Success' ? errorStatus(`expected at least one victim pod on node "${ni.name}"`) : sel.status;
      statuses.set(ni.name, status);
    }
  }
  const candidates = [...nonViolating, ...violating];
  if (candidates.length === 0) {
    statuses.setAbsentNodesStatus(unresolvable(errNotHelpful));
    const diagnosis = { ...newDiagnosis(), nodeToStatus: statuses };
    return r({ status: unschedulable(`preemption: ${fitErrorMessage(allNodes.length, diagnosis)}`) });
  }
  const best = pickOneNodeForPreemption(candidates, now);
  if (!best) return r({ status: unschedulable('preemption: no candidate node for preemption') });
  const victims = best.victims.map((v) => v.pod);
  return {
    result: { status: success(), nominatedNodeName: best.nodeName, victims },
    candidate: { nodeName: best.nodeName, victims, numPDBViolations: best.numPDBViolations },
  };
}

/** newDefaultPreemption returns the preemption PostFilter to pass to scheduleOne. */
export function newDefaultPreemption(opts: PreemptionOptions = {}): PostFilter {
  return (args) => preempt(args, opts);
}

/**
 * findPreemptionCandidate answers "where could this pod go if lower-priority pods were evicted?": null when the pod
 * already fits somewhere, may not preempt, or no eviction would help.
 */
export function findPreemptionCandidate(
  pod: Pod,
  snapshot: Snapshot,
  fw: Framework,
  opts: PreemptionOptions & { readonly nominator?: Nominator } = {},
): Candidate | null {
  let candidate: Candidate | undefined;
  const postFilter: PostFilter = (args) => {
    const e = evaluate(args, opts);
    candidate = e.candidate;
    return e.result;
  };
  const result = scheduleOne(pod, snapshot, fw, { postFilter, ...(opts.nominator ? { nominator: opts.nominator } : {}), ...(opts.random ? { random: opts.random } : {}) });
  return result.kind === 'Unschedulable' && candidate ? candidate : null;
}
