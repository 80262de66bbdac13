// berth bench pods: pod startup latency on a real node. berth server plus a `berth agent` process on a
// private containerd (images present), pods created through the API, times taken from a watch: create ->
// Running and create -> Ready, for one pod at a time and for a burst created at once; the agent's memory;
// a Deployment created, scaled and rolled (bench/deployment-rollout.ts); and in the same run the CRI floor
// (the same pods started straight through CRI, bench/cri-floor.ts). The peers (Docker Swarm, Podman, runc)
// are measured in the same run with --peers, else their recorded figures are shown as such (bench/peers.ts).
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { Client, httpsTransport, Informer } from '../src/client/index.ts';
import type { PodObject } from '../src/kubelet/agent.ts';
import { CriClient } from '../src/kubelet/cri/index.ts';
import { containerdLayout } from '../src/kubelet/runtime/config.ts';
import { startAgentProcess } from '../src/testing/agent-process.ts';
import { reserveAgentRuntime, startTestContainerd } from '../src/testing/containerd.ts';
import { startServer } from '../src/testing/server-process.ts';
import { measureCriBurst, measureCriFloor } from './cri-floor.ts';
import { measureRollout } from './deployment-rollout.ts';
import { peerFigures } from './peers.ts';
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

/** memoryMb reads a process's resident memory: all of it, its proportional share, and its anonymous part. */
function memoryMb(pid: number): { rss: number; pss: number; anon: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string): number => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024);
  return { rss: kb('Rss'), pss: kb('Pss'), anon: kb('Anonymous') };
}

const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number | null): number | null => (b ? round(a / b) : null);

/** pods is `berth bench pods`. */
export default async function pods(opts: BenchOptions): Promise<BenchReport> {
  const singles = opts.quick ? 3 : 10;
  const burst = opts.quick ? 10 : 50;
  // The peers' figures are for 50 replicas; a quick run's smaller Deployment gets no ratio.
  const replicas = opts.quick ? 5 : 50;
  const rt = await reserveAgentRuntime();
  const server = await startServer(['--cluster-cidr', rt.clusterCidr]);
  let agent: Awaited<ReturnType<typeof startAgentProcess>> | undefined;
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
    // A pod deleted with grace 0 leaves the API at once while the agent is still stopping its sandbox (runc kill,
    // CNI DEL): the next phase waits until the runtime has no ready sandbox left, so it does not pay for that teardown.
    const agentCri = new CriClient({ endpoint: containerdLayout(join(rt.dir, 'containerd')).socket, timeoutMs: 20_000 });
    /** clear deletes the pods and returns the seconds until the runtime had no ready sandbox left. */
    const clear = async (): Promise<number> => {
      const t0 = performance.now();
      for (const p of informer.store.list()) await podsApi.delete('default', p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => {});
      while (informer.store.list().length > 0) await new Promise((r) => setTimeout(r, 100));
      const deadline = Date.now() + 300_000;
      while ((await agentCri.listPodSandbox({ state: { state: 'SANDBOX_READY' } })).length > 0) {
        if (Date.now() > deadline) throw new Error('the agent still has ready sandboxes 300 s after their pods were deleted');
        await new Promise((r) => setTimeout(r, 100));
      }
      return (performance.now() - t0) / 1000;
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
    const agentMem = memoryMb(agent.pid);
    const burstTeardownS = await clear();
    agentCri.close();
    stop.abort();
    const rollout = await measureRollout(client, replicas, opts.log);
    await agent.stop();
    agent = undefined;

    opts.log(`CRI floor: the same pods straight through CRI on a private containerd, one at a time and ${burst} at once`);
    const ctrd = await startTestContainerd();
    let floor;
    let burstFloor;
    try {
      await measureCriFloor({ cri: ctrd.cri, pods: 1, sandboxConfig: ctrd.sandboxConfig });
      floor = await measureCriFloor({ cri: ctrd.cri, pods: singles, sandboxConfig: ctrd.sandboxConfig });
      burstFloor = await measureCriBurst({ cri: ctrd.cri, pods: burst, sandboxConfig: ctrd.sandboxConfig });
    } finally {
      await ctrd.teardown();
    }
    const peers = await peerFigures(opts.peers ?? false, opts.log);
    const p = peers.figures;
    const full = replicas === 50;
    const peerNote = (v: number | null, unit: string): string => `${peers.source}: ${v === null ? 'n/a' : `${v} ${unit}`}`;
    const of = (ns: string[], f: (t: Timing) => number | undefined) => ns.map((n) => f(timings.get(n) as Timing) ?? 0);
    const startP50 = percentile(of(single, (t) => t.runningMs), 50);
    const readyP50 = percentile(of(single, (t) => t.readyMs), 50);
    const burstP50 = percentile(of(names, (t) => t.runningMs), 50);
    const burstP99 = percentile(of(names, (t) => t.runningMs), 99);
    const burstReadyP99 = percentile(of(names, (t) => t.readyMs), 99);
    return {
      title: `Pod startup on one node: berth agent on containerd (${singles} single pods, ${burst} at once, a Deployment of ${replicas})`,
      rows: [
        { name: 'create -> Running p50, 1 pod', value: startP50, unit: 'ms', note: 'goal <= 1.5x CRI floor' },
        { name: 'create -> Ready p50, 1 pod', value: readyP50, unit: 'ms' },
        { name: `create -> Running p50, ${burst} at once`, value: burstP50, unit: 'ms' },
        { name: `create -> Running p99, ${burst} at once`, value: burstP99, unit: 'ms', note: 'goal <= 5000 ms' },
        { name: `create -> Ready p99, ${burst} at once`, value: burstReadyP99, unit: 'ms' },
        { name: 'CRI floor p50 (RunPodSandbox -> StartContainer)', value: floor.p50Ms, unit: 'ms' },
        { name: 'ratio p50 / CRI floor', value: startP50 / floor.p50Ms, unit: 'x' },
        { name: `CRI floor p50, ${burst} at once`, value: burstFloor.p50Ms, unit: 'ms' },
        { name: `CRI floor p99, ${burst} at once`, value: burstFloor.p99Ms, unit: 'ms', note: `all ${burst} started after ${Math.round(burstFloor.totalMs)} ms` },
        { name: `ratio p99 / CRI floor, ${burst} at once`, value: burstP99 / burstFloor.p99Ms, unit: 'x' },
        { name: `delete ${burst} pods -> no ready sandbox`, value: round(burstTeardownS), unit: 's', note: 'waited out before the Deployment starts' },
        { name: 'agent RSS after the burst', value: agentMem.rss, unit: 'MB', note: 'goal <= 60 MB' },
        { name: 'agent PSS / anonymous after the burst', value: agentMem.pss, unit: 'MB', note: `anonymous ${agentMem.anon} MB; the rest of RSS is the node binary, shared` },
        { name: `Deployment ${replicas} replicas: create -> all Running`, value: round(rollout.createRunningS), unit: 's', note: peerNote(p.swarm_50_ready_s, 's (Swarm, 50)') },
        { name: `scale ${replicas} -> ${2 * replicas}: all Running`, value: round(rollout.scaleUpS), unit: 's', note: peerNote(p.swarm_scale_50_100_s, 's (Swarm, 50 -> 100)') },
        { name: `scale ${2 * replicas} -> ${replicas}: pods gone`, value: round(rollout.scaleDownS), unit: 's' },
        { name: `rolling update of ${replicas}, 5 at a time`, value: round(rollout.rollingS), unit: 's', note: peerNote(p.swarm_rolling_50_s, 's (Swarm, 50)') },
        { name: 'ratio Deployment create / Swarm (50)', value: full ? ratio(rollout.createRunningS, p.swarm_50_ready_s) : null, unit: 'x', note: 'goal <= 1.0' },
        { name: 'ratio scale 50 -> 100 / Swarm', value: full ? ratio(rollout.scaleUpS, p.swarm_scale_50_100_s) : null, unit: 'x', note: 'goal <= 1.0' },
        { name: 'ratio rolling update / Swarm (50)', value: full ? ratio(rollout.rollingS, p.swarm_rolling_50_s) : null, unit: 'x', note: 'goal <= 1.0' },
        { name: 'Podman kube play, 50 pods', value: p.podman_50_ready_s, unit: 's', note: peers.source },
        { name: 'runc run floor', value: p.runc_floor_ms, unit: 'ms', note: peers.source },
      ],
      figures: {
        start_p50_ms: Math.round(startP50),
        ready_p50_ms: Math.round(readyP50),
        start_p50_50pods_ms: Math.round(burstP50),
        start_p99_50pods_ms: Math.round(burstP99),
        ready_p99_50pods_ms: Math.round(burstReadyP99),
        burst_pods: burst,
        cri_floor_p50_ms: Math.round(floor.p50Ms),
        ratio_p50: round(startP50 / floor.p50Ms),
        cri_floor_50pods_p50_ms: Math.round(burstFloor.p50Ms),
        cri_floor_50pods_p99_ms: Math.round(burstFloor.p99Ms),
        cri_floor_50pods_total_ms: Math.round(burstFloor.totalMs),
        ratio_p99_50pods: round(burstP99 / burstFloor.p99Ms),
        burst_teardown_s: round(burstTeardownS),
        agent_rss_mb: agentMem.rss,
        agent_pss_mb: agentMem.pss,
        agent_anon_mb: agentMem.anon,
        deploy_replicas: replicas,
        deploy_50_running_s: round(rollout.createRunningS),
        scale_50_100_s: round(rollout.scaleUpS),
        scale_100_50_s: round(rollout.scaleDownS),
        rolling_50_s: round(rollout.rollingS),
        swarm_50_ready_s: p.swarm_50_ready_s,
        swarm_scale_50_100_s: p.swarm_scale_50_100_s,
        swarm_rolling_50_s: p.swarm_rolling_50_s,
        ratio_vs_swarm_50: full ? ratio(rollout.createRunningS, p.swarm_50_ready_s) : null,
        ratio_vs_swarm_scale: full ? ratio(rollout.scaleUpS, p.swarm_scale_50_100_s) : null,
        ratio_vs_swarm_rolling: full ? ratio(rollout.rollingS, p.swarm_rolling_50_s) : null,
        podman_50_ready_s: p.podman_50_ready_s,
        runc_floor_ms: p.runc_floor_ms,
        peers_source: peers.source,
      },
    };
  } finally {
    await agent?.stop();
    await rt.teardown();
    await server.stop();
  }
}
