// berth bench pods: pod startup latency on a real node. berth server plus a `berth agent` process on a
// private containerd (images present), pods created through the API, times taken from a watch: create ->
// Running and create -> Ready, for one pod at a time and for a burst created at once; the agent's RSS;
// and in the same run the CRI floor (the same pods started straight through CRI, bench/cri-floor.ts).
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { Client, httpsTransport, Informer } from '../src/client/index.ts';
import type { PodObject } from '../src/kubelet/agent.ts';
import { startAgentProcess } from '../src/testing/agent-process.ts';
import { reserveAgentRuntime, startTestContainerd } from '../src/testing/containerd.ts';
import { startServer } from '../src/testing/server-process.ts';
import { measureCriFloor } from './cri-floor.ts';
import { percentile } from './stats.ts';

const podOf = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { bench: 'pods' } },
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: 'localhost/busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }] },
});

interface Timing {
  createdAt: number;
  runningMs?: number;
  readyMs?: number;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** pods is `berth bench pods`. */
export default async function pods(opts: BenchOptions): Promise<BenchReport> {
  const singles = opts.quick ? 5 : 10;
  const burst = opts.quick ? 10 : 50;
  const rt = await reserveAgentRuntime();
  const server = await startServer(['--cluster-cidr', rt.clusterCidr]);
  let agent;
  try {
    agent = await startAgentProcess(server, rt, 'bench-node');
    const kc = await readKubeconfig(server.kubeconfig);
    const client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
    const podsApi = client.resource<PodObject>('v1', 'pods');
    const timings = new Map<string, Timing>();
    const stop = new AbortController();
    const informer = new Informer<PodObject>(podsApi, { namespace: 'default', labelSelector: 'bench=pods' });
    const seen = (p: PodObject): void => {
      const t = timings.get(p.metadata?.name ?? '');
      if (!t) return;
      const now = performance.now();
      if (t.runningMs === undefined && p.status?.phase === 'Running') t.runningMs = now - t.createdAt;
      if (t.readyMs === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) t.readyMs = now - t.createdAt;
    };
    informer.addHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
    void informer.run(stop.signal);
    await informer.synced;
    const waitAll = async (names: string[]): Promise<void> => {
      const deadline = Date.now() + 300_000;
      while (names.some((n) => timings.get(n)?.readyMs === undefined)) {
        if (Date.now() > deadline) throw new Error(`pods not ready after 300 s: ${names.filter((n) => timings.get(n)?.readyMs === undefined).join(' ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const create = async (name: string): Promise<void> => {
      timings.set(name, { createdAt: performance.now() });
      await podsApi.create(podOf(name) as PodObject);
    };
    const clear = async (): Promise<void> => {
      for (const p of informer.store.list()) await podsApi.delete('default', p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => {});
      while (informer.store.list().length > 0) await new Promise((r) => setTimeout(r, 100));
    };

    opts.log(`warm-up pod, then ${singles} pods one at a time`);
    await create('warmup');
    await waitAll(['warmup']);
    const single: string[] = [];
    for (let i = 0; i < singles; i++) {
      await create(`single-${i}`);
      await waitAll([`single-${i}`]);
      single.push(`single-${i}`);
    }
    await clear();
    opts.log(`${burst} pods created at once`);
    const names = Array.from({ length: burst }, (_, i) => `burst-${i}`);
    await Promise.all(names.map(create));
    await waitAll(names);
    const agentRss = rssMb(agent.pid);
    await clear();
    stop.abort();

    opts.log('CRI floor: the same pods straight through CRI on a private containerd');
    const ctrd = await startTestContainerd();
    let floor;
    try {
      await measureCriFloor({ cri: ctrd.cri, pods: 1, sandboxConfig: ctrd.sandboxConfig });
      floor = await measureCriFloor({ cri: ctrd.cri, pods: singles, sandboxConfig: ctrd.sandboxConfig });
    } finally {
      await ctrd.teardown();
    }
    const of = (ns: string[], f: (t: Timing) => number | undefined) => ns.map((n) => f(timings.get(n) as Timing) ?? 0);
    const startP50 = percentile(of(single, (t) => t.runningMs), 50);
    const readyP50 = percentile(of(single, (t) => t.readyMs), 50);
    const burstP50 = percentile(of(names, (t) => t.runningMs), 50);
    const burstP99 = percentile(of(names, (t) => t.runningMs), 99);
    const burstReadyP99 = percentile(of(names, (t) => t.readyMs), 99);
    return {
      title: `Pod startup on one node: berth agent on containerd (${singles} single pods, ${burst} at once)`,
      rows: [
        { name: 'create -> Running p50, 1 pod', value: startP50, unit: 'ms', note: 'goal <= 1.5x CRI floor' },
        { name: 'create -> Ready p50, 1 pod', value: readyP50, unit: 'ms' },
        { name: `create -> Running p50, ${burst} at once`, value: burstP50, unit: 'ms' },
        { name: `create -> Running p99, ${burst} at once`, value: burstP99, unit: 'ms', note: 'goal <= 5000 ms' },
        { name: `create -> Ready p99, ${burst} at once`, value: burstReadyP99, unit: 'ms' },
        { name: 'CRI floor p50 (RunPodSandbox -> StartContainer)', value: floor.p50Ms, unit: 'ms' },
        { name: 'ratio p50 / CRI floor', value: startP50 / floor.p50Ms, unit: 'x' },
        { name: 'agent RSS after the burst', value: agentRss, unit: 'MB', note: 'goal <= 60 MB' },
      ],
      figures: {
        start_p50_ms: Math.round(startP50),
        ready_p50_ms: Math.round(readyP50),
        start_p50_50pods_ms: Math.round(burstP50),
        start_p99_50pods_ms: Math.round(burstP99),
        ready_p99_50pods_ms: Math.round(burstReadyP99),
        burst_pods: burst,
        cri_floor_p50_ms: Math.round(floor.p50Ms),
        ratio_p50: Math.round((startP50 / floor.p50Ms) * 100) / 100,
        agent_rss_mb: agentRss,
      },
    };
  } finally {
    await agent?.stop();
    await rt.teardown();
    await server.stop();
  }
}
