import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { eventually } from '../../testing/eventually.ts';
import { CriClient } from '../cri/client.ts';
import { processAlive } from './cleanup.ts';
import { ContainerdSupervisor, RuntimeSetupError } from './containerd.ts';
import { guardTable } from './network.ts';

const run = promisify(execFile);


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

  it('keeps pod traffic on the node: the egress guard drops what pods send out another interface', async () => {
    // A stand-in for the outside world that is our own network namespace, so a failing guard leaks nothing:
    // 198.51.100.2 (TEST-NET-2) behind a veth, with httpd listening there.
    const ns = `bo${env.network.bridge.slice(2)}`;
    const sh = (...args: string[]): Promise<unknown> => run('ip', args);
    const www = join(env.dir, 'outside-www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'outside\n');
    let httpd: ChildProcess | undefined;
    try {
      await sh('netns', 'add', ns);
      await sh('link', 'add', `${ns}h`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await sh('addr', 'add', '198.51.100.1/30', 'dev', `${ns}h`);
      await sh('link', 'set', `${ns}h`, 'up');
      await sh('-n', ns, 'addr', 'add', '198.51.100.2/30', 'dev', 'eth0');
      await sh('-n', ns, 'link', 'set', 'eth0', 'up');
      await sh('-n', ns, 'link', 'set', 'lo', 'up');
      // A way back to the pods, so that only the guard stands between them and this address.
      await sh('-n', ns, 'route', 'add', env.network.subnet, 'via', '198.51.100.1');
      httpd = spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', '9999', '-h', www], { stdio: 'ignore' });
      // The host reaches it (the path works) ...
      const body = await eventually('outside httpd from the host', () => fetch('http://198.51.100.2:9999/').then((r) => r.text()));
      assert.equal(body, 'outside\n');
      // ... but a pod does not: its packets would be forwarded off the bridge.
      const cid = (await env.cri.listContainers({ podSandboxId: podId }))[0]!.id;
      const r = await env.cri.execSync(cid, ['timeout', '3', 'wget', '-q', '-O', '-', 'http://198.51.100.2:9999/'], 10);
      assert.notEqual(r.exitCode, 0, `pod reached the outside: ${Buffer.from(r.stdout).toString()}`);
      const { stdout } = await run('nft', ['list', 'table', 'inet', guardTable(env.network.bridge)]);
      assert.match(stdout as string, /counter packets [1-9]\d* bytes \d+ drop/);
    } finally {
      if (httpd?.pid) process.kill(httpd.pid, 'SIGKILL');
      await sh('link', 'del', `${ns}h`).catch(() => {});
      await sh('netns', 'del', ns).catch(() => {});
    }
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
