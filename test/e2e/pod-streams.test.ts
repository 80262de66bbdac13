import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';
import { pollUntil } from '../../src/testing/poll.ts';

// What a user does to a running pod, on real containers: `berth server` proxies kubectl's logs, exec, cp,
// port-forward and top to a `berth agent` on a private containerd, which serves them from CRI (exec and
// port-forward through containerd's streaming server, logs from the CRI log files, metrics from CRI stats).

const busybox = 'localhost/busybox:1.35';
const minors = [27, 33].filter((m) => kubectlPath(m) !== null);

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('kubectl logs, exec, cp, port-forward and top on real pods', { skip: minors.length ? false : 'no kubectl 1.27 or 1.33' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess;
  let home: string;
  const bin = (minor: number): string => kubectlPath(minor) as string;
  const k = (args: string[], opts: { minor?: number; input?: string } = {}) =>
    runKubectlPatiently(bin(opts.minor ?? (minors.at(-1) as number)), server.kubeconfig, home, args, opts.input === undefined ? {} : { input: opts.input });
  const ok = async (args: string[], opts: { minor?: number; input?: string } = {}): Promise<string> => {
    const r = await k(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(what, probe, { context: () => `agent output:\n${agent.output().slice(-3000)}` });
  }
  const podPhase = async (name: string): Promise<string> => ((JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod).status?.phase ?? '');
  const createPod = async (name: string, command: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: busybox, command: ['sh', '-c', command] }], ...extra } };
    await ok(['create', '-f', '-'], { input: JSON.stringify(pod) });
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr, '--metric-resolution', '2s']);
    agent = await startAgentProcess(server, rt, 'node-s');
    await createPod('web', 'mkdir -p /www && echo hello from the pod > /www/index.html && echo started; exec httpd -f -p 8080 -h /www');
    await createPod('counter', 'for i in 1 2 3; do echo line $i; sleep 1; done', { restartPolicy: 'Never' });
    await waitFor('web Running', async () => ((await podPhase('web')) === 'Running' ? true : undefined));
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('the Node reports the agent port it listens on', async () => {
    const port = Number(await ok(['get', 'node', 'node-s', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']));
    assert.ok(port > 0 && port !== 10250, String(port));
    assert.match(agent.output(), new RegExp(`serving logs, exec, port-forward and metrics on port ${port}`));
  });

  it('logs, --tail and logs -f of a container that ends', async () => {
    assert.equal(await ok(['logs', 'web']), 'started\n');
    await waitFor('counter Succeeded', async () => ((await podPhase('counter')) === 'Succeeded' ? true : undefined));
    assert.equal(await ok(['logs', 'counter']), 'line 1\nline 2\nline 3\n');
    assert.equal(await ok(['logs', 'counter', '--tail=1']), 'line 3\n');
    // -f on a finished container prints what it wrote and ends: the agent sees it is no longer running.
    assert.equal(await ok(['logs', '-f', 'counter']), 'line 1\nline 2\nline 3\n');
  });

  for (const minor of minors) {
    it(`exec with exit codes and stdin (kubectl 1.${minor})`, async () => {
      const r = await k(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { minor });
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.equal(await ok(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo end'], { minor, input: 'piped in\n' }), 'piped in\nend\n');
    });

    it(`cp both ways (kubectl 1.${minor})`, async () => {
      const local = join(home, `in-${minor}.txt`);
      writeFileSync(local, `payload ${minor}\n`);
      await ok(['cp', local, `web:/tmp/in-${minor}.txt`], { minor });
      assert.equal(await ok(['exec', 'web', '--', 'cat', `/tmp/in-${minor}.txt`], { minor }), `payload ${minor}\n`);
      const back = join(home, `back-${minor}.txt`);
      await ok(['cp', `web:/tmp/in-${minor}.txt`, back], { minor });
      assert.equal(readFileSync(back, 'utf8'), `payload ${minor}\n`);
    });

    it(`port-forward reaches the pod's port (kubectl 1.${minor})`, async () => {
      const child = spawn(bin(minor), ['--kubeconfig', server.kubeconfig, 'port-forward', 'pod/web', ':8080'], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        const port = await new Promise<number>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.once('exit', () => reject(new Error(`port-forward exited: ${out}`)));
        });
        assert.equal(await httpGet(port, '/'), 'hello from the pod\n');
        assert.equal(await httpGet(port, '/'), 'hello from the pod\n');
      } finally {
        child.kill('SIGTERM');
      }
    });
  }

  it('exec into a missing container or a completed pod is refused', async () => {
    const r = await k(['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
    const done = await k(['exec', 'counter', '--', 'true']);
    assert.notEqual(done.code, 0);
    assert.match(done.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  });

  it('pods get the managed /etc/hosts with hostAliases, their FQDN, and service link variables', async () => {
    await createPod('named', 'exec sleep 3600', { hostname: 'db-0', subdomain: 'db', setHostnameAsFQDN: true, hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }] });
    await waitFor('named Running', async () => ((await podPhase('named')) === 'Running' ? true : undefined));
    const ip = await ok(['get', 'pod', 'named', '-o', 'jsonpath={.status.podIP}']);
    const hosts = await ok(['exec', 'named', '--', 'cat', '/etc/hosts']);
    assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
    assert.ok(hosts.includes(`${ip}\tdb-0.db.default.svc.cluster.local\tdb-0\n`), hosts);
    assert.ok(hosts.endsWith('# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n'), hosts);
    assert.equal(await ok(['exec', 'named', '--', 'hostname']), 'db-0.db.default.svc.cluster.local\n');
    const env = await ok(['exec', 'named', '--', 'env']);
    assert.match(env, /^KUBERNETES_SERVICE_HOST=10\.43\.0\.1$/m);
    assert.match(env, /^KUBERNETES_PORT_443_TCP=tcp:\/\/10\.43\.0\.1:443$/m);
  });

  it('records the kubelet\'s DNSConfigForming event when a resolv.conf exceeds its limits', async () => {
    await createPod('dnsy', 'exec sleep 3600', { dnsConfig: { nameservers: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] } });
    const ev = await waitFor('DNSConfigForming', async () => {
      const out = await ok(['get', 'events', '--field-selector', 'involvedObject.name=dnsy,reason=DNSConfigForming', '-o', 'jsonpath={.items[*].message}']);
      return out ? out : undefined;
    });
    assert.equal(ev, 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.43.0.10 127.0.0.1 127.0.0.2');
    await waitFor('dnsy Running', async () => ((await podPhase('dnsy')) === 'Running' ? true : undefined));
    assert.equal(await ok(['exec', 'dnsy', '--', 'grep', '-c', 'nameserver', '/etc/resolv.conf']), '3\n');
  });

  it('kubectl top shows the pod and the node from the agent\'s CRI stats', async () => {
    const top = await waitFor('top pod web', async () => {
      const r = await k(['top', 'pod', 'web', '--no-headers']);
      return r.code === 0 && /^web\s+\d+m\s+\d+Mi\s*$/.test(r.stdout.trim()) ? r.stdout : undefined;
    });
    assert.match(top, /^web\s/);
    const node = await waitFor('top node', async () => {
      const r = await k(['top', 'node', 'node-s', '--no-headers']);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(node, /^node-s\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  });
});
