import { isApiError } from '../api/errors.ts';
import { objectKey, type ApiObject } from '../api/object.ts';
import { Indexer, type IndexFunc } from './indexer.ts';
import type { ResourceClient } from './resource-client.ts';

/** EventHandler receives an informer's changes; handlers only map objects to work-queue keys. */
export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

/** InformerOptions scope an informer and add indexes. */
export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** log reports list/watch failures (they are retried). */
  log?: (msg: string) => void;
  /** watchTimeoutSeconds bounds each watch request (default 5 to 10 minutes, as client-go). */
  watchTimeoutSeconds?: number;
}

/**
 * Informer keeps an indexed cache of one resource in step with the server: list, then watch from the
 * list's resourceVersion, resuming watches where they ended and relisting when the server says 410 Gone.
 */
export class Informer<T extends ApiObject = ApiObject> {
  readonly store: Indexer<T>;
  readonly #client: ResourceClient<T>;
  readonly #opts: InformerOptions<T>;
  readonly #handlers: EventHandler<T>[] = [];
  #synced = false;
  #syncedResolve!: () => void;
  /** synced resolves once the first list has been stored. */
  readonly synced: Promise<void>;
  #rv = '';
  #running = false;

  constructor(client: ResourceClient<T>, opts: InformerOptions<T> = {}) {
    this.#client = client;
    this.#opts = opts;
    this.store = new Indexer<T>(opts.indexers ?? {});
    this.synced = new Promise((resolve) => {
      this.#syncedResolve = resolve;
    });
  }

  /** hasSynced tells whether the first list is in the cache. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** lastSyncResourceVersion is the resourceVersion the cache reflects. */
  get resourceVersion(): string {
    return this.#rv;
  }

  /** addHandler registers handlers; a late handler first gets onAdd for every cached object. */
  addHandler(h: EventHandler<T>): void {
    this.#handlers.push(h);
    if (this.#synced) for (const o of this.store.list()) h.onAdd?.(o);
  }

  /** run lists and watches until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const log = this.#opts.log ?? (() => {});
    let backoff = 100;
    while (!signal.aborted) {
      try {
        if (!this.#rv) await this.#relist();
        await this.#watch(signal);
        backoff = 100;
      } catch (err) {
        if (signal.aborted) break;
        if (isApiError(err, 'Expired') || isApiError(err, 'Gone')) {
          this.#rv = '';
          continue;
        }
        log(`informer ${this.#client.ref.resource}: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.#running = false;
  }

  async #relist(): Promise<void> {
    const list = await this.#client.listAll(this.#opts.namespace, this.#query());
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.upsert(obj);
      if (!old) for (const h of this.#handlers) h.onAdd?.(obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) for (const h of this.#handlers) h.onUpdate?.(old, obj);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key);
      if (old) for (const h of this.#handlers) h.onDelete?.(old);
    }
    this.#rv = list.metadata.resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      this.#syncedResolve();
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.#opts.watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    const events = this.#client.watch(this.#opts.namespace, { ...this.#query(), resourceVersion: this.#rv, allowWatchBookmarks: true, timeoutSeconds, signal });
    for await (const ev of events) {
      switch (ev.type) {
        case 'ADDED':
        case 'MODIFIED': {
          const old = this.store.upsert(ev.object);
          for (const h of this.#handlers) {
            if (old) h.onUpdate?.(old, ev.object);
            else h.onAdd?.(ev.object);
          }
          break;
        }
        case 'DELETED': {
          const old = this.store.remove(objectKey(ev.object));
          for (const h of this.#handlers) h.onDelete?.(old ?? ev.object);
          break;
        }
        case 'BOOKMARK':
          break;
        case 'ERROR': {
          if (ev.object.code === 410) {
            this.#rv = '';
            return;
          }
          throw new Error(`watch error: ${ev.object.message ?? 'unknown'}`);
        }
        default: {
          const never: never = ev;
          throw new Error(`unknown watch event ${JSON.stringify(never)}`);
        }
      }
      this.#rv = ev.object.metadata?.resourceVersion ?? this.#rv;
    }
  }

  #query(): { labelSelector?: string; fieldSelector?: string } {
    return {
      ...(this.#opts.labelSelector ? { labelSelector: this.#opts.labelSelector } : {}),
      ...(this.#opts.fieldSelector ? { fieldSelector: this.#opts.fieldSelector } : {}),
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
