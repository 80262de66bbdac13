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

// berth server and berth sim as real processes, driven with kubectl: simulated nodes join, the scheduler
// places pods on them and the sim runs them.
describe('berth server + berth sim', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const k = (args: string[]) => runKubectl(kubectl as string, server.kubeconfig, home, args);
  const ok = async (args: string[]): Promise<string> => {
    const r = await k(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-sim-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '3', '--zones', 'a,b,c', '--memory', '2Gi', '--gpus', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
  });
  after(async () => {
    if (sim.exitCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('simulated nodes register and become Ready', async () => {
    const deadline = Date.now() + 60_000;
    while ((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').filter(Boolean).length < 3) {
      assert.ok(Date.now() < deadline, 'three simulated nodes registered within a minute');
      await new Promise((r) => setTimeout(r, 250));
    }
    await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    const nodes = await ok(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.labels.topology\\.kubernetes\\.io/zone}{" "}{end}']);
    assert.deepEqual(nodes.trim().split(' ').sort(), ['a', 'b', 'c']);
  });

  it('a pod is scheduled onto a simulated node and runs there', async () => {
    await ok(['run', 'web', '--image=nginx', '--restart=Never', '--overrides={"spec":{"containers":[{"name":"web","image":"nginx","command":["sleep","3600"]}],"restartPolicy":"Always"}}']);
    await ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s']);
    const out = await ok(['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName} {.status.phase} {.status.podIP}']);
    assert.match(out, /^sim-\d+ Running 10\.42\.\d+\.\d+$/);
    assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.name=web']), /Scheduled[\s\S]*Started/);
  });

  it('a pod that fits nowhere reports why', async () => {
    await ok(['run', 'huge', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"memory":"64Gi"}}}]}}']);
    await ok(['wait', '--for=jsonpath={.status.conditions[0].reason}=Unschedulable', 'pod/huge', '--timeout=30s']);
    assert.match(await ok(['describe', 'pod', 'huge']), /0\/3 nodes are available: 3 Insufficient memory/);
  });

  it('a Deployment rolls out onto simulated nodes and becomes available', async () => {
    await ok(['create', 'deployment', 'shop', '--image=nginx:1.25', '--replicas=3']);
    await ok(['rollout', 'status', 'deployment/shop', '--timeout=60s']);
    assert.equal(await ok(['get', 'deploy', 'shop', '-o', 'jsonpath={.status.availableReplicas}']), '3');
    await ok(['set', 'image', 'deployment/shop', 'nginx=nginx:1.26']);
    await ok(['rollout', 'status', 'deployment/shop', '--timeout=60s']);
    assert.match(await ok(['rollout', 'history', 'deployment/shop']), /1\s+<none>\s*\n2\s+<none>/);
    await ok(['rollout', 'undo', 'deployment/shop']);
    await ok(['rollout', 'status', 'deployment/shop', '--timeout=60s']);
    assert.equal(await ok(['get', 'deploy', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  });

  it('deleting a running pod completes', async () => {
    await ok(['delete', 'pod', 'web', '--wait', '--timeout=30s']);
    assert.match((await k(['get', 'pod', 'web'])).stderr, /not found/);
  });
});
