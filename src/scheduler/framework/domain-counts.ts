import type { Labels } from '../../api/selectors/index.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

// Per-topology-domain pod counts for the selectors of a pod being scheduled (PodTopologySpread's constraints,
// InterPodAffinity's terms). Upstream counts them afresh in every cycle, scanning every pod on every node with 16
// goroutines; one JS thread cannot afford that at 5,000 nodes, so the snapshot keeps the counts of recently used
// queries and updates them as pods and nodes come and go, and a cycle reads them in O(1).

/** PodQuery says which pods to count and by which node label. */
export interface PodQuery {
  /** id identifies the query: two queries with the same id must count the same pods. */
  readonly id: string;
  readonly topologyKey: string;
  /** requiredKeys are the labels a node must all carry to count at all (topologyKey is implied). */
  readonly requiredKeys: readonly string[];
  matches(pod: PodInfo): boolean;
}

/** DomainCounts holds, per value of a query's topology key, the eligible nodes and the matching pods on them. */
export class DomainCounts {
  readonly query: PodQuery;
  /** nodes counts eligible nodes per domain; its keys are the domains (upstream's TpValueToMatchNum keys). */
  readonly nodes = new Map<string, number>();
  /** pods counts matching pods per domain; domains without any are absent. */
  readonly pods = new Map<string, number>();

  constructor(query: PodQuery) {
    this.query = query;
  }

  /** domainOf returns the node's domain, or undefined when the node lacks a required label. */
  domainOf(labels: Labels): string | undefined {
    for (const k of this.query.requiredKeys) if (labels[k] === undefined) return undefined;
    return labels[this.query.topologyKey];
  }

  /** matchCount returns the number of matching pods in a domain. */
  matchCount(value: string): number {
    return this.pods.get(value) ?? 0;
  }

  /** addNode counts (by 1) or uncounts (by -1) a node and every pod on it. */
  addNode(ni: NodeInfo, by: 1 | -1): void {
    const value = this.domainOf(ni.labels);
    if (value === undefined) return;
    bumpCount(this.nodes, value, by);
    let n = 0;
    for (const pi of ni.pods) if (this.query.matches(pi)) n++;
    if (n > 0) bumpCount(this.pods, value, by * n);
  }

  /** addPod counts (by 1) or uncounts (by -1) one pod on a node with the given labels. */
  addPod(pi: PodInfo, labels: Labels, by: 1 | -1): void {
    const value = this.domainOf(labels);
    if (value !== undefined && this.query.matches(pi)) bumpCount(this.pods, value, by);
  }
}

/** bumpCount adds to a count in a map, deleting it when it reaches zero so that map sizes count non-zero entries. */
export function bumpCount(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}

/** scanDomainCounts counts from scratch over the given nodes, skipping those include rejects (for one cycle only). */
export function scanDomainCounts(query: PodQuery, nodes: Iterable<NodeInfo>, include?: (ni: NodeInfo) => boolean): DomainCounts {
  const dc = new DomainCounts(query);
  for (const ni of nodes) if (!include || include(ni)) dc.addNode(ni, 1);
  return dc;
}

/** defaultDomainCountsCapacity bounds the queries kept up to date (each costs a little on every pod change). */
export const defaultDomainCountsCapacity = 64;

/** DomainCountsCache keeps the counts of the most recently used queries current as the snapshot changes. */
export class DomainCountsCache {
  readonly #entries = new Map<string, { counts: DomainCounts; lastUsed: number }>();
  readonly #capacity: number;
  #tick = 0;

  constructor(capacity = defaultDomainCountsCapacity) {
    this.#capacity = capacity;
  }

  /** size is the number of queries kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the current counts of a query, counting them over nodes the first time it is asked. */
  get(query: PodQuery, nodes: () => Iterable<NodeInfo>): DomainCounts {
    const tick = ++this.#tick;
    const hit = this.#entries.get(query.id);
    if (hit) {
      hit.lastUsed = tick;
      return hit.counts;
    }
    if (this.#entries.size >= this.#capacity) this.#evictOldest();
    const counts = scanDomainCounts(query, nodes());
    this.#entries.set(query.id, { counts, lastUsed: tick });
    return counts;
  }

  /** podChanged counts (by 1) or uncounts (by -1) a pod on a node with the given labels in every kept query. */
  podChanged(pi: PodInfo, labels: Labels, by: 1 | -1): void {
    for (const e of this.#entries.values()) e.counts.addPod(pi, labels, by);
  }

  /** nodeChanged counts (by 1) or uncounts (by -1) a node and its pods in every kept query. */
  nodeChanged(ni: NodeInfo, by: 1 | -1): void {
    for (const e of this.#entries.values()) e.counts.addNode(ni, by);
  }

  #evictOldest(): void {
    let oldest: string | undefined;
    let min = Number.POSITIVE_INFINITY;
    for (const [id, e] of this.#entries) {
      if (e.lastUsed < min) {
        min = e.lastUsed;
        oldest = id;
      }
    }
    if (oldest !== undefined) this.#entries.delete(oldest);
  }
}
