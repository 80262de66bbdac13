import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from './interface.ts';
import type { NodeInfo } from './node-info.ts';
import type { Nominator } from './nominator.ts';
import { newPodInfo } from './pod-info.ts';
import type { Framework } from './registry.ts';
import {
  activeFilterPlugins,
  runFilterPlugins,
  runFilterPluginsWithNominatedPods,
  runPreFilterPlugins,
  runPreScorePlugins,
  runScorePlugins,
  type NodePluginScores,
} from './runtime.ts';
import type { Snapshot } from './snapshot.ts';
import { fitErrorMessage, isRejected, newDiagnosis, statusMessage, statusPlugin, unresolvable, type Diagnosis, type NodeToStatus, type Status } from './status.ts';

// One scheduling cycle for one pod, as upstream's schedulePod: PreFilter, Filter over a sample of the nodes starting
// where the last cycle stopped, PostFilter (preemption) when nothing fits, then PreScore, Score and host selection.

/** minFeasibleNodesToFind is the fewest feasible nodes a cycle looks for before it stops filtering (upstream: 100). */
export const minFeasibleNodesToFind = 100;
/** minFeasibleNodesPercentageToFind is the floor of the adaptive percentage (upstream: 5). */
export const minFeasibleNodesPercentageToFind = 5;

/**
 * numFeasibleNodesToFind returns how many feasible nodes are enough: all of them below 100 nodes, otherwise the given
 * percentage or, when 0, upstream's adaptive 50% - nodes/125 (10% at 5,000 nodes, never below 5%), and at least 100.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct === 0) pct = Math.max(minFeasibleNodesPercentageToFind, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

/** PostFilterArgs is what a PostFilter (preemption) sees after every node was rejected. */
export interface PostFilterArgs {
  readonly fw: Framework;
  readonly state: CycleState;
  readonly pod: Pod;
  readonly nodeToStatus: NodeToStatus;
  readonly nominator?: Nominator;
}

/** PostFilterResult is a PostFilter's status and, on success, the node to nominate and the pods to evict for it. */
export interface PostFilterResult {
  readonly status: Status;
  readonly nominatedNodeName?: string;
  readonly victims?: readonly Pod[];
}

/** PostFilter runs when no node fits (upstream's DefaultPreemption is the one PostFilter). */
export type PostFilter = (args: PostFilterArgs) => PostFilterResult;

/** ScheduleOptions are per-call inputs: nominated pods, the PostFilter and the tie-breaking random source. */
export interface ScheduleOptions {
  readonly nominator?: Nominator;
  readonly postFilter?: PostFilter;
  /** random returns [0, 1); ties between equally scored nodes are broken with it (default Math.random). */
  readonly random?: () => number;
}

/** ScheduleResult is the node chosen with its scores, an Unschedulable verdict with upstream's message, or an Error. */
export type ScheduleResult =
  | { readonly kind: 'Scheduled'; readonly node: string; readonly scores: readonly NodePluginScores[]; readonly evaluatedNodes: number; readonly feasibleNodes: number }
  | {
      readonly kind: 'Unschedulable';
      readonly message: string;
      readonly diagnosis: Diagnosis;
      readonly nominatedNodeName?: string;
      readonly victims?: readonly Pod[];
    }
  | { readonly kind: 'Error'; readonly message: string };

/** noNodesAvailable is upstream's ErrNoNodesAvailable message. */
export const noNodesAvailable = 'no nodes available to schedule pods';

/** scheduleOne runs one scheduling cycle for a pod against the snapshot; it never throws. */
export function scheduleOne(pod: Pod, snapshot: Snapshot, fw: Framework, opts: ScheduleOptions = {}): ScheduleResult {
  try {
    return schedulePod(pod, snapshot, fw, opts);
  } catch (err) {
    return { kind: 'Error', message: err instanceof Error ? err.message : String(err) };
  }
}

function schedulePod(pod: Pod, snapshot: Snapshot, fw: Framework, opts: ScheduleOptions): ScheduleResult {
  const numAllNodes = snapshot.numNodes;
  if (numAllNodes === 0) return { kind: 'Error', message: noNodesAvailable };
  const state = new CycleState(snapshot, newPodInfo(pod));
  const diagnosis = newDiagnosis();
  const found = findNodesThatFitPod(fw, state, pod, diagnosis, opts.nominator);
  if (typeof found === 'string') return { kind: 'Error', message: found };

  if (found.length === 0) {
    let nominated: { nominatedNodeName?: string; victims?: readonly Pod[] } = {};
    if (opts.postFilter) {
      const args: PostFilterArgs = { fw, state, pod, nodeToStatus: diagnosis.nodeToStatus, ...(opts.nominator ? { nominator: opts.nominator } : {}) };
      const r = opts.postFilter(args);
      diagnosis.postFilterMsg = statusMessage(r.status);
      if (r.status.code === 'Success' && r.nominatedNodeName !== undefined) nominated = { nominatedNodeName: r.nominatedNodeName, victims: r.victims ?? [] };
    }
    return { kind: 'Unschedulable', message: fitErrorMessage(numAllNodes, diagnosis), diagnosis, ...nominated };
  }

  const evaluatedNodes = found.length + diagnosis.nodeToStatus.size;
  const only = found[0];
  if (found.length === 1 && only) return { kind: 'Scheduled', node: only.name, scores: [], evaluatedNodes, feasibleNodes: 1 };

  const pre = runPreScorePlugins(fw, state, pod, found);
  if (pre.code !== 'Success') return { kind: 'Error', message: statusMessage(pre) };
  const scores = fw.scorePlugins.length === 0 ? found.map((n) => ({ name: n.name, totalScore: 1, scores: [] })) : runScorePlugins(fw, state, pod, found);
  if (!Array.isArray(scores)) return { kind: 'Error', message: statusMessage(scores) };
  return { kind: 'Scheduled', node: selectHost(scores, opts.random ?? Math.random), scores, evaluatedNodes, feasibleNodes: found.length };
}

/** selectHost picks the highest total score, breaking ties uniformly at random (reservoir sampling, as upstream did). */
export function selectHost(scores: readonly NodePluginScores[], random: () => number): string {
  let best = scores[0];
  if (!best) throw new Error('empty priority list');
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i] as NodePluginScores;
    if (s.totalScore > best.totalScore) {
      best = s;
      ties = 1;
    } else if (s.totalScore === best.totalScore) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = s;
    }
  }
  return best.name;
}

// findNodesThatFitPod returns the feasible nodes, or an error message; rejections are recorded in the diagnosis.
function findNodesThatFitPod(fw: Framework, state: CycleState, pod: Pod, diagnosis: Diagnosis, nominator: Nominator | undefined): NodeInfo[] | string {
  const allNodes = state.snapshot.list();
  const pre = runPreFilterPlugins(fw, state, pod);
  for (const p of pre.rejectedPlugins) diagnosis.unschedulablePlugins.add(p);
  if (pre.status.code !== 'Success') {
    if (!isRejected(pre.status)) return statusMessage(pre.status);
    // Every node shares the PreFilter verdict, which preemption reads per node.
    diagnosis.nodeToStatus.setAbsentNodesStatus(pre.status);
    diagnosis.preFilterMsg = statusMessage(pre.status);
    return [];
  }

  // A pod nominated by an earlier preemption most likely fits only where room was made for it, so try there first.
  const nnn = pod.status?.nominatedNodeName;
  if (nnn) {
    const ni = state.snapshot.get(nnn);
    if (ni) {
      const feasible = findNodesThatPassFilters(fw, state, pod, diagnosis, [ni], nominator, false);
      if (typeof feasible === 'string' || feasible.length > 0) return feasible;
    }
  }

  let nodes = allNodes;
  if (pre.nodeNames) {
    const names = pre.nodeNames;
    nodes = allNodes.filter((n) => names.has(n.name));
    diagnosis.nodeToStatus.setAbsentNodesStatus(unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.pluginsWithNodes].sort().join(' ')}]`));
  }
  const feasible = findNodesThatPassFilters(fw, state, pod, diagnosis, nodes, nominator, true);
  if (typeof feasible === 'string') return feasible;
  if (allNodes.length > 0) fw.nextStartNodeIndex = (fw.nextStartNodeIndex + feasible.length + diagnosis.nodeToStatus.size) % allNodes.length;
  return feasible;
}

function findNodesThatPassFilters(
  fw: Framework,
  state: CycleState,
  pod: Pod,
  diagnosis: Diagnosis,
  nodes: readonly NodeInfo[],
  nominator: Nominator | undefined,
  sample: boolean,
): NodeInfo[] | string {
  const numAll = nodes.length;
  if (numAll === 0) return [];
  // Without scoring any feasible node is as good as another, so the first one found is enough.
  const numToFind = !sample ? numAll : fw.scorePlugins.length === 0 ? 1 : numFeasibleNodesToFind(fw.percentageOfNodesToScore, numAll);
  const start = sample ? fw.nextStartNodeIndex : 0;
  const feasible: NodeInfo[] = [];
  if (fw.filterPlugins.length === 0) {
    for (let i = 0; i < numToFind; i++) feasible.push(nodes[(start + i) % numAll] as NodeInfo);
    return feasible;
  }
  const plugins = activeFilterPlugins(fw, state);
  for (let i = 0; i < numAll && feasible.length < numToFind; i++) {
    const ni = nodes[(start + i) % numAll] as NodeInfo;
    const s = nominator ? runFilterPluginsWithNominatedPods(fw, plugins, state, pod, ni, nominator) : runFilterPlugins(plugins, state, pod, ni);
    if (s.code === 'Success') {
      feasible.push(ni);
      continue;
    }
    if (!isRejected(s)) return statusMessage(s);
    diagnosis.nodeToStatus.set(ni.name, s);
    const plugin = statusPlugin(s);
    if (plugin !== undefined) diagnosis.unschedulablePlugins.add(plugin);
  }
  return feasible;
}
