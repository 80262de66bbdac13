import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, httpsTransport } from '../client/index.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { ensureNodeCredentials, fetchClusterCa, requestCredentials } from './bootstrap.ts';
import { parseJoinToken } from '../apiserver/auth/nodetoken.ts';

describe('joining a node to berth server', () => {
  let dir: string;
  let cp: ControlPlane;
  let server: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-join-'));
    cp = new ControlPlane({ dataDir: join(dir, 'server'), bindAddress: '127.0.0.1', port: 0, disable: ['controllers'], log: () => {} });
    await cp.start();
    server = `https://127.0.0.1:${cp.port}`;
  });
  after(async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets credentials with the join token that authenticate as system:node:<name>', async () => {
    const agentDir = join(dir, 'agent-a');
    const creds = await ensureNodeCredentials({ server, token: cp.joinToken, nodeName: 'node-a', addresses: ['127.0.0.1', 'node-a.local'], dir: agentDir });
    assert.equal(statSync(join(agentDir, 'client.key')).mode & 0o777, 0o600);
    const client = new Client(httpsTransport({ server, ca: creds.caPem, cert: creds.clientCertPem, key: creds.clientKeyPem }));
    const review = await client.resource('authentication.k8s.io/v1', 'selfsubjectreviews').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    const info = (review as { status?: { userInfo?: { username?: string; groups?: string[] } } }).status?.userInfo;
    assert.equal(info?.username, 'system:node:node-a');
    assert.ok(info?.groups?.includes('system:nodes'));
    // A restart reuses what is stored.
    const again = await ensureNodeCredentials({ server, token: cp.joinToken, nodeName: 'node-a', addresses: ['127.0.0.1'], dir: agentDir });
    assert.equal(again.clientCertPem, creds.clientCertPem);
    // Another node name gets new credentials.
    const other = await ensureNodeCredentials({ server, token: cp.joinToken, nodeName: 'node-b', addresses: ['127.0.0.1'], dir: agentDir });
    assert.notEqual(other.clientCertPem, creds.clientCertPem);
  });

  it('refuses a token whose CA hash does not match the server', async () => {
    const forged = cp.joinToken.replace(/^K10[0-9a-f]{4}/, 'K100000');
    await assert.rejects(ensureNodeCredentials({ server, token: forged, nodeName: 'node-c', addresses: [], dir: join(dir, 'agent-c') }), /does not match the join token's hash/);
  });

  const cases: { name: string; secret: () => string; body: { nodeName: string; addresses: string[] }; error: RegExp }[] = [
    { name: 'a wrong secret is 401', secret: () => 'nope', body: { nodeName: 'x', addresses: [] }, error: /HTTP 401/ },
    { name: 'a bad node name is 422', secret: () => parseJoinToken(cp.joinToken).secret, body: { nodeName: 'Not_A_Name', addresses: [] }, error: /HTTP 422: .*nodeName/ },
  ];
  for (const c of cases) {
    it(`refuses bad requests: ${c.name}`, async () => {
      const ca = await fetchClusterCa(server);
      await assert.rejects(requestCredentials(server, ca, c.secret(), c.body), c.error);
    });
  }

  it('lets a node renew only its own credentials', async () => {
    const creds = await ensureNodeCredentials({ server, token: cp.joinToken, nodeName: 'node-d', addresses: [], dir: join(dir, 'agent-d') });
    const res = await fetch(`${server}/berth/v1/node-credentials`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    assert.ok(res instanceof Error, 'an untrusted TLS connection fails');
    const client = new Client(httpsTransport({ server, ca: creds.caPem, cert: creds.clientCertPem, key: creds.clientKeyPem }));
    const send = (nodeName: string) => client.transport({ method: 'POST', path: '/berth/v1/node-credentials', body: JSON.stringify({ nodeName }), headers: { 'content-type': 'application/json' } });
    assert.equal((await send('node-d')).status, 200);
    const denied = await send('node-e');
    assert.equal(denied.status, 403);
    assert.match(((await denied.json()) as { message: string }).message, /may not obtain credentials for node "node-e"/);
  });
});
