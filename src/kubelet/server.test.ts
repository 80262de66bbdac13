import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from '../apiserver/auth/certs.ts';
import { issueClientCertificate, kubeletClientIdentity } from '../apiserver/auth/pki.ts';
import { LocalProcessRuntime } from '../testing/local-runtime.ts';
import { formatCriLine } from './logs/cri-format.ts';
import { AgentServer, type SessionInfo } from './server.ts';
import { decodeChannel, encodeChannel } from './streaming/websocket.ts';

// The agent server alone: who may call it, logs over plain HTTPS, and the WebSocket protocols the
// client libraries use (exec v5, channel port-forward with ?ports=).

describe('AgentServer', () => {
  let agent: AgentServer;
  let port = 0;
  let echo: Server;
  let dir: string;
  const creds: Record<string, { certPem: string; keyPem: string } | null> = {};
  const sessions: SessionInfo[] = [];
  let caPem = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-agent-'));
    const caKey = generateEcKeyPem();
    const now = Date.now();
    caPem = await createCaCertificate({ keyPem: caKey, commonName: 'test-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
    const ca = { certPem: caPem, keyPem: caKey };
    const servingKey = generateEcKeyPem();
    const servingCert = await signLeafCertificate(ca, { keyPem: servingKey, commonName: 'node', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
    creds.apiserver = await issueClientCertificate(ca, { ...kubeletClientIdentity });
    creds.node = await issueClientCertificate(ca, { commonName: 'system:node:other', organizations: ['system:nodes'] });
    creds.anonymous = null;
    echo = createServer((s) => s.pipe(s));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const logDir = join(dir, 'default_web_u1', 'app');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, '0.log'), formatCriLine('2026-11-22T23:33:44.000000000Z', 'stdout', 'hello log'));
    const runtime = new LocalProcessRuntime({ containers: ['default/web/app'], ports: { 80: (echo.address() as { port: number }).port } });
    agent = new AgentServer({ key: servingKey, cert: servingCert, ca: caPem, runtime, logRoot: dir, resourceMetrics: async () => 'node_cpu_usage_seconds_total 1 2\n', cadvisorMetrics: async () => 'container_cpu_usage_seconds_total 3\n', agentMetrics: async () => 'kubelet_running_pods 4\n', onSession: (s) => sessions.push(s) });
    port = await agent.listen(0, '127.0.0.1');
  });
  after(async () => {
    await agent.close();
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, who: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const c = creds[who];
      const req = request({ host: '127.0.0.1', port, path, ca: caPem, ...(c ? { cert: c.certPem, key: c.keyPem } : {}), agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  const cases = [
    { name: 'healthz is open', path: '/healthz', who: 'anonymous', status: 200, body: /^ok$/ },
    { name: 'anonymous callers get 401', path: '/containerLogs/default/web/app', who: 'anonymous', status: 401, body: /Unauthorized/ },
    { name: 'other identities get 403', path: '/containerLogs/default/web/app', who: 'node', status: 403, body: /Forbidden \(user=system:node:other, verb=get, resource=nodes, subresource=proxy\)/ },
    { name: 'the API server reads logs', path: '/containerLogs/default/web/app?timestamps=true', who: 'apiserver', status: 200, body: /^2026-11-22T23:33:44.000000000Z hello log\n$/ },
    { name: 'a missing previous container', path: '/containerLogs/default/web/app?previous=true', who: 'apiserver', status: 400, body: /previous terminated container \\"app\\" in pod \\"web\\" not found/ },
    { name: 'exec without an upgrade', path: '/exec/default/web/app?command=true&output=1', who: 'apiserver', status: 400, body: /Upgrade request required/ },
    { name: 'unknown paths', path: '/pods', who: 'apiserver', status: 404, body: /could not find/ },
    { name: 'any cluster identity reads resource metrics', path: '/metrics/resource', who: 'node', status: 200, body: /^node_cpu_usage_seconds_total 1 2\n$/ },
    { name: 'metrics are not anonymous', path: '/metrics/resource', who: 'anonymous', status: 401, body: /Unauthorized/ },
    { name: 'cadvisor metrics', path: '/metrics/cadvisor', who: 'apiserver', status: 200, body: /^container_cpu_usage_seconds_total 3\n$/ },
    { name: "the agent's own metrics", path: '/metrics', who: 'apiserver', status: 200, body: /^kubelet_running_pods 4\n$/ },
    { name: 'other metrics paths', path: '/metrics/probes', who: 'apiserver', status: 404, body: /could not find/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await get(c.path, c.who);
      assert.equal(r.status, c.status, r.body);
      assert.match(r.body, c.body);
    });
  }

  const ws = (path: string, protocols: string[]): WebSocket => {
    const c = creds.apiserver as { certPem: string; keyPem: string };
    return new WebSocket(`wss://127.0.0.1:${port}${path}`, protocols, { ca: caPem, cert: c.certPem, key: c.keyPem, perMessageDeflate: false });
  };

  it('serves exec over WebSocket v5 with stdin close', async () => {
    const sock = ws('/exec/default/web/app?command=sh&command=-c&command=cat%3B%20exit%202&input=1&output=1&error=1', ['v5.channel.k8s.io']);
    await once(sock, 'open');
    assert.equal(sock.protocol, 'v5.channel.k8s.io');
    const got: Record<number, string> = {};
    sock.on('message', (data) => {
      const m = decodeChannel(data as Buffer);
      if (m) got[m.channel] = (got[m.channel] ?? '') + m.payload.toString();
    });
    sock.send(encodeChannel(0, 'typed\n'));
    sock.send(Buffer.from([255, 0]));
    await once(sock, 'close');
    assert.equal(got[1], 'typed\n');
    assert.deepEqual(JSON.parse(got[3] ?? '{}'), { metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: error executing command, exit code 2', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
  });

  it('serves the channel port-forward protocol with ?ports=', async () => {
    const sock = ws('/portForward/default/web?ports=80', ['v4.channel.k8s.io']);
    await once(sock, 'open');
    const messages: { channel: number; payload: string }[] = [];
    const echoed = new Promise<void>((resolve) =>
      sock.on('message', (data) => {
        const m = decodeChannel(data as Buffer);
        if (!m) return;
        messages.push({ channel: m.channel, payload: m.channel === 0 && messages.length >= 2 ? m.payload.toString() : m.payload.toString('hex') });
        if (messages.some((x) => x.payload === 'round trip')) resolve();
      }),
    );
    sock.send(encodeChannel(0, 'round trip'));
    await echoed;
    // Each channel opens with the port, little-endian.
    assert.deepEqual(messages.slice(0, 2), [{ channel: 0, payload: '5000' }, { channel: 1, payload: '5000' }]);
    sock.close();
    assert.ok(sessions.some((s) => s.kind === 'portforward' && s.transport === 'websocket'));
  });

  it('refuses exec into a container that is not running, before upgrading', async () => {
    const sock = ws('/exec/default/web/other?command=true&output=1', ['v5.channel.k8s.io']);
    sock.on('error', () => {});
    const [, res] = (await once(sock, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(res.statusCode, 404);
    sock.terminate();
  });
});
