import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { linkExists, mountsUnder, shimPids } from '../../src/kubelet/runtime/cleanup.ts';
import { containerdLayout } from '../../src/kubelet/runtime/config.ts';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { pollUntil } from '../../src/testing/poll.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const kubectl = kubectlPath(32);
const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const run = promisify(execFile);

/** reset runs `berth reset` for the test runtime and returns its exit code and output. */
async function reset(rt: AgentTestRuntime): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(berth, ['reset', '--data-dir', rt.dir, '--bridge', rt.bridge, '--cgroup-root', rt.cgroupRoot]);
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

// `berth reset` on a node whose agent stopped and left its pods running (as it does on purpose).
describe('berth reset', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess | undefined;
  let home: string;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr]);
    agent = await startAgentProcess(server, rt, 'node-r');
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses while the agent runs, then removes the pods, containerd, mounts, bridge and cgroups it left', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'left' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'localhost/busybox:1.35', command: ['sleep', '3600'] }] } };
    await ok(['create', '-f', '-'], JSON.stringify(pod));
    await pollUntil('pod Running', async () => ((await ok(['get', 'pod', 'left', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), { timeoutMs: 90_000 });

    const refused = await reset(rt);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /belongs to a running berth agent \(pid \d+\): stop it first/);

    await agent?.stop();
    agent = undefined;
    const layout = containerdLayout(join(rt.dir, 'containerd'));
    assert.ok(shimPids(layout.socket).length > 0, 'the stopped agent left its pod running');

    const done = await reset(rt);
    assert.equal(done.code, 0, done.out);
    assert.match(done.out, /removed 1 pod sandbox\(es\)/);
    assert.match(done.out, /node reset/);
    assert.deepEqual(shimPids(layout.socket), []);
    assert.deepEqual(mountsUnder(rt.dir), []);
    assert.equal(linkExists(rt.bridge), false);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, rt.cgroupRoot)));
    assert.deepEqual(cgroups, []);
    assert.equal(existsSync(layout.pidFile), false);
    // The cluster state stays: only --purge removes the data directory.
    assert.ok(existsSync(rt.dir));
    // A second reset finds nothing to do and succeeds.
    const again = await reset(rt);
    assert.equal(again.code, 0, again.out);
  });
});
