import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { freePort } from '../../src/testing/etcd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const kubectl = kubectlPath(32);
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

// `berth server` with its embedded node agent (what README command 1 runs): the machine is a node too.
describe('berth server with its node agent', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let home: string;
  const ok = async (args: string[]): Promise<string> => {
    const r = await runKubectlPatiently(kubectl as string, server.kubeconfig, home, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr, '--node-name', 'local', '--bridge', rt.bridge, '--cgroup-root', rt.cgroupRoot], rt.dir, { agent: true });
  });
  after(async () => {
    await server?.stop();
    await rt?.teardown();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers this machine as a Ready node and runs a pod on it', async () => {
    await ok(['run', 'hello', '--image', 'localhost/busybox:1.35', '--restart', 'Never', '--', 'sh', '-c', 'echo hello']);
    for (let i = 0; ; i++) {
      const phase = await ok(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}']);
      if (phase === 'Succeeded') break;
      assert.ok(i < 300, `pod hello is ${phase}:\n${server.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(await ok(['get', 'node', 'local', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']), 'True');
    await ok(['delete', 'pod', 'hello']);
  });

  it('fails with a clear message when containerd is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-noctrd-'));
    try {
      const port = await freePort();
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, 'server', '--data-dir', dir, '--bind-address', '127.0.0.1', '--port', String(port), '--cluster-cidr', rt.clusterCidr, '--bridge', rt.bridge,
        // Everything else stays on loopback and free ports; the ingress still starts, so its threads must stop too.
        '--disable', 'proxy', '--dns-bind-address', '127.0.0.1', '--dns-port', '0', '--ingress-http-port', '0', '--ingress-https-port', '0'], { env: { PATH: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1, err);
      assert.match(err, /containerd not found \(containerd\): run scripts\/up/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
