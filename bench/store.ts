// berth bench store: puts/s (1 and 64 writers), watch latency with 100 watchers, and a 10,000-key list,
// for the SQLite backend and a throwaway local etcd in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { EtcdStore, SqliteStore, type Store } from '../src/storage/index.ts';
import { startEtcd } from '../src/testing/etcd.ts';
import { percentile } from './stats.ts';

const value = new Uint8Array(1536).fill(120);

interface Figures {
  puts1: number;
  puts64: number;
  watchP50: number;
  watchP99: number;
  list10k: number;
}

/** putsPerSecond runs `writers` loops of creates for `total` keys and returns the rate. */
async function putsPerSecond(store: Store, prefix: string, writers: number, total: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const i = next++;
        await store.create(`${prefix}${i}`, value);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** watchLatency puts `writes` keys at a steady pace and measures write-to-delivery delay at each of `watchers` watchers. */
async function watchLatency(store: Store, prefix: string, watchers: number, writes: number): Promise<number[]> {
  const from = await store.currentRevision();
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const streams = await Promise.all(Array.from({ length: watchers }, () => store.watch(prefix, from)));
  const readers = streams.map(async (w) => {
    let n = 0;
    for await (const ev of w) {
      const t = sent.get(ev.kv.key);
      if (t !== undefined) delays.push(performance.now() - t);
      if (++n === writes) break;
    }
  });
  for (let i = 0; i < writes; i++) {
    const key = `${prefix}${i}`;
    sent.set(key, performance.now());
    await store.create(key, value);
    // A steady 200 writes/s, so the figure is delivery delay, not queueing behind a burst.
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(readers);
  for (const w of streams) w.close();
  return delays;
}

/** listTime fills a prefix with n keys and times one full list of it (best of three). */
async function listTime(store: Store, prefix: string, n: number): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) await store.create(`${prefix}${String(next++).padStart(6, '0')}`, value);
    }),
  );
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const res = await store.list(prefix);
    if (res.kvs.length !== n) throw new Error(`list returned ${res.kvs.length} keys, want ${n}`);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function measure(store: Store, quick: boolean, log: (l: string) => void): Promise<Figures> {
  const puts1 = await putsPerSecond(store, '/registry/bench/seq/', 1, quick ? 300 : 2000);
  log(`  ${store.name}: ${puts1.toFixed(0)} puts/s with 1 writer`);
  const puts64 = await putsPerSecond(store, '/registry/bench/par/', 64, quick ? 5000 : 30000);
  log(`  ${store.name}: ${puts64.toFixed(0)} puts/s with 64 writers`);
  const delays = await watchLatency(store, '/registry/bench/watch/', 100, quick ? 100 : 500);
  log(`  ${store.name}: watch p99 ${percentile(delays, 99).toFixed(2)} ms`);
  const list10k = await listTime(store, '/registry/bench/list/', 10_000);
  log(`  ${store.name}: list of 10,000 keys ${list10k.toFixed(1)} ms`);
  return { puts1, puts64, watchP50: percentile(delays, 50), watchP99: percentile(delays, 99), list10k };
}

/** storeBenchmark compares the SQLite backend with a local etcd. */
export default async function storeBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-store-'));
  let sqlite: Figures;
  let etcdFigures: Figures;
  try {
    log('SQLite (WAL, synchronous=FULL):');
    const store = SqliteStore.open({ path: join(dir, 'state.db'), autoCompact: null });
    try {
      sqlite = await measure(store, quick, log);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log('etcd (local, through the etcd3 client):');
  const etcd = await startEtcd();
  try {
    const store = new EtcdStore({ endpoints: [etcd.endpoint] });
    try {
      etcdFigures = await measure(store, quick, log);
    } finally {
      await store.close();
    }
  } finally {
    await etcd.stop();
  }
  const ratio64 = sqlite.puts64 / etcdFigures.puts64;
  return {
    title: `berth bench store${quick ? ' --quick' : ''}: SQLite vs etcd`,
    rows: [
      { name: 'sqlite puts/s, 1 writer', value: sqlite.puts1, unit: '/s' },
      { name: 'etcd puts/s, 1 writer', value: etcdFigures.puts1, unit: '/s' },
      { name: 'sqlite puts/s, 64 writers', value: sqlite.puts64, unit: '/s' },
      { name: 'etcd puts/s, 64 writers', value: etcdFigures.puts64, unit: '/s' },
      { name: 'ratio sqlite/etcd, 1 writer', value: sqlite.puts1 / etcdFigures.puts1, unit: 'x' },
      { name: 'ratio sqlite/etcd, 64 writers', value: ratio64, unit: 'x', note: 'goal >= 10' },
      { name: 'sqlite watch p50 (100 watchers)', value: sqlite.watchP50, unit: 'ms' },
      { name: 'sqlite watch p99 (100 watchers)', value: sqlite.watchP99, unit: 'ms', note: 'goal < 20' },
      { name: 'etcd watch p50 (100 watchers)', value: etcdFigures.watchP50, unit: 'ms' },
      { name: 'etcd watch p99 (100 watchers)', value: etcdFigures.watchP99, unit: 'ms' },
      { name: 'sqlite list 10,000 keys', value: sqlite.list10k, unit: 'ms' },
      { name: 'etcd list 10,000 keys', value: etcdFigures.list10k, unit: 'ms' },
    ],
    figures: {
      sqlite_puts_per_s_1: Math.round(sqlite.puts1),
      sqlite_puts_per_s_64: Math.round(sqlite.puts64),
      etcd_puts_per_s_1: Math.round(etcdFigures.puts1),
      etcd_puts_per_s_64: Math.round(etcdFigures.puts64),
      ratio_1: round(sqlite.puts1 / etcdFigures.puts1),
      ratio_64: round(ratio64),
      watch_p50_ms: round(sqlite.watchP50),
      watch_p99_ms: round(sqlite.watchP99),
      etcd_watch_p99_ms: round(etcdFigures.watchP99),
      list_10k_ms: round(sqlite.list10k),
      etcd_list_10k_ms: round(etcdFigures.list10k),
    },
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
