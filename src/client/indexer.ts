import { objectKey, type ApiObject } from '../api/object.ts';

/** IndexFunc maps an object to the index values it is filed under. */
export type IndexFunc<T> = (obj: T) => string[];

/** byNamespace files objects by namespace. */
export const byNamespace: IndexFunc<ApiObject> = (o) => [o.metadata?.namespace ?? ''];

/** Indexer is an informer's cache: objects by "namespace/name" key, plus secondary indexes. */
export class Indexer<T extends ApiObject = ApiObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexer('namespace', byNamespace as IndexFunc<T>);
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** addIndexer adds a secondary index (before or after items are added). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) return;
    this.#indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#items) for (const v of fn(obj)) addTo(index, v, key);
  }

  /** get returns one object by key. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** list returns every object. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** keys returns every key. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** byIndex returns the objects filed under an index value. */
  byIndex(index: string, value: string): T[] {
    const keys = this.#indexes.get(index)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.#items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** size is the number of objects. */
  get size(): number {
    return this.#items.size;
  }

  /** upsert stores an object and returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name) as Map<string, Set<string>>;
      const values = fn(obj);
      if (!old) {
        for (const v of values) addTo(index, v, key);
        continue;
      }
      // An update mostly keeps its index values (the namespace always): taking the key out of a set of thousands
      // and putting it back leaves holes that make the set rebuild itself every few thousand updates.
      const before = fn(old);
      for (const v of before) if (!values.includes(v)) removeFrom(index, v, key);
      for (const v of values) if (!before.includes(v)) addTo(index, v, key);
    }
    return old;
  }

  /** remove deletes an object by key and returns it. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) removeFrom(index, v, key);
    }
  }
}

function removeFrom(index: Map<string, Set<string>>, value: string, key: string): void {
  const set = index.get(value);
  set?.delete(key);
  if (set && set.size === 0) index.delete(value);
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}
