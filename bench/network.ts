// berth bench network: issue 8's benchmark in one run. Keep-alive HTTP to a pod by its IP and through its
// ClusterIP, and the time from an EndpointSlice change to the new rules being live (bench/network-proxy.ts, on a
// scratch node in network namespaces); keep-alive HTTP through the ingress data plane and through a stock nginx
// reverse proxy to the same loopback backends (bench/ingress.ts); cluster DNS queries/s (bench/dns.ts, against
// `berth server`'s DNS on loopback). Traffic goes only to loopback and to the namespaces the benchmark creates.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { BenchOptions, BenchReport, BenchRow } from '../src/cli/bench.ts';
import { netnsAvailable } from '../src/testing/netns.ts';
import { clusterNames, measureDns, startDnsBench, type DnsLoadResult } from './dns.ts';
import { measureIngress, nginxBinary, type IngressBenchResult } from './ingress.ts';
import { measureProxy, type ProxyFigures } from './network-proxy.ts';

/** ensureNginx installs nginx-light from apt when nginx is missing and apt-get can run; false when nginx stays absent. */
export function ensureNginx(log: (line: string) => void): boolean {
  if (nginxBinary()) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log('nginx: not installed and apt-get is not usable here: nginx_rps will be null');
    return false;
  }
  log('nginx: installing nginx-light from apt (the peer the ingress is compared with)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0 || !nginxBinary()) {
    log('nginx: apt-get install failed: nginx_rps will be null');
    return false;
  }
  return true;
}

const round = (n: number | null | undefined, d = 2): number | null => (n === null || n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(d)));
const ms = (p50: number, p99: number): string => `p50 ${round(p50)} ms, p99 ${round(p99)} ms`;

/** default is `berth bench network [--quick] [--json]`. */
export default async function networkBenchmark(opts: BenchOptions): Promise<BenchReport> {
  const { quick, log } = opts;
  let proxy: ProxyFigures | null = null;
  if (netnsAvailable()) {
    log('== Service proxy: pod IP vs ClusterIP, rule updates (scratch node in network namespaces)');
    proxy = await measureProxy(opts);
  } else {
    log('== Service proxy: skipped (network namespaces need root)');
  }

  log('== Ingress vs nginx (loopback backends)');
  ensureNginx(log);
  const ingressWorkers = Number(process.env.BERTH_BENCH_INGRESS_WORKERS ?? availableParallelism());
  const ingress: IngressBenchResult = await measureIngress({
    durationMs: quick ? 3_000 : 10_000,
    connections: 32,
    ingressWorkers,
    nginxWorkers: 'auto',
    rounds: quick ? 1 : 2,
    log,
  });

  log('== Cluster DNS (berth server, DNS on loopback)');
  const dnsBench = await startDnsBench(opts);
  let dns: DnsLoadResult;
  try {
    dns = await measureDns({ port: dnsBench.port, names: clusterNames(dnsBench.domain, dnsBench.services), durationMs: quick ? 3_000 : 10_000 });
  } finally {
    await dnsBench.stop();
  }

  const ingressVsNginx = ingress.nginx ? ingress.ingress.rps / ingress.nginx.rps : null;
  const rows: BenchRow[] = [];
  if (proxy) {
    rows.push(
      { name: 'direct to pod IP', value: round(proxy.direct.rps, 0), unit: 'req/s', note: ms(proxy.direct.p50Ms, proxy.direct.p99Ms) },
      { name: 'through ClusterIP', value: round(proxy.service.rps, 0), unit: 'req/s', note: ms(proxy.service.p50Ms, proxy.service.p99Ms) },
      { name: 'ClusterIP / direct', value: round(proxy.serviceVsDirect), unit: 'x', note: 'best runs, one path at a time; goal >= 0.95' },
      { name: 'ClusterIP / direct, paired', value: round(proxy.pairedServiceVsDirect), unit: 'x', note: 'median of runs loading both paths at once' },
      { name: 'rule update p50', value: round(proxy.ruleUpdateP50Ms), unit: 'ms', note: 'EndpointSlice write to rules live' },
      { name: 'rule update p99', value: round(proxy.ruleUpdateP99Ms), unit: 'ms', note: 'goal <= 100' },
      { name: 'rule update p99, proxy share', value: round(proxy.ruleUpdateProxyP99Ms), unit: 'ms', note: `p50 ${round(proxy.ruleUpdateProxyP50Ms)} ms; watch event to rules live` },
    );
  } else {
    rows.push({ name: 'Service proxy', value: null, unit: '', note: 'skipped: needs root for network namespaces' });
  }
  rows.push(
    { name: 'direct to an ingress backend', value: round(ingress.direct.rps, 0), unit: 'req/s', note: ms(ingress.direct.p50Ms, ingress.direct.p99Ms) },
    { name: `through the ingress (${ingress.ingressWorkers} threads)`, value: round(ingress.ingress.rps, 0), unit: 'req/s', note: ms(ingress.ingress.p50Ms, ingress.ingress.p99Ms) },
    { name: 'through nginx (worker_processes auto)', value: ingress.nginx ? round(ingress.nginx.rps, 0) : null, unit: 'req/s', note: ingress.nginx ? ms(ingress.nginx.p50Ms, ingress.nginx.p99Ms) : 'nginx not installed' },
    { name: 'ingress / nginx', value: round(ingressVsNginx), unit: 'x', note: 'goal >= 1' },
    { name: 'CPU per request: ingress threads / nginx workers', value: round(ingress.ingressCpuUsPerRequest, 1), unit: 'µs', note: ingress.nginxCpuUsPerRequest === null ? 'nginx not installed' : `nginx ${round(ingress.nginxCpuUsPerRequest, 1)} µs` },
    { name: 'DNS queries/s', value: dns.qps, unit: 'q/s', note: `${ms(dns.p50Ms, dns.p99Ms)}, lost ${dns.lost}; goal >= 20,000` },
  );
  return {
    title: `berth bench network (${quick ? 'quick' : 'full'} run)`,
    rows,
    figures: {
      direct_rps: round(proxy?.direct.rps, 0),
      direct_p50_ms: round(proxy?.direct.p50Ms),
      direct_p99_ms: round(proxy?.direct.p99Ms),
      service_rps: round(proxy?.service.rps, 0),
      service_p50_ms: round(proxy?.service.p50Ms),
      service_p99_ms: round(proxy?.service.p99Ms),
      service_vs_direct: round(proxy?.serviceVsDirect),
      service_vs_direct_paired: round(proxy?.pairedServiceVsDirect),
      rule_update_p50_ms: round(proxy?.ruleUpdateP50Ms),
      rule_update_p99_ms: round(proxy?.ruleUpdateP99Ms),
      rule_update_proxy_p50_ms: round(proxy?.ruleUpdateProxyP50Ms),
      rule_update_proxy_p99_ms: round(proxy?.ruleUpdateProxyP99Ms),
      ingress_backend_rps: round(ingress.direct.rps, 0),
      ingress_rps: round(ingress.ingress.rps, 0),
      ingress_p50_ms: round(ingress.ingress.p50Ms),
      ingress_p99_ms: round(ingress.ingress.p99Ms),
      ingress_workers: ingress.ingressWorkers,
      ingress_cpu_us_per_req: round(ingress.ingressCpuUsPerRequest, 1),
      nginx_cpu_us_per_req: ingress.nginxCpuUsPerRequest === null ? null : round(ingress.nginxCpuUsPerRequest, 1),
      nginx_rps: ingress.nginx ? round(ingress.nginx.rps, 0) : null,
      nginx_p50_ms: ingress.nginx ? round(ingress.nginx.p50Ms) : null,
      nginx_p99_ms: ingress.nginx ? round(ingress.nginx.p99Ms) : null,
      ingress_vs_nginx: round(ingressVsNginx),
      dns_qps: dns.qps,
      dns_p50_ms: dns.p50Ms,
      dns_p99_ms: dns.p99Ms,
      dns_lost: dns.lost,
    },
  };
}
