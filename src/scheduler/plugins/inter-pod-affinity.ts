import type { Pod } from 'kubernetes-types/core/v1.js';
import { stateKey, type CycleState, type Plugin, type PluginHandle, type StateData } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { affinityTermMatches, type PodInfo } from '../framework/pod-info.ts';
import { skip, success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { interPodAffinityNormalize, interPodAffinityPreScore, interPodAffinityScore } from './inter-pod-affinity-scoring.ts';
import { existingAntiAffinityCounts, incomingAffinityCounts, incomingAntiAffinityCounts, podMatchesAllTerms } from './affinity-counts.ts';
import { LayeredCounts, namespaceLabelsMemo, type NamespaceLabelsOf } from './topology-counts.ts';

// InterPodAffinity filtering (upstream's interpodaffinity/filtering.go): counts, per topology pair, the existing pods
// that match the incoming pod's required (anti-)affinity and the existing pods whose required anti-affinity matches
// the incoming pod, once in PreFilter, so each node check is a few map lookups. The counts come from the snapshot's
// indexes (grouped terms of assigned pods, per-domain counts per query) rather than a scan of every pod.

/** interPodAffinityName is the plugin's upstream name. */
export const interPodAffinityName = 'InterPodAffinity';
/** errReasonAffinityRulesNotMatch is upstream's rejection when required pod affinity is not satisfied. */
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
/** errReasonAntiAffinityRulesNotMatch is upstream's rejection when the pod's required anti-affinity is violated. */
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
/** errReasonExistingAntiAffinityRulesNotMatch is upstream's rejection when an existing pod's anti-affinity forbids the node. */
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

/** InterPodAffinityOptions are upstream's InterPodAffinityArgs plus the namespace label lookup for namespaceSelector. */
export interface InterPodAffinityOptions {
  readonly hardPodAffinityWeight?: number;
  readonly ignorePreferredTermsOfExistingPods?: boolean;
  readonly namespaceLabels?: PluginHandle['namespaceLabels'];
}

interface PreFilterState extends StateData {
  readonly existingAnti: LayeredCounts;
  readonly affinity: LayeredCounts;
  readonly anti: LayeredCounts;
  readonly nsLabels: NamespaceLabelsOf;
}
const preFilterKey = stateKey<PreFilterState>('PreFilterInterPodAffinity');

function newState(existingAnti: LayeredCounts, affinity: LayeredCounts, anti: LayeredCounts, nsLabels: NamespaceLabelsOf): PreFilterState {
  return {
    existingAnti,
    affinity,
    anti,
    nsLabels,
    clone: () => newState(existingAnti.clone(), affinity.clone(), anti.clone(), nsLabels),
  };
}

// countPod adds (or with -1 removes) one pod's contribution to the three counters (upstream's updateWithPod).
function countPod(s: PreFilterState, incoming: PodInfo, existing: PodInfo, node: NodeInfo, by: number): void {
  for (const t of existing.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && affinityTermMatches(t, incoming, s.nsLabels)) s.existingAnti.inc(t.topologyKey, v, by);
  }
  if (incoming.requiredAffinityTerms.length > 0 && podMatchesAllTerms(existing, incoming.requiredAffinityTerms, s.nsLabels)) {
    for (const t of incoming.requiredAffinityTerms) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined) s.affinity.inc(t.topologyKey, v, by);
    }
  }
  for (const t of incoming.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && affinityTermMatches(t, existing, s.nsLabels)) s.anti.inc(t.topologyKey, v, by);
  }
}

function preFilter(state: CycleState, nsLookup: PluginHandle['namespaceLabels']): Status {
  const incoming = state.podInfo;
  const nsLabels = namespaceLabelsMemo(nsLookup);
  const existingAnti = new LayeredCounts(existingAntiAffinityCounts(state.snapshot, incoming, nsLabels));
  const hasTerms = incoming.requiredAffinityTerms.length > 0 || incoming.requiredAntiAffinityTerms.length > 0;
  if (!hasTerms && existingAnti.size === 0) return skip();
  const affinity = new LayeredCounts(incomingAffinityCounts(state.snapshot, incoming, nsLabels));
  const anti = new LayeredCounts(incomingAntiAffinityCounts(state.snapshot, incoming, nsLabels));
  state.write(preFilterKey, newState(existingAnti, affinity, anti, nsLabels));
  return success();
}

function satisfiesPodAffinity(s: PreFilterState, incoming: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of incoming.requiredAffinityTerms) {
    const v = node.labels[t.topologyKey];
    // Every topology key of the terms must exist on the node.
    if (v === undefined) return false;
    if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere it would match itself, or it would wait forever.
  return s.affinity.size === 0 && podMatchesAllTerms(incoming, incoming.requiredAffinityTerms, s.nsLabels);
}

function satisfiesPodAntiAffinity(s: PreFilterState, incoming: PodInfo, node: NodeInfo): boolean {
  if (s.anti.size === 0) return true;
  for (const t of incoming.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && s.anti.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

function satisfiesExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  return s.existingAnti.size === 0 || !s.existingAnti.anyPositiveForNode(node.labels);
}

/** newInterPodAffinityPlugin enforces required pod affinity/anti-affinity (both directions) and scores preferred terms. */
export function newInterPodAffinityPlugin(opts: InterPodAffinityOptions = {}): Plugin {
  const hardWeight = opts.hardPodAffinityWeight ?? 1;
  const ignoreExisting = opts.ignorePreferredTermsOfExistingPods ?? false;
  return {
    name: interPodAffinityName,
    preFilter: (state) => preFilter(state, opts.namespaceLabels),
    preFilterExtensions: {
      addPod(state, _pod, added, nodeInfo) {
        const s = state.read(preFilterKey);
        if (s) countPod(s, state.podInfo, added, nodeInfo, 1);
        return success();
      },
      removePod(state, _pod, removed, nodeInfo) {
        const s = state.read(preFilterKey);
        if (s) countPod(s, state.podInfo, removed, nodeInfo, -1);
        return success();
      },
    },
    filter(state, _pod: Pod, nodeInfo): Status {
      const s = state.read(preFilterKey);
      if (!s) return success();
      const incoming = state.podInfo;
      if (!satisfiesPodAffinity(s, incoming, nodeInfo)) return unresolvable(errReasonAffinityRulesNotMatch);
      if (!satisfiesPodAntiAffinity(s, incoming, nodeInfo)) return unschedulable(errReasonAntiAffinityRulesNotMatch);
      if (!satisfiesExistingPodsAntiAffinity(s, nodeInfo)) return unschedulable(errReasonExistingAntiAffinityRulesNotMatch);
      return success();
    },
    preScore: (state) => interPodAffinityPreScore(state, { hardWeight, ignoreExisting, namespaceLabels: opts.namespaceLabels }),
    score: (state, _pod, nodeInfo) => interPodAffinityScore(state, nodeInfo),
    normalizeScore: (state, _pod, scores) => interPodAffinityNormalize(state, scores),
    events: [
      { event: { resource: 'AssignedPod', action: 'All' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'UpdateNodeLabel' } },
    ],
  };
}
