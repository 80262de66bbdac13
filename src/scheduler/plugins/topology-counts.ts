import type { Labels } from '../../api/selectors/index.ts';
import type { PluginHandle } from '../framework/interface.ts';

// Shared bookkeeping for InterPodAffinity filtering and scoring.

/** NamespaceLabelsOf resolves a namespace's labels, memoized for one cycle. */
export type NamespaceLabelsOf = (namespace: string) => Labels | undefined;

/** namespaceLabelsMemo wraps a lookup with a per-cycle cache. */
export function namespaceLabelsMemo(lookup: PluginHandle['namespaceLabels']): NamespaceLabelsOf {
  const cache = new Map<string, Labels | undefined>();
  return (ns) => {
    if (!lookup) return undefined;
    if (!cache.has(ns)) cache.set(ns, lookup(ns));
    return cache.get(ns);
  };
}

/** TopologyCounts counts per topology key and value; a node is looked up by its few topology keys, not all its labels. */
export class TopologyCounts {
  readonly #byKey = new Map<string, Map<string, number>>();
  #pairs = 0;

  /** inc adds to a pair's count, dropping pairs that reach zero. */
  inc(key: string, value: string, by: number): void {
    let m = this.#byKey.get(key);
    if (!m) this.#byKey.set(key, (m = new Map()));
    const before = m.get(value) ?? 0;
    const n = before + by;
    if (before === 0 && n !== 0) this.#pairs++;
    if (n === 0) {
      if (before !== 0) this.#pairs--;
      m.delete(value);
      if (m.size === 0) this.#byKey.delete(key);
    } else m.set(value, n);
  }

  /** get returns a pair's count. */
  get(key: string, value: string): number {
    return this.#byKey.get(key)?.get(value) ?? 0;
  }

  /** size is the number of pairs with a non-zero count. */
  get size(): number {
    return this.#pairs;
  }

  /** sumForNode adds up the counts of the node's value for every key present. */
  sumForNode(labels: Labels): number {
    let sum = 0;
    for (const [key, values] of this.#byKey) {
      const v = labels[key];
      if (v !== undefined) sum += values.get(v) ?? 0;
    }
    return sum;
  }

  /** anyPositiveForNode tells whether the node's value of any key has a positive count. */
  anyPositiveForNode(labels: Labels): boolean {
    for (const [key, values] of this.#byKey) {
      const v = labels[key];
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  /** keys returns the keys with a non-zero count. */
  keys(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  /** clone copies the counts. */
  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.#byKey) c.#byKey.set(k, new Map(m));
    c.#pairs = this.#pairs;
    return c;
  }
}

/** CountsByKey maps a topology key to its per-value counts. */
export type CountsByKey = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * LayeredCounts are read-only base counts (shared with the snapshot's indexes, or built for this cycle) plus this
 * cycle's own changes (preemption's AddPod/RemovePod), so PreFilter need not copy per-domain maps of every node and a
 * clone copies only the changes. Base counts must be positive.
 */
export class LayeredCounts {
  readonly #base: CountsByKey;
  #delta = new TopologyCounts();
  #pairs: number;

  constructor(base: CountsByKey) {
    this.#base = base;
    let pairs = 0;
    for (const m of base.values()) pairs += m.size;
    this.#pairs = pairs;
  }

  /** get returns a pair's count. */
  get(key: string, value: string): number {
    return (this.#base.get(key)?.get(value) ?? 0) + this.#delta.get(key, value);
  }

  /** inc adds to a pair's count in this cycle's layer. */
  inc(key: string, value: string, by: number): void {
    const before = this.get(key, value);
    this.#delta.inc(key, value, by);
    const after = before + by;
    if (before === 0 && after !== 0) this.#pairs++;
    else if (before !== 0 && after === 0) this.#pairs--;
  }

  /** size is the number of pairs with a non-zero count (upstream's len(topologyToMatchedTermCount)). */
  get size(): number {
    return this.#pairs;
  }

  /** anyPositiveForNode tells whether the node's value of any counted key has a positive count. */
  anyPositiveForNode(labels: Labels): boolean {
    for (const key of this.#base.keys()) {
      const v = labels[key];
      if (v !== undefined && this.get(key, v) > 0) return true;
    }
    if (this.#delta.size === 0) return false;
    for (const key of this.#delta.keys()) {
      const v = labels[key];
      if (v !== undefined && !this.#base.has(key) && this.get(key, v) > 0) return true;
    }
    return false;
  }

  /** clone shares the base and copies the changes. */
  clone(): LayeredCounts {
    const c = new LayeredCounts(this.#base);
    c.#delta = this.#delta.clone();
    c.#pairs = this.#pairs;
    return c;
  }
}

/** mergeCounts sums several per-key maps into one map per key, reusing a map when it is the only one for its key. */
export function mergeCounts(parts: readonly { readonly key: string; readonly counts: ReadonlyMap<string, number> }[]): CountsByKey {
  const out = new Map<string, ReadonlyMap<string, number>>();
  const owned = new Set<string>();
  for (const { key, counts } of parts) {
    if (counts.size === 0) continue;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, counts);
      continue;
    }
    // A second map for the same key: copy once, then add into the copy.
    let sum = prev as Map<string, number>;
    if (!owned.has(key)) {
      sum = new Map(prev);
      owned.add(key);
      out.set(key, sum);
    }
    for (const [v, n] of counts) sum.set(v, (sum.get(v) ?? 0) + n);
  }
  return out;
}
