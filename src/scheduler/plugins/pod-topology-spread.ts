import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, newLabelSelector, nothing, type LabelSelector, type Labels } from '../../api/selectors/index.ts';
import { scanDomainCounts, type DomainCounts, type PodQuery } from '../framework/domain-counts.ts';
import { stateKey, type CycleState, type Plugin, type StateData } from '../framework/interface.ts';
import { requiredNodeAffinity, type RequiredNodeAffinity } from '../framework/node-affinity.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { selectorId, type PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { skip, success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { findUntoleratedTaint, isDoNotScheduleTaint } from '../framework/taints.ts';
import { podTopologySpreadNormalize, podTopologySpreadPreScore, podTopologySpreadScore } from './pod-topology-spread-scoring.ts';

// PodTopologySpread filtering (upstream's podtopologyspread/common.go and filtering.go). Upstream's system default
// constraints (spreading by zone and hostname for pods owned by services and controllers) are not applied here.

/** podTopologySpreadName is the plugin's upstream name. */
export const podTopologySpreadName = 'PodTopologySpread';
/** errReasonConstraintsNotMatch is upstream's rejection when placing the pod would exceed maxSkew. */
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
/** errReasonNodeLabelNotMatch is upstream's rejection when the node lacks a constraint's topology key. */
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

/** Constraint is a parsed topology spread constraint with upstream's defaults applied. */
export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: string;
  readonly nodeTaintsPolicy: string;
}

function selectorWithLabelKeys(c: TopologySpreadConstraint, podLabels: Labels): LabelSelector {
  let selector: LabelSelector;
  try {
    selector = fromLabelSelector(c.labelSelector);
  } catch {
    return nothing();
  }
  const extra = (c.matchLabelKeys ?? []).flatMap((key) => {
    const v = podLabels[key];
    return v === undefined ? [] : [{ key, operator: 'in' as const, values: [v] }];
  });
  if (extra.length === 0 || selector.isNothing()) return selector;
  return newLabelSelector([...selector.requirements, ...extra]);
}

/** parseConstraints keeps the constraints with the given whenUnsatisfiable and applies matchLabelKeys and defaults. */
export function parseConstraints(constraints: readonly TopologySpreadConstraint[] | undefined, podLabels: Labels, action: string): Constraint[] {
  return (constraints ?? [])
    .filter((c) => c.whenUnsatisfiable === action)
    .map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: selectorWithLabelKeys(c, podLabels),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    }));
}

/** nodeHasTopologyKeys tells whether the node carries every constraint's topology key. */
export function nodeHasTopologyKeys(labels: Labels, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** nodeIncluded applies nodeAffinityPolicy and nodeTaintsPolicy: which nodes count as domains for this pod. */
export function nodeIncluded(c: Constraint, pod: Pod, node: NodeInfo, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.match(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedTaint(node.taints, pod.spec?.tolerations, isDoNotScheduleTaint) !== undefined) return false;
  return true;
}

/** countMatching counts pods in the namespace matched by the selector, skipping terminating pods (an empty selector counts none, as upstream). */
export function countMatching(pods: readonly PodInfo[], selector: LabelSelector, namespace: string): number {
  if (selector.isEverything()) return 0;
  let n = 0;
  for (const p of pods) if (!p.terminating && p.namespace === namespace && selector.matches(p.labels)) n++;
  return n;
}

// CriticalPaths keeps the two smallest match counts of a topology key, enough for a what-if that changes one domain.
class CriticalPaths {
  paths: [{ value: string; num: number }, { value: string; num: number }] = [
    { value: '', num: Number.MAX_SAFE_INTEGER },
    { value: '', num: Number.MAX_SAFE_INTEGER },
  ];
  update(value: string, num: number): void {
    const [p0, p1] = this.paths;
    const existing = value === p0.value ? p0 : value === p1.value ? p1 : undefined;
    if (existing) {
      existing.num = num;
      if (this.paths[0].num > this.paths[1].num) this.paths = [this.paths[1], this.paths[0]];
    } else if (num < p0.num) {
      this.paths = [{ value, num }, { ...p0 }];
    } else if (num < p1.num) {
      this.paths = [p0, { value, num }];
    }
  }
  clone(): CriticalPaths {
    const c = new CriticalPaths();
    c.paths = [{ ...this.paths[0] }, { ...this.paths[1] }];
    return c;
  }
}

interface PreFilterState extends StateData {
  readonly constraints: readonly Constraint[];
  readonly required: RequiredNodeAffinity;
  /** counts are per constraint (not per key: two constraints may share a key) and read-only. */
  readonly counts: readonly DomainCounts[];
  /** changes are this cycle's AddPod/RemovePod deltas per constraint, on top of counts. */
  readonly changes: readonly Map<string, number>[];
  readonly paths: readonly CriticalPaths[];
  /** selfMatch is 1 for constraints whose selector matches the incoming pod itself, else 0. */
  readonly selfMatch: readonly number[];
}
const preFilterKey = stateKey<PreFilterState>('PreFilterPodTopologySpread');

function matchNum(s: PreFilterState, i: number, value: string): number {
  return (s.counts[i]?.matchCount(value) ?? 0) + (s.changes[i]?.get(value) ?? 0);
}

type StateFields = Omit<PreFilterState, 'clone'>;

function newState(f: StateFields): PreFilterState {
  return { ...f, clone: () => newState({ ...f, changes: f.changes.map((m) => new Map(m)), paths: f.paths.map((p) => p.clone()) }) };
}

/** spreadQuery counts the non-terminating pods in the namespace that a constraint selects, on nodes with all the keys. */
export function spreadQuery(c: Constraint, namespace: string, allKeys: readonly string[]): PodQuery {
  const { selector } = c;
  return {
    id: `spread\x02${namespace}\x02${selectorId(selector)}\x02${c.topologyKey}\x02${allKeys.join('\x01')}`,
    topologyKey: c.topologyKey,
    requiredKeys: allKeys,
    // An empty selector counts nothing, as upstream's countPodsMatchSelector.
    matches: selector.isEverything() ? () => false : (pi) => !pi.terminating && pi.namespace === namespace && selector.matches(pi.labels),
  };
}

/**
 * spreadCounts returns, per constraint, the matching pods per domain over the nodes that carry every constraint's key
 * and pass the constraint's node inclusion policies. When the policies include every node (no node affinity to honor,
 * taints ignored) the snapshot keeps the counts; otherwise they are counted for this cycle.
 */
export function spreadCounts(snapshot: Snapshot, pod: Pod, namespace: string, constraints: readonly Constraint[], required: RequiredNodeAffinity): DomainCounts[] {
  const allKeys = [...new Set(constraints.map((c) => c.topologyKey))].sort();
  return constraints.map((c) => {
    const query = spreadQuery(c, namespace, allKeys);
    const everyNode = (c.nodeAffinityPolicy !== 'Honor' || required.empty) && c.nodeTaintsPolicy !== 'Honor';
    return everyNode ? snapshot.domainCounts(query) : scanDomainCounts(query, snapshot.list(), (ni) => nodeIncluded(c, pod, ni, required));
  });
}

function preFilter(state: CycleState, pod: Pod): Status {
  const me = state.podInfo;
  const constraints = parseConstraints(pod.spec?.topologySpreadConstraints, me.labels, 'DoNotSchedule');
  if (constraints.length === 0) return skip();
  const required = requiredNodeAffinity(pod);
  const counts = spreadCounts(state.snapshot, pod, me.namespace, constraints, required);
  const paths = counts.map((dc) => {
    const p = new CriticalPaths();
    for (const value of dc.nodes.keys()) p.update(value, dc.matchCount(value));
    return p;
  });
  const selfMatch = constraints.map((c) => (c.selector.matches(me.labels) ? 1 : 0));
  state.write(preFilterKey, newState({ constraints, required, counts, changes: counts.map(() => new Map()), paths, selfMatch }));
  return success();
}

function updateWithPod(state: CycleState, pod: Pod, changed: PodInfo, node: NodeInfo, delta: number): Status {
  const s = state.read(preFilterKey);
  if (!s || changed.namespace !== state.podInfo.namespace || !nodeHasTopologyKeys(node.labels, s.constraints)) return success();
  s.constraints.forEach((c, i) => {
    if (!c.selector.matches(changed.labels) || !nodeIncluded(c, pod, node, s.required)) return;
    const value = node.labels[c.topologyKey] ?? '';
    const m = s.changes[i] as Map<string, number>;
    m.set(value, (m.get(value) ?? 0) + delta);
    s.paths[i]?.update(value, matchNum(s, i, value));
  });
  return success();
}

function filter(state: CycleState, node: NodeInfo): Status {
  const s = state.read(preFilterKey);
  if (!s) return success();
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    const value = node.labels[c.topologyKey];
    if (value === undefined) return unresolvable(errReasonNodeLabelNotMatch);
    let minMatch = s.paths[i]?.paths[0].num ?? 0;
    // Fewer eligible domains than minDomains means the empty missing domains hold the global minimum: zero.
    if ((s.counts[i]?.nodes.size ?? 0) < c.minDomains) minMatch = 0;
    const skew = matchNum(s, i, value) + (s.selfMatch[i] ?? 0) - minMatch;
    if (skew > c.maxSkew) return unschedulable(errReasonConstraintsNotMatch);
  }
  return success();
}

/** newPodTopologySpreadPlugin enforces DoNotSchedule spread constraints and scores ScheduleAnyway ones. */
export function newPodTopologySpreadPlugin(): Plugin {
  return {
    name: podTopologySpreadName,
    preFilter,
    preFilterExtensions: {
      addPod: (state, pod, added, node) => updateWithPod(state, pod, added, node, 1),
      removePod: (state, pod, removed, node) => updateWithPod(state, pod, removed, node, -1),
    },
    filter: (state, _pod, node) => filter(state, node),
    preScore: podTopologySpreadPreScore,
    score: podTopologySpreadScore,
    normalizeScore: podTopologySpreadNormalize,
    events: [
      { event: { resource: 'AssignedPod', action: 'All' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'Delete' } },
      { event: { resource: 'Node', action: 'UpdateNodeLabel' } },
      { event: { resource: 'Node', action: 'UpdateNodeTaint' } },
    ],
  };
}
