import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { eventually } from '../../testing/eventually.ts';
import { CriClient } from '../cri/client.ts';
import { processAlive } from './cleanup.ts';
import { ContainerdSupervisor, RuntimeSetupError } from './containerd.ts';


describe('ContainerdSupervisor prerequisites', () => {
  it('says how to install containerd when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sup-'));
    try {
      const sup = new ContainerdSupervisor({ stateDir: dir, binary: 'containerd-not-installed' });
      const ac = new AbortController();
      await assert.rejects(sup.start(ac.signal), (err: unknown) => err instanceof RuntimeSetupError && /containerd not found.*scripts\/up/.test(err.message));
      await assert.rejects(sup.ready, RuntimeSetupError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ContainerdSupervisor with a real containerd', () => {
  let env: TestContainerd;
  let podId = '';
  let podIp = '';
  before(async () => {
    env = await startTestContainerd();
    const sc = env.sandboxConfig('survivor');
    podId = await env.cri.runPodSandbox(sc);
    const cid = await env.cri.createContainer(podId, { metadata: { name: 'web' }, image: { image: 'localhost/busybox:1.35' }, command: ['httpd', '-f', '-p', '8080', '-h', '/www'], logPath: 'web/0.log' }, sc);
    await env.cri.startContainer(cid);
    podIp = (await env.cri.podSandboxStatus(podId)).status?.network?.ip ?? '';
  });
  after(async () => {
    await env?.teardown();
  });

  it('restarts containerd after kill -9, and the pod keeps running', async () => {
    const first = env.supervisor.pid!;
    process.kill(first, 'SIGKILL');
    await eventually('a new containerd', () => (env.supervisor.restarts >= 1 && env.supervisor.pid !== undefined && env.supervisor.pid !== first ? true : undefined));
    const st = await eventually('CRI after restart', () => env.cri.podSandboxStatus(podId));
    assert.equal(st.status?.state, 'SANDBOX_READY');
    const res = await fetch(`http://${podIp}:8080/`);
    assert.equal(res.status, 200);
  });

  it('uses an existing socket without starting anything', async () => {
    const sup = new ContainerdSupervisor({ stateDir: '/nonexistent', existingSocket: env.supervisor.layout!.socket });
    const ac = new AbortController();
    const running = sup.start(ac.signal);
    await sup.ready;
    assert.equal(sup.pid, undefined);
    const cri = new CriClient({ endpoint: sup.endpoint });
    assert.equal((await cri.version()).runtimeApiVersion, 'v1');
    cri.close();
    ac.abort();
    await running;
    assert.ok(processAlive(env.supervisor.pid!), 'containerd still runs');
  });

  it('adopts the containerd a previous supervisor left running on the same state', async () => {
    const sup = new ContainerdSupervisor({ stateDir: env.supervisor.layout!.dir, network: env.network });
    const ac = new AbortController();
    const running = sup.start(ac.signal);
    await sup.ready;
    assert.equal(sup.pid, env.supervisor.pid);
    // Stopping the adopter stops containerd by its PID; the suite's supervisor then brings it back.
    const pid = sup.pid!;
    ac.abort();
    await running;
    assert.equal(processAlive(pid), false);
    await eventually('the original supervisor to restart it', () => (env.supervisor.pid !== undefined && env.supervisor.pid !== pid ? true : undefined));
    assert.equal((await eventually('CRI', () => env.cri.podSandboxStatus(podId))).status?.state, 'SANDBOX_READY');
  });

  it('tears down to nothing, pods included', async () => {
    await env.teardown();
    assert.deepEqual(await env.leftovers(), []);
  });
});
