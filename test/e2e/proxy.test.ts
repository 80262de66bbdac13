import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/controller-harness.ts';
import { netnsAvailable, startNetnsLab, type NetnsLab } from '../../src/testing/netns.ts';

// `berth server` runs the Service proxy for its own machine. The server here runs inside a scratch network
// namespace (nsenter --net), so the nftables table and routes it installs are that namespace's, never the host's.
// It runs no node agent: this test is about the proxy.

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));

describe('berth server with the proxy component', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  const dirs: string[] = [];
  before(async () => {
    lab = await startNetnsLab();
  });
  after(async () => {
    await lab?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function startServer(extra: string[]): { child: ChildProcess; ready: Promise<void>; stop: () => Promise<void> } {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-e2e-'));
    dirs.push(dir);
    const child = spawn('nsenter', [`--net=/run/netns/${lab.node}`, '--', berth, 'server', '--data-dir', dir, '--bind-address', '0.0.0.0', '--port', '6443', '--disable-agent', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('export KUBECONFIG=')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`berth server exited with ${code}: ${out}`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      child,
      ready,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  const tables = async (): Promise<string> => lab.runner.run('nft', ['list', 'tables']);

  it('programs the kubernetes Service, serves it through 10.43.0.1, and cleans up on SIGTERM', async () => {
    const server = startServer([]);
    try {
      await server.ready;
      // The default/kubernetes Service (10.43.0.1:443) leads to the API server on this node.
      const version = await waitFor('the API through its ClusterIP', async () => {
        try {
          const body = await lab.runner.run('curl', ['-sk', '--max-time', '2', 'https://10.43.0.1/version']);
          return body.includes('gitVersion') ? body : undefined;
        } catch {
          return undefined;
        }
      });
      assert.match(version, /gitVersion/);
      assert.match(await tables(), /table ip berth-netpol/);
      // kube-proxy's /healthz, on its default 0.0.0.0:10256 (this namespace's), as a load balancer outside sees it.
      const healthz = await waitFor('/healthz on 10256', async () => {
        const r = await lab.request(lab.client, `http://${lab.nodeIP}:10256/healthz`);
        return r.status === 200 ? r : undefined;
      });
      assert.equal((JSON.parse(healthz.body) as { nodeEligible: boolean }).nodeEligible, true);
    } finally {
      await server.stop();
    }
    assert.equal((await tables()).trim(), '');
    assert.equal((await lab.runner.run('ip', ['-4', 'route', 'show', 'table', 'all', 'proto', '190'])).trim(), '');
  });

  it('leaves the kernel alone with --disable proxy', async () => {
    const server = startServer(['--disable', 'proxy']);
    try {
      await server.ready;
      await new Promise((r) => setTimeout(r, 1000));
      assert.doesNotMatch(await tables(), /berth-proxy|berth-netpol/);
      assert.deepEqual(await lab.request(lab.client, `http://${lab.nodeIP}:10256/healthz`), { status: 0, body: 'ERR ECONNREFUSED' });
    } finally {
      await server.stop();
    }
  });
});
