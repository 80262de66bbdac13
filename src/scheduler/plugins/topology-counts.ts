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

  /** clone copies the counts. */
  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.#byKey) c.#byKey.set(k, new Map(m));
    c.#pairs = this.#pairs;
    return c;
  }
}
