// berth bench controllers: how fast the controllers turn intent into available pods on simulated nodes.
// A 1,000-replica Deployment from create to all available, a full rolling update of it, and the
// failover of the pods of failed nodes, beside the scheduler-only rate (bench/scheduler) on the same nodes.
import { performance } from 'node:perf_hooks';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { Client, httpsTransport } from '../src/client/index.ts';
import type { ApiObject } from '../src/api/object.ts';
import { defaultSimOptions, SimCluster } from '../src/sim/index.ts';
import { startServer, type ServerProcess } from '../src/testing/server-process.ts';
import { PodTimeline } from './pod-timeline.ts';
import { processCpuSeconds } from './stats.ts';
import { runRound } from './scheduler.ts';

type DeploymentObject = Deployment & ApiObject;

/** Shape is the size of one run. */
interface Shape {
  nodes: number;
  replicas: number;
  /** failNodes go silent in the failover phase; their pods must come back elsewhere. */
  failNodes: number;
  /** graceSeconds is the node monitor grace period the server runs with (upstream's default is 40 s). */
  graceSeconds: number;
}

function deployment(name: string, replicas: number, image: string): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      // upstream's defaults (25% surge and unavailable) so the rolling update is the one users get.
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
          tolerations: [
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
          ],
        },
      },
    },
  };
}

/** waitDeployment polls the Deployment until done says so; returns seconds since t0. */
export async function waitDeployment(client: Client, name: string, t0: number, done: (d: DeploymentObject) => boolean, timeoutMs: number): Promise<number> {
  const deployments = client.resource<DeploymentObject>('apps/v1', 'deployments');
  const until = Date.now() + timeoutMs;
  let last: DeploymentObject | undefined;
  while (Date.now() < until) {
    last = await deployments.get('default', name);
    if (done(last)) return (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`deployment ${name} not done within ${timeoutMs} ms: ${JSON.stringify(last?.status)}`);
}

const indent = (text: string): string => text.split('\n').map((l) => `    ${l}`).join('\n');

/** complete says a Deployment's rollout is done at replicas: all updated and available, no old pods left. */
export const complete = (replicas: number, generation?: number) => (d: DeploymentObject): boolean => {
  const s = d.status ?? {};
  return (generation === undefined || (s.observedGeneration ?? 0) >= generation) &&
    s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas && (s.unavailableReplicas ?? 0) === 0;
};

/** controllersBenchmark runs the three phases on a fresh server and simulated nodes. */
export default async function controllersBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  const shape: Shape = quick ? { nodes: 100, replicas: 300, failNodes: 50, graceSeconds: 15 } : { nodes: 100, replicas: 1000, failNodes: 50, graceSeconds: 15 };
  const timeoutMs = quick ? 45_000 : 300_000;

  const sched = await runRound({ nodes: shape.nodes, pods: shape.replicas, affinity: false }, log);

  // Failover is measured as the controllers' speed: node tainting is not rate-limited (upstream's 0.1 nodes/s per
  // zone is a safety policy), and the pods tolerate unreachable nodes for 0 s instead of the default 300 s.
  const server: ServerProcess = await startServer(['--node-monitor-grace-period', `${shape.graceSeconds}s`, '--node-eviction-rate', '1000', '--secondary-node-eviction-rate', '1000', '--unhealthy-zone-threshold', '0.9']);
  const abort = new AbortController();
  try {
    const kc = await readKubeconfig(server.kubeconfig);
    const client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
    // Instant simulated nodes: containers run the moment a pod is bound. Leases last the grace period and are
    // renewed every quarter of it, as a kubelet does (renewing every second made lease updates the largest share
    // of the server's writes). One pod worker per node, as each kubelet writes its pods' statuses on its own.
    const sim = new SimCluster({ ...defaultSimOptions, nodes: shape.nodes, startDelayMs: 0, leaseDurationSeconds: shape.graceSeconds, leaseRenewMs: shape.graceSeconds * 250, podWorkers: shape.nodes }, { client, log: () => {} });
    void sim.start(abort.signal).catch((err: unknown) => log(`sim: ${String(err)}`));
    await sim.ready;

    const deployments = client.resource<DeploymentObject>('apps/v1', 'deployments');
    // The pod milestones (seconds after the phase began) say where the time goes.
    let timeline = new PodTimeline();
    await timeline.start(client, 'default', 'app=bench');
    // CPU seconds are steadier than wall time on a shared machine: the server's, and this process's (the sim).
    let cpu0 = { server: processCpuSeconds(server.pid), bench: process.cpuUsage() };
    const cpuSince = (c: typeof cpu0): { server: number; bench: number } => {
      const b = process.cpuUsage(c.bench);
      return { server: processCpuSeconds(server.pid) - c.server, bench: (b.user + b.system) / 1e6 };
    };
    let t0 = performance.now();
    await deployments.create(deployment('bench', shape.replicas, 'app:v1'));
    const deployS = await waitDeployment(client, 'bench', t0, complete(shape.replicas), timeoutMs);
    const deployCpu = cpuSince(cpu0);
    log(`  ${shape.replicas} replicas available in ${deployS.toFixed(2)} s (${(shape.replicas / deployS).toFixed(0)} pods/s); CPU: server ${deployCpu.server.toFixed(1)} s, sim ${deployCpu.bench.toFixed(1)} s`);
    await timeline.stop();
    log(indent(timeline.summary(t0, shape.replicas)));

    timeline = new PodTimeline();
    await timeline.start(client, 'default', 'app=bench');
    cpu0 = { server: processCpuSeconds(server.pid), bench: process.cpuUsage() };
    t0 = performance.now();
    const updated = await deployments.patch('default', 'bench', 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } } });
    const rollingS = await waitDeployment(client, 'bench', t0, complete(shape.replicas, updated.metadata?.generation), timeoutMs);
    const rollingCpu = cpuSince(cpu0);
    log(`  rolling update of ${shape.replicas} replicas in ${rollingS.toFixed(2)} s; CPU: server ${rollingCpu.server.toFixed(1)} s, sim ${rollingCpu.bench.toFixed(1)} s`);
    await timeline.stop();
    log(indent(timeline.summary(t0, shape.replicas)));

    // Failover: twice the replicas on the nodes, then half the nodes fail, so about `replicas` pods must be
    // evicted and replaced on the other half.
    const failReplicas = shape.replicas * 2;
    t0 = performance.now();
    await deployments.patch('default', 'bench', 'merge', { spec: { replicas: failReplicas } });
    const scaleS = await waitDeployment(client, 'bench', t0, complete(failReplicas), timeoutMs);
    log(`  scaled ${shape.replicas} -> ${failReplicas} in ${scaleS.toFixed(2)} s`);
    const failed = sim.nodeNames().slice(0, shape.failNodes);
    const pods = client.resource('v1', 'pods');
    const before = (await pods.listAll('default', { labelSelector: 'app=bench' })).items;
    const displaced = before.filter((p) => failed.includes((p as { spec?: { nodeName?: string } }).spec?.nodeName ?? '')).length;
    t0 = performance.now();
    sim.fail(failed);
    const failedSet = new Set(failed);
    const until = Date.now() + timeoutMs + shape.graceSeconds * 1000;
    let failoverS = Number.NaN;
    while (Date.now() < until) {
      const d = await deployments.get('default', 'bench');
      if (complete(failReplicas)(d)) {
        const now = (await pods.listAll('default', { labelSelector: 'app=bench' })).items as { spec?: { nodeName?: string }; metadata?: { deletionTimestamp?: string } }[];
        const live = now.filter((p) => !p.metadata?.deletionTimestamp && !failedSet.has(p.spec?.nodeName ?? ''));
        if (live.length >= failReplicas) {
          failoverS = (performance.now() - t0) / 1000;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (Number.isNaN(failoverS)) throw new Error(`pods of ${failed.length} failed nodes were not replaced in time`);
    log(`  ${displaced} pods of ${failed.length} failed nodes running elsewhere after ${failoverS.toFixed(2)} s (grace period ${shape.graceSeconds} s)`);

    const deployRate = shape.replicas / deployS;
    return {
      title: `berth bench controllers${quick ? ' --quick' : ''} (${shape.nodes} simulated nodes)`,
      rows: [
        { name: `scheduler only: ${shape.replicas} pods bound`, value: sched.podsPerS, unit: 'pods/s', note: 'baseline (bench/scheduler round)' },
        { name: `Deployment of ${shape.replicas}: create -> all available`, value: deployS, unit: 's', note: `${deployRate.toFixed(0)} pods/s, ${(deployRate / sched.podsPerS).toFixed(2)}x scheduler-only; goal < 10 s for 1000` },
        { name: `Deployment of ${shape.replicas}: server CPU`, value: Number(deployCpu.server.toFixed(1)), unit: 's', note: `sim and benchmark process: ${deployCpu.bench.toFixed(1)} s` },
        { name: `rolling update of ${shape.replicas}`, value: rollingS, unit: 's', note: `${(shape.replicas / rollingS).toFixed(0)} pods/s` },
        { name: `scale ${shape.replicas} -> ${failReplicas}`, value: scaleS, unit: 's' },
        { name: `failover: ${displaced} pods of ${failed.length} failed nodes`, value: failoverS, unit: 's', note: `includes the ${shape.graceSeconds} s node grace period; ${(failoverS - shape.graceSeconds).toFixed(2)} s after it` },
      ],
      figures: {
        nodes: shape.nodes,
        replicas: shape.replicas,
        scheduler_only_pods_per_s: Math.round(sched.podsPerS),
        deploy_1000_available_s: Number(deployS.toFixed(2)),
        deploy_pods_per_s: Math.round(deployRate),
        deploy_server_cpu_s: Number(deployCpu.server.toFixed(1)),
        deploy_sim_cpu_s: Number(deployCpu.bench.toFixed(1)),
        rolling_server_cpu_s: Number(rollingCpu.server.toFixed(1)),
        ratio_vs_scheduler_only: Number((deployRate / sched.podsPerS).toFixed(2)),
        rolling_update_1000_s: Number(rollingS.toFixed(2)),
        failover_1000_s: Number(failoverS.toFixed(2)),
        failover_pods: displaced,
        scale_to_double_s: Number(scaleS.toFixed(2)),
        node_grace_period_s: shape.graceSeconds,
      },
    };
  } finally {
    abort.abort();
    await server.stop();
  }
}
