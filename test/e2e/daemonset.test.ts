import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlPath, runKubectl, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

const daemonSet = (name: string, nodeSelector?: Record<string, string>) => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: 'agent', image: 'agent:1' }] },
    },
  },
});

// A DaemonSet following simulated nodes as they join and leave, driven with kubectl against berth server.
describe('DaemonSets on berth sim nodes', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  const sims: { proc: ChildProcess; exit: Promise<number | null> }[] = [];
  let home: string;
  const k = (args: string[], input?: string) => runKubectl(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const startSim = (args: string[]) => {
    const proc = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--stats-every', '0', ...args], { stdio: 'ignore' });
    sims.push({ proc, exit: new Promise((resolve) => proc.once('exit', (code) => resolve(code))) });
  };
  // until polls a kubectl query until it prints what is wanted.
  async function until(what: string, args: string[], want: (out: string) => boolean, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const r = await k(args);
      last = r.stdout.trim();
      if (r.code === 0 && want(last)) return last;
      assert.ok(Date.now() < deadline, `${what}: last saw ${JSON.stringify(last)} ${r.stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // nodesAre waits until a DaemonSet's running, not deleting, pods are bound to exactly the given nodes.
  const nodesAre = (name: string, want: string[]) =>
    until(`${name} on ${want.join(',')}`, ['get', 'pods', '-l', `app=${name}`, '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase}={.metadata.deletionTimestamp} {end}'], (out) => {
      const running = out.split(' ').filter(Boolean).map((e) => e.split('=')).filter(([, phase, del]) => phase === 'Running' && !del).map(([node]) => node).sort();
      return JSON.stringify(running) === JSON.stringify(want);
    });

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-ds-home-'));
    startSim(['--nodes', '3', '--labels', 'role=base']);
  });
  after(async () => {
    for (const s of sims) if (s.proc.exitCode === null) s.proc.kill('SIGTERM');
    await Promise.all(sims.map((s) => s.exit));
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs one pod on each of 3 nodes and rolls out', async () => {
    await until('3 nodes', ['get', 'nodes', '-o', 'name'], (out) => out.split('\n').filter(Boolean).length === 3);
    await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    await ok(['apply', '-f', '-'], daemonSet('agent'));
    await ok(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    await nodesAre('agent', ['sim-0', 'sim-1', 'sim-2']);
  });

  it('follows nodes that join (5) and leave (4)', async () => {
    startSim(['--nodes', '2', '--name-prefix', 'extra-', '--labels', 'role=extra', '--pod-cidr-base', '10.43']);
    await nodesAre('agent', ['extra-0', 'extra-1', 'sim-0', 'sim-1', 'sim-2']);
    await until('5 available', ['get', 'ds', 'agent', '-o', 'jsonpath={.status.numberAvailable}'], (out) => out === '5');
    await ok(['delete', 'node', 'sim-2']);
    await nodesAre('agent', ['extra-0', 'extra-1', 'sim-0', 'sim-1']);
    await until('4 desired', ['get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}'], (out) => out === '4');
  });

  it('limits a DaemonSet to the nodes its nodeSelector matches', async () => {
    await ok(['apply', '-f', '-'], daemonSet('extras', { role: 'extra' }));
    await ok(['rollout', 'status', 'daemonset/extras', '--timeout=90s']);
    await nodesAre('extras', ['extra-0', 'extra-1']);
    assert.equal(await ok(['get', 'ds', 'extras', '-o', 'jsonpath={.status.desiredNumberScheduled}']), '2');
  });

  it('rolls an image update out and undoes it', async () => {
    const images = () => ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {end}']).then((s) => [...new Set(s.trim().split(' '))]);
    await ok(['set', 'image', 'daemonset/agent', 'agent=agent:2']);
    await ok(['rollout', 'status', 'daemonset/agent', '--timeout=120s']);
    await until('only agent:2 pods', ['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {end}'], (out) => out === 'agent:2 agent:2 agent:2 agent:2');
    assert.deepEqual(await images(), ['agent:2']);
    assert.match(await ok(['rollout', 'history', 'daemonset/agent']), /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
    assert.match(await ok(['rollout', 'history', 'daemonset/agent', '--revision=1']), /agent:1/);

    await ok(['rollout', 'undo', 'daemonset/agent']);
    await ok(['rollout', 'status', 'daemonset/agent', '--timeout=120s']);
    assert.equal(await ok(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'agent:1');
    await until('only agent:1 pods', ['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {end}'], (out) => out === 'agent:1 agent:1 agent:1 agent:1');
    assert.match(await ok(['rollout', 'history', 'daemonset/agent']), /\n2\s+<none>\s*\n3\s+<none>/);
  });
});
