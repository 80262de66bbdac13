import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

// kubectl drain evicts through pods/eviction: with two replicas on the drained node and a budget of
// minAvailable 1, the second eviction is refused (429) until the first pod's replacement runs elsewhere.
describe('kubectl drain respects a PodDisruptionBudget', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const k = (args: string[], input?: string) => runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-drain-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '3', '--stats-every', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
  });
  after(async () => {
    if (sim.exitCode === null && sim.signalCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('drains a node one disruption at a time', async () => {
    const deadline = Date.now() + 60_000;
    while ((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').filter(Boolean).length < 3) {
      assert.ok(Date.now() < deadline, 'three nodes registered');
      await new Promise((r) => setTimeout(r, 250));
    }
    await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    // Both replicas on sim-0: the others are cordoned while they are placed.
    await ok(['cordon', 'sim-1', 'sim-2']);
    await ok(['create', 'deployment', 'api', '--image=nginx', '--replicas=2']);
    await ok(['rollout', 'status', 'deployment/api', '--timeout=60s']);
    await ok(['uncordon', 'sim-1', 'sim-2']);
    const placed = JSON.parse(await ok(['get', 'pods', '-l', 'app=api', '-o', 'json'])) as { items: Pod[] };
    assert.deepEqual(placed.items.map((p) => p.spec?.nodeName), ['sim-0', 'sim-0']);

    await ok(['create', 'poddisruptionbudget', 'api', '--selector=app=api', '--min-available=1']);
    await ok(['wait', '--for=jsonpath={.status.disruptionsAllowed}=1', 'pdb/api', '--timeout=30s']);
    const drain = await k(['drain', 'sim-0', '--ignore-daemonsets', '--timeout=90s']);
    assert.equal(drain.code, 0, drain.stderr);
    // kubectl reports refused evictions on stderr and retries them.
    const out = drain.stdout + drain.stderr;
    assert.match(out, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.match(out, /node\/sim-0 drained/);

    const after = JSON.parse(await ok(['get', 'pods', '-l', 'app=api', '-o', 'json'])) as { items: Pod[] };
    const live = after.items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(live.length, 2);
    assert.ok(live.every((p) => p.spec?.nodeName !== 'sim-0'), live.map((p) => p.spec?.nodeName).join(','));
    assert.equal(await ok(['get', 'node', 'sim-0', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
  });
});
