import { maxNodeScore, stateKey, type CycleState, type NodeScore, type PluginHandle, type StateData } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { affinityTermMatches } from '../framework/pod-info.ts';
import { skip, success, type Status } from '../framework/status.ts';
import { termDomainCounts } from './affinity-counts.ts';
import { namespaceLabelsMemo } from './topology-counts.ts';

// InterPodAffinity scoring (upstream's interpodaffinity/scoring.go): each existing pod adds or subtracts weights to
// topology pairs (its node's labels) for preferred terms in both directions and for existing pods' required
// affinity (hardPodAffinityWeight); a node scores the sum over its labels, min-max normalized to 0..100.
// Upstream sums this into one topologyScore map by visiting every pod; here PreScore collects the per-domain maps the
// snapshot keeps (per incoming term, per distinct term of existing pods) with their multipliers, and Score adds up
// the node's entry in each, so a cycle costs the number of distinct terms, not the number of pods.

/** ScoreTerm is one per-domain map of a topology key and the multiplier its counts score with. */
interface ScoreTerm {
  readonly key: string;
  readonly counts: ReadonlyMap<string, number>;
  readonly multiplier: number;
}

interface PreScoreState extends StateData {
  readonly terms: readonly ScoreTerm[];
}
const preScoreKey = stateKey<PreScoreState>('PreScoreInterPodAffinity');

/** ScoringOptions carry the plugin args into scoring. */
export interface ScoringOptions {
  readonly hardWeight: number;
  readonly ignoreExisting: boolean;
  readonly namespaceLabels: PluginHandle['namespaceLabels'];
}

/** interPodAffinityPreScore gathers the weighted per-domain counts; it skips when nothing would score. */
export function interPodAffinityPreScore(state: CycleState, opts: ScoringOptions): Status {
  const incoming = state.podInfo;
  const hasConstraints = incoming.preferredAffinityTerms.length > 0 || incoming.preferredAntiAffinityTerms.length > 0;
  if (opts.ignoreExisting && !hasConstraints) return skip();
  const nsLabels = namespaceLabelsMemo(opts.namespaceLabels);
  const snapshot = state.snapshot;
  const terms: ScoreTerm[] = [];
  const add = (key: string, counts: ReadonlyMap<string, number>, multiplier: number): void => {
    if (counts.size > 0 && multiplier !== 0) terms.push({ key, counts, multiplier });
  };
  // The incoming pod's preferred terms against existing pods (weight per matching pod).
  for (const t of incoming.preferredAffinityTerms) add(t.topologyKey, termDomainCounts(snapshot, t, nsLabels).pods, t.weight);
  for (const t of incoming.preferredAntiAffinityTerms) add(t.topologyKey, termDomainCounts(snapshot, t, nsLabels).pods, -t.weight);
  // Existing pods' terms against the incoming pod: each distinct term once, with its summed weights per domain.
  const idx = snapshot.affinityTerms;
  if (opts.hardWeight > 0) for (const g of idx.requiredAffinity.values()) if (affinityTermMatches(g.term, incoming, nsLabels)) add(g.term.topologyKey, g.weights, opts.hardWeight);
  for (const g of idx.preferredAffinity.values()) if (affinityTermMatches(g.term, incoming, nsLabels)) add(g.term.topologyKey, g.weights, 1);
  for (const g of idx.preferredAntiAffinity.values()) if (affinityTermMatches(g.term, incoming, nsLabels)) add(g.term.topologyKey, g.weights, -1);
  if (terms.length === 0) return skip();
  const s: PreScoreState = { terms, clone: () => s };
  state.write(preScoreKey, s);
  return success();
}

/** interPodAffinityScore sums the weighted counts of the node's domains (may be negative before normalization). */
export function interPodAffinityScore(state: CycleState, nodeInfo: NodeInfo): number {
  const s = state.read(preScoreKey);
  if (!s) return 0;
  let score = 0;
  for (const t of s.terms) {
    const v = nodeInfo.labels[t.key];
    if (v !== undefined) score += t.multiplier * (t.counts.get(v) ?? 0);
  }
  return score;
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
