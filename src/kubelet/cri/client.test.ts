import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { startTestRegistry, type TestRegistry } from '../../testing/registry.ts';
import { socketPath } from '../images/import.ts';
import { eventually } from '../../testing/eventually.ts';
import { parseCidr } from '../runtime/network.ts';
import { CriError, isCriNotFound } from './errors.ts';
import type { CriInput, PodSandboxConfig } from './types.ts';

const run = promisify(execFile);

// The CRI client against a real containerd (a private one per suite, see src/testing/containerd.ts).


describe('CriClient against containerd', () => {
  let env: TestContainerd;
  let registry: TestRegistry;
  before(async () => {
    registry = await startTestRegistry();
    env = await startTestContainerd({ plainHttpRegistries: [registry.host] });
  });
  after(async () => {
    await env?.teardown();
    await registry?.stop();
  });

  it('reports the runtime version and readiness', async () => {
    const v = await env.cri.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    const st = await env.cri.status();
    const conditions = Object.fromEntries((st.status?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(conditions, { RuntimeReady: true, NetworkReady: true });
  });

  it('sees the images built by Berth and imported with ctr', async () => {
    for (const img of env.images) {
      const st = await env.cri.imageStatus(img.ref);
      assert.ok(st.image, `${img.ref} missing`);
      assert.ok(st.image.repoTags.includes(img.ref));
      assert.ok(st.image.repoDigests.some((d) => d.endsWith(`@${img.manifestDigest}`)), JSON.stringify(st.image));
      assert.ok(BigInt(st.image.size) > 0n);
    }
    assert.equal((await env.cri.imageStatus('localhost/absent:1')).image, undefined);
    const tags = (await env.cri.listImages()).flatMap((i) => i.repoTags).sort();
    assert.deepEqual(tags, ['localhost/busybox:1.35', 'localhost/pause:3.9']);
    const fs = await env.cri.imageFsInfo();
    assert.ok(fs.imageFilesystems[0]?.fsId?.mountpoint.startsWith(env.dir));
  });

  describe('a pod with a web server and a logging sidecar', () => {
    let sc: CriInput<PodSandboxConfig> & { logDirectory: string };
    let podId = '';
    let webId = '';
    let loggerId = '';
    let podIp = '';

    it('runs the sandbox in its cgroup parent with an IP from the pod subnet', async () => {
      sc = env.sandboxConfig('web');
      podId = await env.cri.runPodSandbox(sc);
      const st = await env.cri.podSandboxStatus(podId);
      assert.equal(st.status?.state, 'SANDBOX_READY');
      assert.equal(st.status?.metadata?.uid, sc.metadata?.uid);
      podIp = st.status?.network?.ip ?? '';
      const [lo, hi] = parseCidr(env.network.subnet)!;
      const [ip] = parseCidr(podIp)!;
      assert.ok(ip > lo && ip < hi, `${podIp} not in ${env.network.subnet}`);
      assert.ok(existsSync(join('/sys/fs/cgroup/memory', sc.linux!.cgroupParent!)), 'pod cgroup missing');
      const pods = await env.cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': sc.metadata!.uid! } });
      assert.deepEqual(pods.map((p) => p.id), [podId]);
    });

    it('starts containers from the busybox image', async () => {
      webId = await env.cri.createContainer(podId, {
        metadata: { name: 'web' },
        image: { image: 'localhost/busybox:1.35' },
        command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
        logPath: 'web/0.log',
        linux: { resources: { memoryLimitInBytes: String(64 << 20), cpuShares: '512' } },
      }, sc);
      await env.cri.startContainer(webId);
      loggerId = await env.cri.createContainer(podId, {
        metadata: { name: 'logger' },
        image: { image: 'localhost/busybox:1.35' },
        command: ['sh', '-c', 'echo hello; echo oops >&2; exec sleep 3600'],
        envs: [{ key: 'GREETING', value: 'hi' }],
        logPath: 'logger/0.log',
      }, sc);
      await env.cri.startContainer(loggerId);
      const containers = await env.cri.listContainers({ podSandboxId: podId, state: { state: 'CONTAINER_RUNNING' } });
      assert.deepEqual(containers.map((c) => c.metadata?.name).sort(), ['logger', 'web']);
    });

    it('serves HTTP on the pod IP to the host', async () => {
      const res = await eventually('httpd', () => fetch(`http://${podIp}:8080/`).then((r) => (r.ok ? r : undefined)));
      assert.equal(await res.text(), 'hello from berth\n');
    });

    it('reports container status with exact nanosecond times', async () => {
      const st = await env.cri.containerStatus(webId, true);
      assert.equal(st.status?.state, 'CONTAINER_RUNNING');
      assert.equal(st.status?.metadata?.name, 'web');
      assert.match(st.status!.startedAt, /^\d{19}$/);
      assert.ok(BigInt(st.status!.startedAt) >= BigInt(st.status!.createdAt));
      assert.equal(st.status?.finishedAt, '0');
      const info = JSON.parse(st.info.info ?? '{}') as { pid?: number };
      assert.ok((info.pid ?? 0) > 0, 'verbose status has the pid');
    });

    it('runs ExecSync with output and exit code', async () => {
      const r = await env.cri.execSync(loggerId, ['sh', '-c', 'echo "$GREETING out"; echo err >&2; exit 3'], 10);
      assert.equal(r.exitCode, 3);
      assert.equal(Buffer.from(r.stdout).toString(), 'hi out\n');
      assert.equal(Buffer.from(r.stderr).toString(), 'err\n');
    });

    it('ends a call at its deadline with DEADLINE_EXCEEDED', async () => {
      await assert.rejects(env.cri.execSync(loggerId, ['sleep', '5'], 0, { timeoutMs: 200 }), (err: unknown) => err instanceof CriError && err.is('DEADLINE_EXCEEDED') && err.method === 'ExecSync');
    });

    it('cancels a call when its signal aborts', async () => {
      const ac = new AbortController();
      const call = env.cri.execSync(loggerId, ['sleep', '5'], 0, { signal: ac.signal });
      ac.abort();
      await assert.rejects(call, (err: unknown) => err instanceof CriError && err.is('CANCELLED'));
    });

    it('writes container logs in the CRI format under the log directory', async () => {
      const file = join(sc.logDirectory, 'logger', '0.log');
      const text = await eventually('log lines', () => {
        const t = existsSync(file) ? readFileSync(file, 'utf8') : '';
        return t.split('\n').length > 2 ? t : undefined;
      });
      const lines = text.trim().split('\n').sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!));
      assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z stderr F oops$/);
      assert.match(lines[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z stdout F hello$/);
      await env.cri.reopenContainerLog(loggerId);
    });

    it('reports container and pod stats', async () => {
      const cs = await env.cri.containerStats(webId);
      assert.equal(cs?.attributes?.id, webId);
      assert.ok(BigInt(cs?.memory?.workingSetBytes?.value ?? '0') > 0n);
      assert.ok(cs?.cpu?.usageCoreNanoSeconds);
      const all = await env.cri.listContainerStats({ podSandboxId: podId });
      assert.deepEqual(all.map((s) => s.attributes?.metadata?.name).sort(), ['logger', 'web']);
      const ps = await env.cri.podSandboxStats(podId);
      assert.equal(ps?.attributes?.id, podId);
      assert.ok(ps?.linux?.memory);
      const listed = await env.cri.listPodSandboxStats({ id: podId });
      assert.deepEqual(listed.map((s) => s.attributes?.id), [podId]);
    });

    it('applies cgroup limits at create and on update', async () => {
      const dir = join('/sys/fs/cgroup/memory', sc.linux!.cgroupParent!, webId);
      assert.equal(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8').trim(), String(64 << 20));
      assert.equal(readFileSync(join('/sys/fs/cgroup/cpu', sc.linux!.cgroupParent!, webId, 'cpu.shares'), 'utf8').trim(), '512');
      await env.cri.updateContainerResources(webId, { memoryLimitInBytes: String(128 << 20) });
      assert.equal(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8').trim(), String(128 << 20));
    });

    it('hands out loopback streaming URLs for exec, attach and port-forward', async () => {
      const urls = [
        await env.cri.exec({ containerId: loggerId, cmd: ['sh'], stdin: true, stdout: true }),
        await env.cri.attach({ containerId: loggerId, stdout: true, stderr: true }),
        await env.cri.portForward(podId, [8080]),
      ];
      // containerd's tokens are base64url: '-' and '_' occur, at the start too.
      for (const u of urls) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+\/(exec|attach|portforward)\/[\w-]+$/);
    });

    it('fails with NOT_FOUND for an unknown container', async () => {
      await assert.rejects(env.cri.containerStatus('does-not-exist'), (err: unknown) => isCriNotFound(err) && (err as CriError).method === 'ContainerStatus');
    });

    it('stops and removes containers and the sandbox, leaving nothing listed', async () => {
      await env.cri.stopContainer(webId, 0);
      const st = await env.cri.containerStatus(webId);
      assert.equal(st.status?.state, 'CONTAINER_EXITED');
      assert.equal(st.status?.exitCode, 137);
      assert.notEqual(st.status?.finishedAt, '0');
      await env.cri.removeContainer(webId);
      await env.cri.stopPodSandbox(podId);
      await env.cri.stopPodSandbox(podId); // idempotent
      await env.cri.removePodSandbox(podId);
      await env.cri.removePodSandbox(podId);
      assert.deepEqual(await env.cri.listPodSandbox(), []);
      assert.deepEqual(await env.cri.listContainers(), []);
    });
  });

  it('removes an image, then pulls it back from a registry over plain HTTP', async () => {
    const ref = `${registry.host}/berth/busybox:1.35`;
    const sock = socketPath(env.endpoint);
    const ctr = (...args: string[]): Promise<unknown> => run('ctr', ['--address', sock, '--namespace', 'k8s.io', 'images', ...args]);
    await ctr('tag', 'localhost/busybox:1.35', ref);
    await ctr('push', '--plain-http', ref);
    const local = await env.cri.imageStatus('localhost/busybox:1.35');
    await env.cri.removeImage(local.image!.id); // every name of it, so the pull must fetch the blobs
    assert.equal((await env.cri.imageStatus('localhost/busybox:1.35')).image, undefined);
    assert.equal((await env.cri.imageStatus(ref)).image, undefined);
    const imageRef = await env.cri.pullImage(ref);
    assert.equal(imageRef, local.image!.id);
    const pulled = await env.cri.imageStatus(ref);
    assert.deepEqual(pulled.image?.repoTags, [ref]);
    assert.match(pulled.image?.repoDigests[0] ?? '', new RegExp(`^${registry.host}/berth/busybox@sha256:`));
    await assert.rejects(env.cri.pullImage(`${registry.host}/berth/absent:1`), (err: unknown) => err instanceof CriError && /not found/.test(err.details));
  });

  it('tears down to nothing: no containerd, shims, mounts, bridge, guard, cgroups or files', async () => {
    await env.teardown();
    assert.deepEqual(await env.leftovers(), []);
  });
});
