// berth bench scheduler: pods scheduled per second and creation-to-binding latency, with plain pods and
// with pods using anti-affinity and topology spread, against simulated nodes registered through the API.
import { performance } from 'node:perf_hooks';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { startServer } from '../src/testing/server-process.ts';
import { H2Client } from './h2client.ts';
import { percentile, processCpuSeconds } from './stats.ts';

export interface Round {
  nodes: number;
  pods: number;
  affinity: boolean;
}

function node(i: number, zones: number): Record<string, unknown> {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `sim-${i}`, labels: { 'kubernetes.io/hostname': `sim-${i}`, 'topology.kubernetes.io/zone': `zone-${i % zones}` } },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string, ns: string, affinity: boolean): Record<string, unknown> {
  const spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] };
  if (affinity) {
    spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] } };
    spec.topologySpreadConstraints = [{ maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: 'web' } }, spec };
}

async function pool(workers: number, total: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < total) await task(next++);
  }));
}

/** runRound starts a fresh server, registers nodes, creates pods and times each one's binding. */
export async function runRound(r: Round, log: (l: string) => void): Promise<{ podsPerS: number; p50: number; p99: number; serverCpuMsPerPod: number }> {
  // Simulated nodes need no pod CIDRs, and the default cluster CIDR has room for 256 nodes: node IPAM would retry,
  // log and record an event for each of the others all through the round. The nodes post their status once and
  // never renew it or a lease: with the default 40 s grace the node lifecycle controller would mark all of them
  // Unknown and taint them in the middle of a 5,000-node round (10,000 node writes, pods left unschedulable).
  const server = await startServer(['--disable', 'garbagecollector', '--disable', 'namespace', '--disable', 'serviceaccount', '--disable', 'nodeipam', '--node-monitor-grace-period', '1h']);
  try {
    const kc = await readKubeconfig(server.kubeconfig);
    const h2 = new H2Client(kc.server, { ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }, 4);
    const ok = async (method: string, path: string, body: unknown): Promise<void> => {
      const res = await h2.request(method, path, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
    };
    await pool(64, r.nodes, (i) => ok('POST', '/api/v1/nodes', node(i, 10)));
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
    // Give the scheduler's informers time to see every node before the clock starts.
    await new Promise((res) => setTimeout(res, 2000));
    const created = new Map<string, number>();
    const latencies: number[] = [];
    const abort = new AbortController();
    let bound = 0;
    let lastBound = 0;
    let rv = '0';
    let gone = false;
    const allBound = new Promise<void>((resolve) => {
      const seen = (name: string): void => {
        const t = created.get(name);
        if (t === undefined) return;
        created.delete(name);
        latencies.push(performance.now() - t);
        lastBound = performance.now();
        if (++bound === r.pods) resolve();
      };
      const onLine = (line: string): void => {
        if (/"type":"ERROR"/.test(line)) {
          gone = /"code":410/.test(line);
          return;
        }
        rv = /"resourceVersion":"(\d+)"/.exec(line)?.[1] ?? rv;
        const m = /"name":"(p\d+)"[\s\S]*"nodeName":"/.exec(line);
        if (m && /"type":"MODIFIED"/.test(line)) seen(m[1] as string);
      };
      // The server ends a watch whose client falls 1,000 events behind (as upstream ends unresponsive
      // watchers); like an informer, resume from the last resourceVersion seen, and relist when that is
      // gone (410). Pods found bound by a relist count as bound then: their latency is an upper bound.
      void (async () => {
        while (!abort.signal.aborted && bound < r.pods) {
          await h2.watch(`/api/v1/namespaces/load/pods?watch=true&resourceVersion=${rv}`, onLine, abort.signal).catch(() => {});
          if (abort.signal.aborted) break;
          if (gone) {
            gone = false;
            const res = await h2.request('GET', '/api/v1/namespaces/load/pods').catch(() => null);
            if (!res || res.status !== 200) continue;
            const list = JSON.parse(res.body.toString()) as { metadata: { resourceVersion: string }; items: { metadata: { name: string }; spec?: { nodeName?: string } }[] };
            for (const p of list.items) if (p.spec?.nodeName) seen(p.metadata.name);
            rv = list.metadata.resourceVersion;
          }
          await new Promise((res) => setTimeout(res, 50));
        }
      })();
    });
    const t0 = performance.now();
    // CPU per pod (server and this load generator) reads through a busy machine better than the rate does.
    const cpu0 = { server: processCpuSeconds(server.pid), bench: process.cpuUsage() };
    await pool(64, r.pods, async (i) => {
      created.set(`p${i}`, performance.now());
      await ok('POST', '/api/v1/namespaces/load/pods', pod(`p${i}`, 'load', r.affinity));
    });
    await Promise.race([allBound, new Promise((res) => setTimeout(res, Number(process.env.BERTH_BENCH_ROUND_MS ?? 600_000)).unref())]);
    if (bound < r.pods) log(`  only ${bound} of ${r.pods} pods bound; server log tail:\n${server.output().slice(-3000)}`);
    const serverCpu = processCpuSeconds(server.pid) - cpu0.server;
    const benchUsage = process.cpuUsage(cpu0.bench);
    const benchCpu = (benchUsage.user + benchUsage.system) / 1e6;
    abort.abort();
    h2.close();
    const seconds = ((lastBound || performance.now()) - t0) / 1000;
    const podsPerS = bound / seconds;
    const serverCpuMsPerPod = (serverCpu / r.pods) * 1000;
    log(`  ${r.nodes} nodes, ${r.pods} ${r.affinity ? 'affinity+spread' : 'plain'} pods: ${podsPerS.toFixed(0)} pods/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (${bound} bound); CPU per pod: server ${serverCpuMsPerPod.toFixed(2)} ms, load generator ${((benchCpu / r.pods) * 1000).toFixed(2)} ms`);
    return { podsPerS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), serverCpuMsPerPod };
  } finally {
    await server.stop();
  }
}

/** schedulerBenchmark measures scheduling throughput and latency at two cluster sizes. */
export default async function schedulerBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  const small: Round = quick ? { nodes: 100, pods: 1000, affinity: false } : { nodes: 500, pods: 5000, affinity: false };
  const large: Round = quick ? { nodes: 500, pods: 2000, affinity: false } : { nodes: 5000, pods: 30_000, affinity: false };
  const tag = (r: Round) => `${r.nodes}_nodes`;
  const plainSmall = await runRound(small, log);
  const plainLarge = await runRound(large, log);
  const affinityLarge = await runRound({ ...large, pods: quick ? 500 : 5000, affinity: true }, log);
  return {
    title: `berth bench scheduler${quick ? ' --quick' : ''}`,
    rows: [
      { name: `plain pods/s, ${small.nodes} nodes / ${small.pods} pods`, value: plainSmall.podsPerS, unit: '/s' },
      { name: `plain p50 / p99, ${small.nodes} nodes`, value: plainSmall.p99, unit: 'ms', note: `p50 ${plainSmall.p50.toFixed(0)} ms` },
      { name: `plain pods/s, ${large.nodes} nodes / ${large.pods} pods`, value: plainLarge.podsPerS, unit: '/s', note: `goal >= 1000 at 5000 nodes; server CPU ${plainLarge.serverCpuMsPerPod.toFixed(2)} ms/pod` },
      { name: `plain p99, ${large.nodes} nodes`, value: plainLarge.p99, unit: 'ms', note: `p50 ${plainLarge.p50.toFixed(0)} ms` },
      { name: `affinity+spread pods/s, ${large.nodes} nodes`, value: affinityLarge.podsPerS, unit: '/s', note: 'goal >= 300 at 5000 nodes' },
      { name: `affinity+spread p99, ${large.nodes} nodes`, value: affinityLarge.p99, unit: 'ms' },
    ],
    figures: {
      [`plain_pods_per_s_${tag(small)}`]: Math.round(plainSmall.podsPerS),
      [`plain_p99_ms_${tag(small)}`]: Math.round(plainSmall.p99),
      [`plain_pods_per_s_${tag(large)}`]: Math.round(plainLarge.podsPerS),
      [`plain_p50_ms_${tag(large)}`]: Math.round(plainLarge.p50),
      [`plain_p99_ms_${tag(large)}`]: Math.round(plainLarge.p99),
      [`plain_server_cpu_us_per_pod_${tag(large)}`]: Math.round(plainLarge.serverCpuMsPerPod * 1000),
      [`affinity_pods_per_s_${tag(large)}`]: Math.round(affinityLarge.podsPerS),
      [`affinity_p99_ms_${tag(large)}`]: Math.round(affinityLarge.p99),
    },
  };
}
