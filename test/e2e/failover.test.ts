import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`;

interface SimProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startSim(kubeconfig: string, args: string[]): SimProcess {
  const child = spawn(berth, ['sim', '--kubeconfig', kubeconfig, '--node-lease-duration-seconds', '4', '--stats-every', '0', ...args], { stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function stopSim(sim: SimProcess | undefined): Promise<void> {
  if (!sim) return;
  if (sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill('SIGTERM');
  await sim.exited;
}

// Self-healing end to end: a Deployment spread over five simulated nodes; two of them stop heartbeating,
// go Unknown, get the unreachable taints, their pods are evicted and the ReplicaSet replaces them on the
// other three. Grace periods, rates and the pods' default tolerations are shortened through berth server's flags.
describe('node failure: pods move to healthy nodes', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let keep: SimProcess | undefined;
  let lose: SimProcess | undefined;
  let home: string;
  const k = (args: string[], input?: string) => runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '-o', 'json'])) as T;
  // `seen` describes the last probe's state, so a timeout says what the cluster looked like.
  async function until<T>(what: string, probe: () => Promise<T | undefined>, seen: () => string = () => '', timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}; last seen: ${seen()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  before(async () => {
    server = await startServer(['--node-monitor-grace-period', '10s', '--node-monitor-period', '1s', '--node-eviction-rate', '10', '--default-not-ready-toleration-seconds', '2', '--default-unreachable-toleration-seconds', '2']);
    home = mkdtempSync(join(tmpdir(), 'berth-failover-home-'));
    keep = startSim(server.kubeconfig, ['--nodes', '3', '--name-prefix', 'keep-']);
    lose = startSim(server.kubeconfig, ['--nodes', '2', '--name-prefix', 'lose-', '--pod-cidr-base', '10.52']);
  });
  after(async () => {
    await stopSim(lose);
    await stopSim(keep);
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('recreates the pods of two stopped nodes on the other three', async () => {
    await until('five nodes', async () => ((await getJson<{ items: Node[] }>(['get', 'nodes'])).items.length === 5 ? true : undefined));
    await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    await ok(['apply', '-f', '-'], deployment);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const before = (await getJson<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items;
    // DefaultTolerationSeconds admission gave every pod the flags' 2 s instead of 300 s.
    assert.deepEqual(before[0]?.spec?.tolerations?.map((t) => `${t.key}:${t.tolerationSeconds}`).sort(), ['node.kubernetes.io/not-ready:2', 'node.kubernetes.io/unreachable:2']);
    const onLost = before.filter((p) => p.spec?.nodeName?.startsWith('lose-')).map((p) => p.metadata?.name ?? '');
    assert.ok(onLost.length > 0, `some pods run on the nodes to be stopped: ${before.map((p) => p.spec?.nodeName).join(',')}`);

    await stopSim(lose);
    lose = undefined;

    const lost = await until('the stopped nodes Unknown and tainted unreachable', async () => {
      const nodes = (await getJson<{ items: Node[] }>(['get', 'nodes'])).items.filter((n) => n.metadata?.name?.startsWith('lose-'));
      const down = nodes.every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && (n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
      return down ? nodes : undefined;
    });
    const ready = lost[0]?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'NodeStatusUnknown');
    assert.equal(ready?.message, 'Kubelet stopped posting node status.');

    let last: Pod[] = [];
    const describePods = (): string =>
      last.map((p) => `${p.metadata?.name} node=${p.spec?.nodeName ?? '-'} phase=${p.status?.phase} ready=${p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '-'}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`).join('; ') +
      `\nserver output (tail):\n${server.output().slice(-4000)}`;
    const placed = await until('ten ready pods on the healthy nodes', async () => {
      last = (await getJson<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items;
      const pods = last.filter((p) => !p.metadata?.deletionTimestamp);
      const good = pods.filter((p) => p.spec?.nodeName?.startsWith('keep-') && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return pods.length === 10 && good.length === 10 ? pods : undefined;
    }, describePods);
    assert.equal(placed.length, 10);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    // The evicted pods stay Terminating (no kubelet confirms), flagged as disrupted by the taint manager.
    const evicted = await getJson<Pod>(['get', 'pod', onLost[0] as string]);
    assert.ok(evicted.metadata?.deletionTimestamp);
    assert.equal(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.match(await ok(['get', 'events', '--field-selector', `involvedObject.name=${onLost[0] as string}`]), /TaintManagerEviction\s+pod\/\S+\s+Marking for deletion Pod default\//);
  });
});
