import { maxNodeScore, stateKey, type CycleState, type NodeScore, type PluginHandle, type StateData } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { affinityTermMatches, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../framework/pod-info.ts';
import { skip, success, type Status } from '../framework/status.ts';
import { namespaceLabelsMemo, TopologyCounts, type NamespaceLabelsOf } from './topology-counts.ts';

// InterPodAffinity scoring (upstream's interpodaffinity/scoring.go): each existing pod adds or subtracts weights to
// topology pairs (its node's labels) for preferred terms in both directions and for existing pods' required
// affinity (hardPodAffinityWeight); a node scores the sum over its labels, min-max normalized to 0..100.

interface PreScoreState extends StateData {
  readonly topologyScore: TopologyCounts;
}
const preScoreKey = stateKey<PreScoreState>('PreScoreInterPodAffinity');

/** ScoringOptions carry the plugin args into scoring. */
export interface ScoringOptions {
  readonly hardWeight: number;
  readonly ignoreExisting: boolean;
  readonly namespaceLabels: PluginHandle['namespaceLabels'];
}

function processTerm(scores: TopologyCounts, term: AffinityTerm, weight: number, pod: PodInfo, nsLabels: NamespaceLabelsOf, node: NodeInfo): void {
  const v = node.labels[term.topologyKey];
  if (v === undefined || !affinityTermMatches(term, pod, nsLabels)) return;
  scores.inc(term.topologyKey, v, weight);
}

function processTerms(scores: TopologyCounts, terms: readonly WeightedAffinityTerm[], pod: PodInfo, nsLabels: NamespaceLabelsOf, node: NodeInfo, sign: number): void {
  for (const t of terms) processTerm(scores, t, t.weight * sign, pod, nsLabels, node);
}

/** interPodAffinityPreScore builds the topology scores; it skips when nothing would score. */
export function interPodAffinityPreScore(state: CycleState, opts: ScoringOptions): Status {
  const incoming = state.podInfo;
  const hasConstraints = incoming.preferredAffinityTerms.length > 0 || incoming.preferredAntiAffinityTerms.length > 0;
  if (opts.ignoreExisting && !hasConstraints) return skip();
  const nsLabels = namespaceLabelsMemo(opts.namespaceLabels);
  const scores = new TopologyCounts();
  // Without preferred terms of its own, only existing pods with affinity can move the incoming pod's score.
  const nodes = hasConstraints ? state.snapshot.list() : state.snapshot.havePodsWithAffinityList();
  for (const ni of nodes) {
    for (const existing of hasConstraints ? ni.pods : ni.podsWithAffinity) {
      processTerms(scores, incoming.preferredAffinityTerms, existing, nsLabels, ni, 1);
      processTerms(scores, incoming.preferredAntiAffinityTerms, existing, nsLabels, ni, -1);
      if (opts.hardWeight > 0) for (const t of existing.requiredAffinityTerms) processTerm(scores, t, opts.hardWeight, incoming, nsLabels, ni);
      processTerms(scores, existing.preferredAffinityTerms, incoming, nsLabels, ni, 1);
      processTerms(scores, existing.preferredAntiAffinityTerms, incoming, nsLabels, ni, -1);
    }
  }
  if (scores.size === 0) return skip();
  const s: PreScoreState = { topologyScore: scores, clone: () => s };
  state.write(preScoreKey, s);
  return success();
}

/** interPodAffinityScore sums the topology scores of the node's labels (may be negative before normalization). */
export function interPodAffinityScore(state: CycleState, nodeInfo: NodeInfo): number {
  const s = state.read(preScoreKey);
  if (!s) return 0;
  return s.topologyScore.sumForNode(nodeInfo.labels);
}

/** interPodAffinityNormalize maps scores linearly from [min, max] to [0, 100]. */
export function interPodAffinityNormalize(state: CycleState, scores: NodeScore[]): Status {
  if (!state.read(preScoreKey)) return success();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    if (s.score < min) min = s.score;
    if (s.score > max) max = s.score;
  }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc((maxNodeScore * (s.score - min)) / diff) : 0;
  return success();
}
