import { Gauge, Registry } from 'prom-client';
import { LabeledCounter, LabeledHistogram } from '../metrics/labeled.ts';
import type { Store } from '../storage/index.ts';

/** WatcherCount is the number of open watches of one resource. */
export interface WatcherCount {
  group: string;
  resource: string;
  count: number;
}

/** ApiMetrics are the API server's Prometheus metrics, in a registry of their own (no global state). */
export class ApiMetrics {
  readonly registry = new Registry();
  // Counted on every request and store call: series looked up by label values, not prom-client's per-call label
  // hashing (metrics/labeled.ts).
  readonly requests: LabeledCounter<'verb' | 'group' | 'resource' | 'code'>;
  readonly latency: LabeledHistogram<'verb' | 'group' | 'resource'>;
  readonly watchers: Gauge<'group' | 'resource'>;
  readonly storeLatency: LabeledHistogram<'operation'>;
  #watcherSource: (() => Iterable<WatcherCount>) | undefined;

  constructor() {
    this.requests = new LabeledCounter({ name: 'apiserver_request_total', help: 'Requests by verb, group, resource and HTTP code.', labelNames: ['verb', 'group', 'resource', 'code'], registry: this.registry });
    this.latency = new LabeledHistogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Request latency by verb, group and resource (watches excluded).',
      labelNames: ['verb', 'group', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry: this.registry,
    });
    this.storeLatency = new LabeledHistogram({
      name: 'apiserver_storage_request_duration_seconds',
      help: 'Datastore call latency by operation.',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registry: this.registry,
    });
    this.watchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Open watches by group and resource.',
      labelNames: ['group', 'resource'],
      registers: [this.registry],
      collect: () => {
        const source = this.#watcherSource;
        if (!source) return;
        this.watchers.reset();
        for (const w of source()) this.watchers.set({ group: w.group, resource: w.resource }, w.count);
      },
    });
  }

  /** countWatchers makes the watchers gauge report, at each scrape, what source counts. */
  countWatchers(source: () => Iterable<WatcherCount>): void {
    this.#watcherSource = source;
  }
}

/** instrumentStore wraps a store so every call's latency is observed in ApiMetrics.storeLatency. */
export function instrumentStore(store: Store, metrics: ApiMetrics): Store {
  const timed = <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      return await fn(...args);
    } finally {
      metrics.storeLatency.observe({ operation }, (performance.now() - started) / 1000);
    }
  };
  return {
    name: store.name,
    currentRevision: () => store.currentRevision(),
    get: timed('get', (key: string, opts?: { revision?: number }) => store.get(key, opts)),
    list: timed('list', (prefix: string, opts?: Parameters<Store['list']>[1]) => store.list(prefix, opts)),
    create: timed('create', (key: string, value: Uint8Array, opts?: Parameters<Store['create']>[2]) => store.create(key, value, opts)),
    update: timed('update', (key: string, value: Uint8Array, rev: number, opts?: Parameters<Store['update']>[3]) => store.update(key, value, rev, opts)),
    delete: timed('delete', (key: string, rev?: number) => store.delete(key, rev)),
    watch: (prefix, from) => store.watch(prefix, from),
    compact: (rev) => store.compact(rev),
    compactRevision: () => store.compactRevision(),
    grantLease: (ttl) => store.grantLease(ttl),
    keepAlive: (lease) => store.keepAlive(lease),
    revokeLease: (lease) => store.revokeLease(lease),
    close: () => store.close(),
  };
}
