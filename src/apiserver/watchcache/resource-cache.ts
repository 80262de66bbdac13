import type { ApiObject } from '../../api/object.ts';
import type { KeyValue, WatchEvent } from '../../storage/index.ts';
import type { CacheEvent, CachedObject, CacheWatcher, Written } from './types.ts';

const decoder = new TextDecoder();

/**
 * toCached parses a stored value and stamps its resourceVersion. `written` is the object the value was
 * encoded from and its JSON, when the writer handed them over (see CacheHub.noteWrite): then the value is
 * neither parsed nor serialized again.
 */
export function toCached(kv: KeyValue, rv: number, prefix: string, written?: Written): CachedObject {
  const obj = written?.obj ?? (JSON.parse(decoder.decode(kv.value)) as ApiObject);
  const meta = obj.metadata ?? (obj.metadata = {});
  meta.resourceVersion = String(rv);
  const rest = kv.key.slice(prefix.length);
  const slash = rest.indexOf('/');
  return {
    key: kv.key,
    namespace: slash < 0 ? '' : rest.slice(0, slash),
    name: slash < 0 ? rest : rest.slice(slash + 1),
    obj,
    bytes: written ? written.json.withResourceVersion(meta.resourceVersion) : Buffer.from(JSON.stringify(obj)),
    rv,
  };
}

/**
 * ResourceCache holds the current objects of one resource and a window of recent events, so lists and
 * watches are served from memory (upstream's cacher). The CacheHub feeds it from one store watch.
 */
export class ResourceCache {
  readonly prefix: string;
  readonly #objects = new Map<string, CachedObject>();
  // The window of recent events is #events from #first on: dropping the oldest one advances #first, and the
  // dropped slots are cut off once a whole window's worth has piled up (splicing off one event per write moved
  // the whole window, tens of microseconds per event).
  #events: (CacheEvent | undefined)[] = [];
  #first = 0;
  readonly #capacity: number;
  readonly #watchers = new Set<CacheWatcher>();
  #sorted: CachedObject[] | null = null;
  /** oldestRv is the oldest revision a watch can start from: every event after it is buffered. */
  #oldestRv: number;

  constructor(prefix: string, initial: CachedObject[], rv: number, capacity = 8192) {
    this.prefix = prefix;
    this.#capacity = capacity;
    for (const o of initial) this.#objects.set(o.key, o);
    this.#oldestRv = rv;
  }

  /** size is the number of objects. */
  get size(): number {
    return this.#objects.size;
  }

  /** oldestRv is the oldest revision watches can resume from. */
  get oldestRv(): number {
    return this.#oldestRv;
  }

  /** get returns one object by store key. */
  get(key: string): CachedObject | undefined {
    return this.#objects.get(key);
  }

  /** list returns every object in key order. */
  list(): readonly CachedObject[] {
    if (!this.#sorted) {
      this.#sorted = [...this.#objects.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.#sorted;
  }

  /** apply folds one store event into the cache and tells the watchers; `written` is the written object, when known. */
  apply(ev: WatchEvent, written?: Written): void {
    const rv = ev.kv.modRevision;
    const prev = this.#objects.get(ev.kv.key) ?? null;
    let event: CacheEvent;
    if (ev.type === 'DELETE') {
      if (!prev) return;
      // A deleted object is reported as it last was, stamped with the revision of its deletion.
      const gone = toCached(ev.prevKv, rv, this.prefix);
      this.#objects.delete(ev.kv.key);
      event = { type: 'DELETED', object: gone, prev, rv };
    } else {
      const cur = toCached(ev.kv, rv, this.prefix, written);
      this.#objects.set(ev.kv.key, cur);
      event = { type: prev ? 'MODIFIED' : 'ADDED', object: cur, prev, rv };
    }
    if (!prev || ev.type === 'DELETE') this.#sorted = null;
    else if (this.#sorted) {
      // Same key set: replace in place instead of re-sorting.
      const i = this.#indexOf(ev.kv.key);
      if (i >= 0) this.#sorted[i] = this.#objects.get(ev.kv.key) as CachedObject;
      else this.#sorted = null;
    }
    this.#events.push(event);
    if (this.#events.length - this.#first > this.#capacity) {
      this.#oldestRv = (this.#events[this.#first] as CacheEvent).rv;
      this.#events[this.#first++] = undefined;
      if (this.#first >= this.#capacity) {
        this.#events = this.#events.slice(this.#first);
        this.#first = 0;
      }
    }
    for (const w of this.#watchers) dispatch(w, event);
  }

  #indexOf(key: string): number {
    const arr = this.#sorted;
    if (!arr) return -1;
    let lo = 0;
    let hi = arr.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = (arr[mid] as CachedObject).key;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * watch registers a watcher. With fromRv null it first receives ADDED for every current object;
   * otherwise every buffered event after fromRv. Returns false when fromRv is older than the window.
   */
  watch(w: CacheWatcher, fromRv: number | null): boolean {
    if (fromRv === null) {
      for (const o of this.list()) if (w.filter(o)) w.send('ADDED', o);
    } else {
      if (fromRv < this.#oldestRv) return false;
      // Events are in revision order; find the first one after fromRv.
      let i = this.#events.length;
      while (i > this.#first && (this.#events[i - 1] as CacheEvent).rv > fromRv) i--;
      for (; i < this.#events.length; i++) dispatch(w, this.#events[i] as CacheEvent);
    }
    this.#watchers.add(w);
    return true;
  }

  /** unwatch removes a watcher. */
  unwatch(w: CacheWatcher): void {
    this.#watchers.delete(w);
  }

  /** bookmark tells every watcher the cache is current up to rv. */
  bookmark(rv: number): void {
    for (const w of this.#watchers) w.bookmark(rv);
  }

  /** stop expires every watcher. */
  stop(reason: string): void {
    for (const w of [...this.#watchers]) w.expire(reason);
    this.#watchers.clear();
  }

  /** watcherCount is the number of open watches. */
  get watcherCount(): number {
    return this.#watchers.size;
  }
}

/** dispatch applies upstream's filtering rules: objects moving in or out of a watcher's filter become ADDED or DELETED. */
function dispatch(w: CacheWatcher, ev: CacheEvent): void {
  const now = w.filter(ev.object);
  if (ev.type === 'DELETED') {
    if (ev.prev && w.filter(ev.prev)) w.send('DELETED', ev.object);
    return;
  }
  const before = ev.prev !== null && w.filter(ev.prev);
  if (now && before) w.send('MODIFIED', ev.object);
  else if (now) w.send('ADDED', ev.object);
  else if (before) w.send('DELETED', ev.object);
}

/** objectOf returns a cached object's data. */
export function objectOf(o: CachedObject): ApiObject {
  return o.obj;
}
