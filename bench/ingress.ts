// berth bench ingress: keep-alive requests/s and p50/p99 latency to loopback backends directly, through Berth's
// ingress data plane, and through a stock nginx reverse proxy when nginx is installed (nginx_rps: null otherwise).
// Backends, the ingress and the load generator each run in their own worker thread; nginx runs as its own process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import type { IngressConfig } from '../src/ingress/config.ts';
import { IngressMetrics } from '../src/ingress/metrics.ts';
import { selfSignedCertificate } from '../src/ingress/tls.ts';
import { IngressWorkerPool } from '../src/ingress/workers.ts';
import type { LoadOptions, LoadResult } from './httpload.ts';
import type { WorkerJob } from './ingress-worker.ts';
import { percentile, processCpuSeconds } from './stats.ts';

/** IngressBenchResult holds the figures of one run. */
export interface IngressBenchResult {
  direct: LoadResult;
  ingress: LoadResult;
  nginx: LoadResult | null;
  ingressWorkers: number;
  /** ingressCpuUsPerRequest is the data-plane threads' CPU time per proxied request (median over rounds). */
  ingressCpuUsPerRequest: number;
  /** nginxCpuUsPerRequest is nginx's workers' CPU time per request (median over rounds; null without nginx). */
  nginxCpuUsPerRequest: number | null;
}

/** IngressBenchOptions size a run. */
export interface IngressBenchOptions {
  durationMs: number;
  connections: number;
  /** ingressWorkers is how many data-plane threads share the port (SO_REUSEPORT). */
  ingressWorkers: number;
  /** nginxWorkers is nginx's worker_processes (a number, or "auto" as stock nginx.conf). */
  nginxWorkers: string;
  /** rounds alternate the ingress and nginx phases (default 1); the best run of each is reported. */
  rounds?: number;
  log: (line: string) => void;
}

const backendIps = ['127.0.0.2', '127.0.0.3'];
const workerFile = new URL('./ingress-worker.ts', import.meta.url);

function startWorker<T>(job: WorkerJob): { worker: Worker; first: Promise<T> } {
  const worker = new Worker(workerFile, { workerData: job });
  const first = new Promise<T>((resolve, reject) => {
    worker.once('message', (m: T) => resolve(m));
    worker.once('error', reject);
  });
  return { worker, first };
}

async function load(opts: LoadOptions): Promise<LoadResult> {
  const { worker, first } = startWorker<LoadResult>({ role: 'load', load: opts });
  const r = await first;
  await worker.terminate();
  return r;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  return port;
}

/** nginxBinary finds an installed nginx, or null. */
export function nginxBinary(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(p, ['-v'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

/** nginxCpuUs is the CPU time (µs) nginx's worker processes have used (/proc, in 10 ms clock ticks). */
function nginxCpuUs(masterPid: number): number {
  const workers = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return workers.reduce((sum, pid) => sum + processCpuSeconds(Number(pid)) * 1e6, 0);
}

async function startNginx(bin: string, backendPort: number, workers: string): Promise<{ port: number; cpuUs: () => number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-nginx-'));
  const port = await freePort();
  // A stock reverse proxy with upstream keep-alive, as a tuned nginx serves Ingress traffic (access log off on both
  // sides), sending the backend the same X-Real-IP and X-Forwarded-* headers as the ingress (ingress-nginx's set).
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000;
  upstream backends {
    ${backendIps.map((ip) => `server ${ip}:${backendPort};`).join('\n    ')}
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`);
  const child: ChildProcess = spawn(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    cpuUs: () => nginxCpuUs(child.pid as number),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** measureIngress measures the direct path, then alternates the ingress and nginx phases `rounds` times on the same backends (best of each). */
export async function measureIngress(o: IngressBenchOptions): Promise<IngressBenchResult> {
  const backends = startWorker<{ port: number }>({ role: 'backends', ips: backendIps });
  const { port: backendPort } = await backends.first;
  const base = { connections: o.connections, durationMs: o.durationMs, warmupMs: Math.min(1_000, o.durationMs / 4), path: '/', hostHeader: 'bench.test' };
  const stops: (() => Promise<void>)[] = [];
  try {
    o.log(`direct: ${o.connections} connections to ${backendIps[0]}:${backendPort}`);
    const direct = await load({ ...base, host: backendIps[0] as string, port: backendPort });

    const config: IngressConfig = {
      servers: [{ host: 'bench.test', sslRedirect: false, routes: [{ path: '/', pathType: 'Prefix', backend: 'default/bench:80', ingress: 'default/bench' }] }],
      backends: [{ name: 'default/bench:80', namespace: 'default', service: 'bench', endpoints: backendIps.map((ip) => `${ip}:${backendPort}`) }],
      tls: [],
    };
    // The data plane `berth server` runs: IngressProxy threads sharing the port, metrics on, access log off.
    const pool = new IngressWorkerPool({ workers: o.ingressWorkers, bindAddress: '127.0.0.1', httpPort: 0, httpsPort: null, defaultCertificate: await selfSignedCertificate(), metrics: new IngressMetrics() });
    pool.update(config);
    stops.push(() => pool.close(100));
    await pool.listen();
    const ingressPort = pool.httpPort;
    const bin = nginxBinary();
    const n = bin ? await startNginx(bin, backendPort, o.nginxWorkers) : null;
    if (n) stops.push(n.stop);
    else o.log('nginx: not installed (apt-get install nginx-light to compare)');
    const ingressRuns: LoadResult[] = [];
    const nginxRuns: LoadResult[] = [];
    // CPU per request is the steadier comparison on a shared machine: throughput follows whatever else runs.
    const ingressCpu: number[] = [];
    const nginxCpu: number[] = [];
    for (let i = 0; i < (o.rounds ?? 1); i++) {
      o.log(`ingress: ${o.ingressWorkers} data-plane thread(s) on 127.0.0.1:${ingressPort}`);
      const cpu0 = await pool.cpuUsage();
      const r = await load({ ...base, host: '127.0.0.1', port: ingressPort });
      ingressCpu.push((await pool.cpuUsage() - cpu0) / Math.max(1, r.allRequests));
      ingressRuns.push(r);
      if (n) {
        o.log(`nginx: worker_processes ${o.nginxWorkers} on 127.0.0.1:${n.port}`);
        const ncpu0 = n.cpuUs();
        const nr = await load({ ...base, host: '127.0.0.1', port: n.port });
        nginxCpu.push((n.cpuUs() - ncpu0) / Math.max(1, nr.allRequests));
        nginxRuns.push(nr);
      }
    }
    return { direct, ingress: best(ingressRuns) as LoadResult, nginx: best(nginxRuns), ingressWorkers: o.ingressWorkers, ingressCpuUsPerRequest: percentile(ingressCpu, 50), nginxCpuUsPerRequest: n ? percentile(nginxCpu, 50) : null };
  } finally {
    for (const stop of stops.reverse()) await stop();
    backends.worker.postMessage('stop');
    await backends.worker.terminate();
  }
}

function best(runs: LoadResult[]): LoadResult | null {
  return runs.reduce<LoadResult | null>((a, r) => (a === null || r.rps > a.rps ? r : a), null);
}

/** default is `berth bench ingress [--quick]`. */
export default async function bench(opts: BenchOptions): Promise<BenchReport> {
  const env = (name: string): string | undefined => process.env[name];
  const r = await measureIngress({
    durationMs: opts.quick ? 3_000 : 10_000,
    connections: Number(env('BERTH_BENCH_CONNECTIONS') ?? 32),
    ingressWorkers: Number(env('BERTH_BENCH_INGRESS_WORKERS') ?? 1),
    nginxWorkers: env('BERTH_BENCH_NGINX_WORKERS') ?? '1',
    // BERTH_BENCH_ROUNDS alternates the ingress and nginx phases (as `berth bench network` does twice) on a busy machine.
    rounds: Number(env('BERTH_BENCH_ROUNDS') ?? 1),
    log: opts.log,
  });
  const bad = (l: LoadResult): string => {
    const non200 = Object.entries(l.statuses).filter(([s]) => s !== '200').map(([s, n]) => `${n}x${s}`);
    return non200.length > 0 || l.errors > 0 ? ` (${[...non200, ...(l.errors ? [`${l.errors} socket errors`] : [])].join(', ')})` : '';
  };
  const ratio = r.nginx ? r.ingress.rps / r.nginx.rps : null;
  return {
    title: `Ingress data plane (keep-alive GET, ${opts.quick ? 3 : 10} s per phase, 2 loopback backends)`,
    rows: [
      { name: 'direct to a backend', value: Math.round(r.direct.rps), unit: 'req/s', note: `p50 ${r.direct.p50Ms.toFixed(2)} ms, p99 ${r.direct.p99Ms.toFixed(2)} ms${bad(r.direct)}` },
      { name: `through the ingress (${r.ingressWorkers} thread)`, value: Math.round(r.ingress.rps), unit: 'req/s', note: `p50 ${r.ingress.p50Ms.toFixed(2)} ms, p99 ${r.ingress.p99Ms.toFixed(2)} ms${bad(r.ingress)}` },
      { name: 'through nginx', value: r.nginx ? Math.round(r.nginx.rps) : null, unit: 'req/s', note: r.nginx ? `p50 ${r.nginx.p50Ms.toFixed(2)} ms, p99 ${r.nginx.p99Ms.toFixed(2)} ms${bad(r.nginx)}` : 'nginx not installed' },
      { name: 'ingress / nginx', value: ratio, unit: 'x', note: 'goal >= 1' },
      { name: 'CPU per request: ingress threads', value: Math.round(r.ingressCpuUsPerRequest * 10) / 10, unit: 'µs', note: `${r.ingressWorkers} data-plane thread(s)` },
      { name: 'CPU per request: nginx workers', value: r.nginxCpuUsPerRequest === null ? null : Math.round(r.nginxCpuUsPerRequest * 10) / 10, unit: 'µs', note: r.nginx ? 'from /proc, 10 ms ticks' : 'nginx not installed' },
    ],
    figures: {
      direct_rps: Math.round(r.direct.rps),
      direct_p50_ms: r.direct.p50Ms,
      direct_p99_ms: r.direct.p99Ms,
      ingress_rps: Math.round(r.ingress.rps),
      ingress_p50_ms: r.ingress.p50Ms,
      ingress_p99_ms: r.ingress.p99Ms,
      nginx_rps: r.nginx ? Math.round(r.nginx.rps) : null,
      nginx_p50_ms: r.nginx?.p50Ms ?? null,
      nginx_p99_ms: r.nginx?.p99Ms ?? null,
      ingress_vs_nginx: ratio,
      ingress_workers: r.ingressWorkers,
      ingress_cpu_us_per_req: r.ingressCpuUsPerRequest,
      nginx_cpu_us_per_req: r.nginxCpuUsPerRequest,
    },
  };
}
