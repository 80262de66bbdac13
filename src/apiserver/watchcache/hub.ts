import { isStorageError, type Store, type Watch, type WatchEvent } from '../../storage/index.ts';
import { ResourceCache, toCached } from './resource-cache.ts';
import type { ApiObject } from '../../api/object.ts';
import type { EncodedJson } from '../registry/split-json.ts';
import type { CachedObject, Written } from './types.ts';

/** CacheHubOptions configures the watch cache. */
export interface CacheHubOptions {
  store: Store;
  /** bookmarkIntervalMs is how often idle watchers get a bookmark (default 5 s). */
  bookmarkIntervalMs?: number;
  /** log reports the hub's own troubles (a lost store watch). */
  log?: (msg: string) => void;
}

/**
 * CacheHub runs one store watch over all of /registry/ and feeds the per-resource caches from it.
 * Because it sees every write, its revision is the store's, so a consistent read only has to wait until
 * the hub has caught up with the store's current revision.
 */
export class CacheHub {
  readonly #store: Store;
  readonly #caches = new Map<string, ResourceCache>();
  readonly #registering = new Map<string, Promise<ResourceCache>>();
  readonly #pending = new Map<string, WatchEvent[]>();
  readonly #waiters: { rv: number; resolve: () => void }[] = [];
  // Values this server wrote, with the objects they were encoded from and their JSON (see noteWrite).
  readonly #written = new WeakMap<Uint8Array, Written>();
  readonly #log: (msg: string) => void;
  readonly #bookmarkMs: number;
  #rv = 0;
  #watch: Watch | null = null;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: CacheHubOptions) {
    this.#store = opts.store;
    this.#log = opts.log ?? (() => {});
    this.#bookmarkMs = opts.bookmarkIntervalMs ?? 5000;
  }

  /** rv is the latest store revision the caches reflect. */
  get rv(): number {
    return this.#rv;
  }

  /** start reads the store's revision and starts following it. */
  async start(): Promise<void> {
    this.#rv = await this.#store.currentRevision();
    await this.#follow();
    this.#timer = setInterval(() => {
      for (const c of this.#caches.values()) c.bookmark(this.#rv);
    }, this.#bookmarkMs);
    this.#timer.unref();
  }

  async #follow(): Promise<void> {
    const w = await this.#store.watch('/registry/', this.#rv);
    this.#watch = w;
    void this.#consume(w);
  }

  async #consume(w: Watch): Promise<void> {
    try {
      for await (const ev of w) this.#dispatch(ev);
      if (!this.#stopped) throw new Error('store watch ended');
    } catch (err) {
      if (this.#stopped) return;
      this.#log(`watch cache: store watch failed at revision ${this.#rv}: ${err instanceof Error ? err.message : String(err)}`);
      if (isStorageError(err, 'Compacted')) {
        // History we needed is gone: every cache must be rebuilt from a fresh list.
        await this.#relistAll();
      }
      await new Promise((r) => setTimeout(r, 500));
      if (!this.#stopped) await this.#follow().catch((e: unknown) => this.#log(`watch cache: cannot re-watch: ${String(e)}`));
    }
  }

  #dispatch(ev: WatchEvent): void {
    const key = ev.kv.key;
    const cache = this.#cacheFor(key);
    this.#rv = ev.kv.modRevision;
    if (cache) {
      const pending = this.#pending.get(cache.prefix);
      if (pending) pending.push(ev);
      else cache.apply(ev, ev.type === 'PUT' ? this.#written.get(ev.kv.value) : undefined);
    }
    while (this.#waiters.length > 0 && (this.#waiters[0] as { rv: number }).rv <= this.#rv) {
      this.#waiters.shift()?.resolve();
    }
  }

  /** cached returns the cached object at a store key, when its resource's cache is filled and holds it. */
  cached(key: string): CachedObject | undefined {
    const cache = this.#cacheFor(key);
    if (!cache || this.#pending.has(cache.prefix)) return undefined;
    return cache.get(key);
  }

  #cacheFor(key: string): ResourceCache | undefined {
    // Keys are /registry/<resource>/... for the core group and /registry/<group>/<resource>/... otherwise.
    const a = key.indexOf('/', 10);
    if (a < 0) return undefined;
    const one = this.#caches.get(key.slice(0, a + 1));
    if (one) return one;
    const b = key.indexOf('/', a + 1);
    return b < 0 ? undefined : this.#caches.get(key.slice(0, b + 1));
  }

  /**
   * noteWrite tells the caches that `json.bytes`, about to be written, is the JSON of `obj`, so the event the
   * write produces need not be parsed again. The caches then own obj: the writer may read it, never change it.
   * Stores that hand back other buffers than the written one (etcd) simply do not match.
   */
  noteWrite(obj: ApiObject, json: EncodedJson): void {
    this.#written.set(json.bytes, { obj, json });
  }

  /** register creates (once) the cache of a resource prefix, filled from the store at the hub's revision. */
  register(prefix: string): Promise<ResourceCache> {
    const existing = this.#caches.get(prefix);
    if (existing && !this.#pending.has(prefix)) return Promise.resolve(existing);
    let p = this.#registering.get(prefix);
    if (!p) {
      p = this.#fill(prefix).finally(() => this.#registering.delete(prefix));
      this.#registering.set(prefix, p);
    }
    return p;
  }

  async #fill(prefix: string): Promise<ResourceCache> {
    // Capture the revision and start buffering in one synchronous step, so no event falls between
    // the list below and the events applied after it.
    const rv = this.#rv;
    this.#pending.set(prefix, []);
    const placeholder = new ResourceCache(prefix, [], rv);
    this.#caches.set(prefix, placeholder);
    const initial = await this.#listAt(prefix, rv);
    const cache = new ResourceCache(prefix, initial, rv);
    this.#caches.set(prefix, cache);
    const buffered = this.#pending.get(prefix) ?? [];
    this.#pending.delete(prefix);
    for (const ev of buffered) if (ev.kv.modRevision > rv) cache.apply(ev);
    return cache;
  }

  /** unregister drops a resource's cache (a deleted CRD) and ends its watchers. */
  unregister(prefix: string): void {
    const c = this.#caches.get(prefix);
    if (!c) return;
    c.stop('the resource is no longer served');
    this.#caches.delete(prefix);
  }

  /** cache returns a registered cache. */
  cache(prefix: string): ResourceCache | undefined {
    return this.#caches.get(prefix);
  }

  async #listAt(prefix: string, rv: number): Promise<CachedObject[]> {
    const out: CachedObject[] = [];
    let continueKey: string | undefined;
    for (;;) {
      const page = await this.#store.list(prefix, { limit: 5000, revision: rv, ...(continueKey === undefined ? {} : { continueKey }) });
      for (const kv of page.kvs) out.push(toCached(kv, kv.modRevision, prefix));
      if (!page.more) return out;
      continueKey = page.kvs[page.kvs.length - 1]?.key;
    }
  }

  async #relistAll(): Promise<void> {
    this.#rv = await this.#store.currentRevision();
    for (const prefix of [...this.#caches.keys()]) {
      const old = this.#caches.get(prefix);
      old?.stop('the watch cache was rebuilt');
      const initial = await this.#listAt(prefix, this.#rv);
      this.#caches.set(prefix, new ResourceCache(prefix, initial, this.#rv));
    }
  }

  /** waitFor resolves once the caches reflect revision rv (or rejects after timeoutMs). */
  waitFor(rv: number, timeoutMs = 3000): Promise<void> {
    if (rv <= this.#rv) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(entry);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`timed out waiting for the watch cache to reach revision ${rv} (at ${this.#rv})`));
      }, timeoutMs);
      const entry = {
        rv,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      // Keep waiters ordered by revision so #dispatch can release them from the front.
      let i = this.#waiters.length;
      while (i > 0 && (this.#waiters[i - 1] as { rv: number }).rv > rv) i--;
      this.#waiters.splice(i, 0, entry);
    });
  }

  /** waitFresh waits until the caches reflect every write the store has acknowledged. */
  async waitFresh(): Promise<void> {
    await this.waitFor(await this.#store.currentRevision());
  }

  /** stop ends the store watch and every watcher. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watch?.close();
    for (const c of this.#caches.values()) c.stop('the server is shutting down');
  }
}
