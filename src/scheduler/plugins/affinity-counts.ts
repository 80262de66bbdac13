import { scanDomainCounts, type DomainCounts, type PodQuery } from '../framework/domain-counts.ts';
import { affinityTermMatches, termIgnoresNamespaceLabels, type AffinityTerm, type PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { mergeCounts, type CountsByKey, type NamespaceLabelsOf } from './topology-counts.ts';

// The per-topology-pair counts InterPodAffinity's PreFilter and PreScore start from, read from the snapshot's indexes:
// the grouped terms of assigned pods (for their terms against the incoming pod) and per-domain counts per query (for
// the incoming pod's terms against assigned pods). Terms with a namespaceSelector depend on namespace labels, which
// the snapshot does not follow, so those are counted afresh in the cycle.

/** podMatchesAllTerms tells whether a pod matches every term (an empty list matches nothing). */
export function podMatchesAllTerms(pod: PodInfo, terms: readonly AffinityTerm[], nsLabels: NamespaceLabelsOf | undefined): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!affinityTermMatches(t, pod, nsLabels)) return false;
  return true;
}

/**
 * existingAntiAffinityCounts sums, per topology pair, the required anti-affinity terms of assigned pods that match the
 * incoming pod: each distinct term is tested once and brings the per-domain counts of all pods that carry it.
 */
export function existingAntiAffinityCounts(snapshot: Snapshot, incoming: PodInfo, nsLabels: NamespaceLabelsOf): CountsByKey {
  const parts: { key: string; counts: ReadonlyMap<string, number> }[] = [];
  for (const g of snapshot.affinityTerms.requiredAntiAffinity.values()) {
    if (affinityTermMatches(g.term, incoming, nsLabels)) parts.push({ key: g.term.topologyKey, counts: g.weights });
  }
  return mergeCounts(parts);
}

/** incomingAffinityCounts counts, per topology pair of each term, the assigned pods that match all the incoming pod's required affinity terms. */
export function incomingAffinityCounts(snapshot: Snapshot, incoming: PodInfo, nsLabels: NamespaceLabelsOf): CountsByKey {
  const terms = incoming.requiredAffinityTerms;
  if (terms.length === 0) return new Map();
  const id = terms.map((t) => t.id).join('\x01');
  const cacheable = terms.every(termIgnoresNamespaceLabels);
  const parts = terms.map((t) => {
    const query: PodQuery = {
      id: `affinity\x02${id}\x02${t.topologyKey}`,
      topologyKey: t.topologyKey,
      requiredKeys: [],
      matches: cacheable ? (pi) => podMatchesAllTerms(pi, terms, undefined) : (pi) => podMatchesAllTerms(pi, terms, nsLabels),
    };
    return { key: t.topologyKey, counts: domainCountsOf(snapshot, query, cacheable).pods };
  });
  return mergeCounts(parts);
}

/** incomingAntiAffinityCounts counts, per topology pair of each term, the assigned pods that match the incoming pod's required anti-affinity terms. */
export function incomingAntiAffinityCounts(snapshot: Snapshot, incoming: PodInfo, nsLabels: NamespaceLabelsOf): CountsByKey {
  return mergeCounts(incoming.requiredAntiAffinityTerms.map((t) => ({ key: t.topologyKey, counts: termDomainCounts(snapshot, t, nsLabels).pods })));
}

/** termDomainCounts counts, per domain of the term's topology key, the assigned pods a term of the incoming pod matches. */
export function termDomainCounts(snapshot: Snapshot, t: AffinityTerm, nsLabels: NamespaceLabelsOf): DomainCounts {
  const cacheable = termIgnoresNamespaceLabels(t);
  const query: PodQuery = {
    id: `term\x02${t.id}`,
    topologyKey: t.topologyKey,
    requiredKeys: [],
    matches: cacheable ? (pi) => affinityTermMatches(t, pi) : (pi) => affinityTermMatches(t, pi, nsLabels),
  };
  return domainCountsOf(snapshot, query, cacheable);
}

// domainCountsOf reads counts the snapshot keeps current, or counts afresh for this cycle when the query depends on
// namespace labels (a namespaceSelector), which may change without the snapshot knowing.
function domainCountsOf(snapshot: Snapshot, query: PodQuery, cacheable: boolean): DomainCounts {
  return cacheable ? snapshot.domainCounts(query) : scanDomainCounts(query, snapshot.list());
}
