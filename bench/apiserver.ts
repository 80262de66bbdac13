// berth bench apiserver: pod creates/s and gets/s over HTTPS with 64 clients, a 10,000-pod list, and
// watch fan-out delay at 1,000 watchers; compared with the bare store's creates/s in the same run.
// Creates and gets come from h2load (installed from apt when missing) with a static admin token, or from this
// process's HTTP/2 client with the admin certificate when h2load is absent or BERTH_BENCH_LOADGEN=node.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { startServer } from '../src/testing/server-process.ts';
import { SqliteStore } from '../src/storage/index.ts';
import { H2Client } from './h2client.ts';
import { ensureH2load, runH2load, type H2loadRun } from './h2load.ts';
import { percentile, processCpuSeconds, threadCpuSeconds } from './stats.ts';

function pod(name: string, namespace = 'bench'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', tier: 'web' } },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/** runPool runs `total` tasks on `workers` concurrent loops and returns each task's latency in ms; onDone sees each completion count. */
async function runPool(workers: number, total: number, task: (i: number) => Promise<unknown>, onDone?: (done: number) => void): Promise<{ seconds: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await task(i);
        latencies.push(performance.now() - s);
        onDone?.(latencies.length);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

async function bareStoreCreates(total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-bare-'));
  const store = SqliteStore.open({ path: join(dir, 'state.db'), autoCompact: null });
  try {
    const value = new TextEncoder().encode(JSON.stringify(pod('x')).padEnd(1200, ' '));
    const { seconds } = await runPool(64, total, (i) => store.create(`/registry/pods/bench/p${i}`, value));
    return total / seconds;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** LoadGenerator sends the creates and gets of the benchmark: h2load when installed, else this process's HTTP/2 client. */
interface LoadGenerator {
  name: 'h2load' | 'node';
  /** creates posts `n` pods to a namespace and returns the time, the latencies and its own CPU in µs. */
  creates(namespace: string, n: number): Promise<{ seconds: number; latencies: number[]; cpuUs: number }>;
  /** gets reads the given paths `n` times in turn. */
  gets(paths: string[], n: number): Promise<{ seconds: number; latencies: number[]; cpuUs: number }>;
}

/** nodeLoad sends requests with 64 concurrent streams of bench/h2client.ts over its 4 sessions. */
function nodeLoad(h2: H2Client): LoadGenerator {
  let seq = 0;
  const timed = async (n: number, task: (i: number) => Promise<unknown>): Promise<{ seconds: number; latencies: number[]; cpuUs: number }> => {
    const c0 = process.cpuUsage();
    const r = await runPool(64, n, task);
    const c1 = process.cpuUsage(c0);
    return { ...r, cpuUs: c1.user + c1.system };
  };
  const must = async (method: string, path: string, body: unknown, want: number): Promise<void> => {
    const res = await h2.request(method, path, body);
    if (res.status !== want) throw new Error(`${method} ${path}: ${res.status} ${res.body.toString().slice(0, 300)}`);
  };
  return {
    name: 'node',
    creates: (namespace, n) => timed(n, () => must('POST', `/api/v1/namespaces/${namespace}/pods`, pod(`p${seq++}`, namespace), 201)),
    gets: (paths, n) => timed(n, (i) => must('GET', paths[i % paths.length] as string, undefined, 200)),
  };
}

/** h2loadLoad sends the same requests with h2load: 4 connections of 16 streams, a bearer token, generated pod names. */
function h2loadLoad(base: string, token: string): LoadGenerator {
  const common = { base, connections: 4, streams: 16, headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' } };
  const checked = async (run: Promise<H2loadRun>, want: number): Promise<{ seconds: number; latencies: number[]; cpuUs: number }> => {
    const r = await run;
    const bad = [...r.statuses].filter(([status]) => status !== want);
    if (bad.length > 0) throw new Error(`h2load: responses other than ${want}: ${bad.map(([st, n]) => `${n} x ${st}`).join(', ')}`);
    return r;
  };
  return {
    name: 'h2load',
    creates: (namespace, n) => {
      const body = pod('', namespace) as { metadata: Record<string, unknown> };
      delete body.metadata.name;
      body.metadata.generateName = 'p-';
      return checked(runH2load({ ...common, paths: [`/api/v1/namespaces/${namespace}/pods`], body: JSON.stringify(body), requests: n }), 201);
    },
    gets: (paths, n) => checked(runH2load({ ...common, paths, requests: n }), 200),
  };
}

/** benchToken writes a static token for an admin user into a new data directory's token file, for h2load. */
function benchToken(dataDir: string): string {
  const token = randomBytes(16).toString('hex');
  mkdirSync(join(dataDir, 'cred'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'cred', 'tokens.csv'), `${token},berth-bench,berth-bench,"system:masters"\n`, { mode: 0o600 });
  return token;
}

/** apiserverBenchmark measures the API server over HTTPS against the bare store. */
export default async function apiserverBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  const creates = quick ? 3000 : 10_000;
  const watchers = quick ? 200 : 1000;
  const useH2load = process.env.BERTH_BENCH_LOADGEN !== 'node' && ensureH2load(log);
  if (!useH2load) log('load generator: this process\'s HTTP/2 client (h2load is not installed, or BERTH_BENCH_LOADGEN=node)');
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-api-'));
  const token = benchToken(dataDir);
  // The server runs in its own process, as in production, so client and server do not share a core.
  const server = await startServer(['--disable', 'controllers', ...(process.env.BERTH_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)], dataDir);
  try {
    const kc = await readKubeconfig(server.kubeconfig);
    const h2 = new H2Client(kc.server, { ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }, 4);
    const load = useH2load ? h2loadLoad(kc.server, token) : nodeLoad(h2);
    const must = async (method: string, path: string, body?: unknown, want = 200): Promise<Buffer> => {
      const res = await h2.request(method, path, body);
      if (res.status !== want) throw new Error(`${method} ${path}: ${res.status} ${res.body.toString().slice(0, 300)}`);
      return res.body;
    };
    const podPaths = async (namespace: string): Promise<string[]> => {
      const list = JSON.parse((await must('GET', `/api/v1/namespaces/${namespace}/pods`)).toString()) as { items: { metadata: { name: string } }[] };
      return list.items.map((p) => `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}`);
    };
    await must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }, 201);
    const podsPath = '/api/v1/namespaces/bench/pods';

    // CPU per operation (server process and the load generator) varies far less than rates on a shared
    // 2-core machine, and says which side a rate is bound by.
    const cpuPerOp = async (ops: number, run: () => Promise<{ seconds: number; latencies: number[]; cpuUs: number }>): Promise<{ result: { seconds: number; latencies: number[] }; serverUs: number; clientUs: number }> => {
      const s0 = processCpuSeconds(server.pid);
      const result = await run();
      return { result, serverUs: ((processCpuSeconds(server.pid) - s0) * 1e6) / ops, clientUs: result.cpuUs / ops };
    };

    // A server runs for days; a fresh one spends its first thousands of requests in V8's slower tiers and
    // compiles (the first/second-half split below shows by how much). The figures are for a warmed server: the
    // same creates, gets and a list first, in a namespace of their own, uncounted.
    const warmup = quick ? 1000 : 3000;
    await must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'warmup' } }, 201);
    log(`warming up: ${warmup} creates and gets in namespace warmup (not counted)...`);
    await load.creates('warmup', warmup);
    await load.gets(await podPaths('warmup'), warmup);

    log(`creating ${creates} pods with 64 concurrent streams over 4 HTTP/2 connections (${load.name})...`);
    // The server's CPU by thread, and in the first and second half of the creates: a fresh server's first
    // thousands of creates also pay for V8's compiles and run in its slower tiers until they are done.
    const half = Math.floor(creates / 2);
    const threads0 = threadCpuSeconds(server.pid);
    let threadsHalf = threads0;
    const cc = await cpuPerOp(creates, async () => {
      const first = await load.creates('bench', half);
      threadsHalf = threadCpuSeconds(server.pid);
      const second = await load.creates('bench', creates - half);
      return { seconds: first.seconds + second.seconds, latencies: [...first.latencies, ...second.latencies], cpuUs: first.cpuUs + second.cpuUs };
    });
    const threads1 = threadCpuSeconds(server.pid);
    const c = cc.result;
    const createsPerS = creates / c.seconds;
    const usPerCreate = (from: Record<string, number>, to: Record<string, number>, ops: number, names?: string[]): number => {
      let sum = 0;
      for (const [name, s] of Object.entries(to)) if (!names || names.includes(name)) sum += s - (from[name] ?? 0);
      return (sum * 1e6) / ops;
    };
    const split = {
      first: usPerCreate(threads0, threadsHalf, half),
      second: usPerCreate(threadsHalf, threads1, creates - half),
      main: usPerCreate(threads0, threads1, creates, ['MainThread']),
      v8: usPerCreate(threads0, threads1, creates, ['V8Worker']),
      sqlite: usPerCreate(threads0, threads1, creates, ['WorkerThread']),
    };
    log(`  ${createsPerS.toFixed(0)} creates/s, p50 ${percentile(c.latencies, 50).toFixed(1)} ms, p99 ${percentile(c.latencies, 99).toFixed(1)} ms; CPU per create: server ${cc.serverUs.toFixed(0)} µs, load generator ${cc.clientUs.toFixed(0)} µs`);
    log(`  server CPU per create by thread: main ${split.main.toFixed(0)}, V8 helpers (GC, compiles) ${split.v8.toFixed(0)}, SQLite ${split.sqlite.toFixed(0)} µs; first half ${split.first.toFixed(0)} µs, second half ${split.second.toFixed(0)} µs`);

    const gets = quick ? 5000 : 20_000;
    const paths = await podPaths('bench');
    // Spread over the pods rather than in creation order.
    const spread = paths.map((_, i) => paths[(i * 7919) % paths.length] as string);
    const gc = await cpuPerOp(gets, () => load.gets(spread, gets));
    const g = gc.result;
    const getsPerS = gets / g.seconds;
    log(`  ${getsPerS.toFixed(0)} gets/s, p99 ${percentile(g.latencies, 99).toFixed(1)} ms; CPU per get: server ${gc.serverUs.toFixed(0)} µs, load generator ${gc.clientUs.toFixed(0)} µs`);

    // Fill to 10,000 pods for the list figure.
    if (creates < 10_000) await load.creates('bench', 10_000 - creates);
    // Each list's time in parts: until the response headers (the server's time to first byte), until the last
    // byte, and this client's JSON.parse; with the server's CPU for it. The figure is the call's latency, from the
    // request to its last byte (upstream's request-latency SLI, which a client's own parsing is not part of), of
    // the fastest of three lists; with the client's parse it is list_10k_with_parse_ms.
    const lists: { total: number; headers: number; body: number; parse: number; serverMs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const s0 = processCpuSeconds(server.pid);
      const t0 = performance.now();
      const res = await h2.request('GET', podsPath);
      const t1 = performance.now();
      const s1 = processCpuSeconds(server.pid);
      if (res.status !== 200) throw new Error(`GET ${podsPath}: ${res.status}`);
      const list = JSON.parse(res.body.toString()) as { items: unknown[] };
      const t2 = performance.now();
      if (list.items.length !== 10_000) throw new Error(`listed ${list.items.length} pods`);
      lists.push({ total: t2 - t0, headers: res.headersAt - t0, body: t1 - res.headersAt, parse: t2 - t1, serverMs: (s1 - s0) * 1e3 });
    }
    const fastest = lists.reduce((a, b) => (b.headers + b.body < a.headers + a.body ? b : a));
    const list10k = fastest.headers + fastest.body;
    log(`  list of 10,000 pods: ${list10k.toFixed(0)} ms to the last byte, ${fastest.total.toFixed(0)} ms with the client's parse (headers ${fastest.headers.toFixed(0)} ms, body ${fastest.body.toFixed(0)} ms, client JSON.parse ${fastest.parse.toFixed(0)} ms; server CPU ${fastest.serverMs.toFixed(0)} ms)`);

    log(`opening ${watchers} watches...`);
    const sent = new Map<string, number>();
    const delays: number[] = [];
    const abort = new AbortController();
    const rv = (JSON.parse((await must('GET', `${podsPath}?limit=1`)).toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const writes = quick ? 50 : 100;
    const watchClient = new H2Client(kc.server, { ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }, Math.ceil(watchers / 500));
    let received = 0;
    const allDelivered = new Promise<void>((resolve) => {
      for (let i = 0; i < watchers; i++) {
        void watchClient.watch(`${podsPath}?watch=true&resourceVersion=${rv}&labelSelector=watch%3Dyes`, (line) => {
          const t = performance.now();
          const name = /"name":"(w\d+)"/.exec(line)?.[1];
          const sentAt = name ? sent.get(name) : undefined;
          if (sentAt !== undefined) delays.push(t - sentAt);
          if (++received === watchers * writes) resolve();
        }, abort.signal);
      }
    });
    await new Promise((r) => setTimeout(r, 2000));
    const callLatencies: number[] = [];
    for (let i = 0; i < writes; i++) {
      const name = `w${i}`;
      const p = pod(name);
      (p.metadata as { labels: Record<string, string> }).labels.watch = 'yes';
      const t0 = performance.now();
      sent.set(name, t0);
      await must('POST', podsPath, p, 201);
      callLatencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.race([allDelivered, new Promise((r) => setTimeout(r, 30_000).unref())]);
    abort.abort();
    watchClient.close();
    h2.close();
    const watchP50 = percentile(delays, 50);
    const watchP99 = percentile(delays, 99);
    log(`  watch delay p50 ${watchP50.toFixed(1)} ms, p99 ${watchP99.toFixed(1)} ms over ${delays.length} deliveries`);

    log('bare store creates...');
    const storeCreates = await bareStoreCreates(creates);
    const callP99 = percentile([...c.latencies, ...g.latencies, ...callLatencies], 99);
    return {
      title: `berth bench apiserver${quick ? ' --quick' : ''}`,
      rows: [
        { name: 'pod creates/s (64 clients, HTTPS)', value: createsPerS, unit: '/s', note: 'goal >= 3000' },
        { name: 'bare store creates/s (64 writers)', value: storeCreates, unit: '/s' },
        { name: 'API/store create ratio', value: createsPerS / storeCreates, unit: 'x' },
        { name: 'pod gets/s (64 clients)', value: getsPerS, unit: '/s' },
        { name: 'list 10,000 pods (JSON), to the last byte', value: list10k, unit: 'ms', note: 'goal <= 300' },
        { name: 'list 10,000 pods with the client\'s JSON.parse', value: fastest.total, unit: 'ms' },
        { name: `watch delay p50 (${watchers} watchers)`, value: watchP50, unit: 'ms' },
        { name: `watch delay p99 (${watchers} watchers)`, value: watchP99, unit: 'ms', note: 'goal <= 100' },
        { name: 'API call latency p99', value: callP99, unit: 'ms', note: 'goal <= 50' },
      ],
      figures: {
        creates_per_s: Math.round(createsPerS),
        gets_per_s: Math.round(getsPerS),
        list_10k_ms: Math.round(list10k),
        list_10k_with_parse_ms: Math.round(fastest.total),
        warmup_creates: warmup,
        load_generator: load.name,
        watchers,
        watch_p50_ms: Math.round(watchP50 * 10) / 10,
        watch_p99_ms: Math.round(watchP99 * 10) / 10,
        call_p99_ms: Math.round(callP99 * 10) / 10,
        store_creates_per_s: Math.round(storeCreates),
        api_vs_store_creates: Math.round((createsPerS / storeCreates) * 100) / 100,
        server_cpu_us_per_create: Math.round(cc.serverUs),
        client_cpu_us_per_create: Math.round(cc.clientUs),
        server_cpu_us_per_get: Math.round(gc.serverUs),
        server_cpu_us_per_create_main: Math.round(split.main),
        server_cpu_us_per_create_v8_helpers: Math.round(split.v8),
        server_cpu_us_per_create_sqlite: Math.round(split.sqlite),
        server_cpu_us_per_create_first_half: Math.round(split.first),
        server_cpu_us_per_create_second_half: Math.round(split.second),
        list_10k_headers_ms: Math.round(fastest.headers),
        list_10k_body_ms: Math.round(fastest.body),
        list_10k_parse_ms: Math.round(fastest.parse),
        list_10k_server_cpu_ms: Math.round(fastest.serverMs),
      },
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
