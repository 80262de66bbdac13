import type { Pod } from 'kubernetes-types/core/v1.js';
import { maxNodeScore, stateKey, type CycleState, type NodeScore, type StateData } from '../framework/interface.ts';
import type { DomainCounts } from '../framework/domain-counts.ts';
import { requiredNodeAffinity } from '../framework/node-affinity.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { skip, success, type Status } from '../framework/status.ts';
import { countMatching, nodeHasTopologyKeys, parseConstraints, spreadCounts, type Constraint } from './pod-topology-spread.ts';

// PodTopologySpread scoring (upstream's podtopologyspread/scoring.go): a node scores the matching pods in its domain
// of each ScheduleAnyway constraint, weighted by log(number of domains + 2); fewer is better after normalization.
// The per-domain counts come from the snapshot (see spreadCounts) instead of a scan of every node in PreScore.

const hostnameLabel = 'kubernetes.io/hostname';

interface PreScoreState extends StateData {
  readonly constraints: readonly Constraint[];
  readonly ignored: ReadonlySet<string>;
  /** counts are per constraint; undefined for hostname constraints, which Score counts on the node itself. */
  readonly counts: readonly (DomainCounts | undefined)[];
  readonly weights: readonly number[];
}
const preScoreKey = stateKey<PreScoreState>('PreScorePodTopologySpread');

/** podTopologySpreadPreScore finds the domains of the feasible nodes and the matching pods per domain. */
export function podTopologySpreadPreScore(state: CycleState, pod: Pod, filtered: readonly NodeInfo[]): Status {
  const me = state.podInfo;
  const constraints = parseConstraints(pod.spec?.topologySpreadConstraints, me.labels, 'ScheduleAnyway');
  if (constraints.length === 0 || state.snapshot.numNodes === 0) return skip();
  const ignored = new Set<string>();
  const domains = constraints.map(() => new Set<string>());
  for (const ni of filtered) {
    if (!nodeHasTopologyKeys(ni.labels, constraints)) {
      ignored.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => domains[i]?.add(ni.labels[c.topologyKey] ?? ''));
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === hostnameLabel ? filtered.length - ignored.size : (domains[i]?.size ?? 0)) + 2));
  const all = spreadCounts(state.snapshot, pod, me.namespace, constraints, requiredNodeAffinity(pod));
  const counts = constraints.map((c, i) => (c.topologyKey === hostnameLabel ? undefined : all[i]));
  const s: PreScoreState = { constraints, ignored, counts, weights, clone: () => s };
  state.write(preScoreKey, s);
  return success();
}

/** podTopologySpreadScore is the weighted count of matching pods in the node's domains (lower is better). */
export function podTopologySpreadScore(state: CycleState, _pod: Pod, ni: NodeInfo): number {
  const s = state.read(preScoreKey);
  if (!s || s.ignored.has(ni.name)) return 0;
  let score = 0;
  s.constraints.forEach((c, i) => {
    const value = ni.labels[c.topologyKey];
    if (value === undefined) return;
    const counts = s.counts[i];
    const cnt = counts ? counts.matchCount(value) : countMatching(ni.pods, c.selector, state.podInfo.namespace);
    // maxSkew - 1 waters down small differences between domains, so a larger maxSkew tolerates more skew.
    score += cnt * (s.weights[i] ?? 0) + (c.maxSkew - 1);
  });
  return Math.round(score);
}

/** podTopologySpreadNormalize inverts scores so the least crowded domains get 100; ignored nodes get 0. */
export function podTopologySpreadNormalize(state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
  const s = state.read(preScoreKey);
  if (!s) return success();
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const ns of scores) {
    if (s.ignored.has(ns.name)) continue;
    if (ns.score < min) min = ns.score;
    if (ns.score > max) max = ns.score;
  }
  for (const ns of scores) {
    if (s.ignored.has(ns.name)) ns.score = 0;
    else if (max === 0) ns.score = maxNodeScore;
    else ns.score = Math.trunc((maxNodeScore * (max + min - ns.score)) / max);
  }
  return success();
}
