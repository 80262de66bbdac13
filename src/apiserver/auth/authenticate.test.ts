import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerToken, isPublicPath, webSocketTokenPrefix, type AuthenticatorDeps } from './authenticate.ts';
import { inspectCertificate } from './certs.ts';
import { ClientCertificateAuthenticator } from './clientcert.ts';
import { ensureNodeToken, nodeJoinUser, type NodeToken } from './nodetoken.ts';
import { ensurePki, issueClientCertificate, type Pki } from './pki.ts';
import { issueServiceAccountToken, loadServiceAccountKey, serviceAccountIssuer, type ServiceAccountKey, type ServiceAccountTokenInfo } from './serviceaccount.ts';
import { getJson, startAuthTestServer, testVersion, type AuthTestServer } from './testserver.ts';
import { TokenFileAuthenticator } from './tokenfile.ts';

describe('authenticate over a real TLS connection', () => {
  let root: string;
  let pki: Pki;
  let foreign: Pki;
  let nodeToken: NodeToken;
  let saKey: ServiceAccountKey;
  let server: AuthTestServer;
  let now = Date.now();
  const deleted = new Set<string>();
  const clock = { now: () => now };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-authn-'));
    pki = await ensurePki({ dataDir: join(root, 'server'), hostAddresses: [] });
    foreign = await ensurePki({ dataDir: join(root, 'foreign'), hostAddresses: [] });
    nodeToken = await ensureNodeToken(join(root, 'server'), { caPem: pki.caCertPem });
    saKey = loadServiceAccountKey(pki.serviceAccountKeyPem);
    const deps: AuthenticatorDeps = {
      clock,
      clientCertificates: new ClientCertificateAuthenticator({ caCertPem: pki.caCertPem }),
      tokenFile: await TokenFileAuthenticator.load(nodeToken.tokenFilePath),
      serviceAccounts: {
        keys: [saKey],
        audiences: [serviceAccountIssuer],
        isActive: (info: ServiceAccountTokenInfo) => !deleted.has(info.serviceAccount.uid),
      },
    };
    server = await startAuthTestServer({ certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, caPem: pki.caCertPem }, deps);
  });
  after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const whoami = (opts: { certPem?: string; keyPem?: string; token?: string; headers?: Record<string, string> }) =>
    getJson(`${server.url}/whoami`, { caPem: pki.caCertPem, ...opts });
  const saToken = (extra: { audiences?: string[]; uid?: string } = {}) =>
    issueServiceAccountToken(saKey, {
      namespace: 'default', serviceAccountName: 'app', serviceAccountUid: extra.uid ?? 'sa-1',
      audiences: extra.audiences ?? [serviceAccountIssuer], expirationSeconds: 3600, now,
    }).token;

  it('maps the admin client certificate to system:admin in system:masters', async () => {
    const res = await whoami({ certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      username: 'system:admin',
      groups: ['system:masters', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${inspectCertificate(pki.adminCertPem).sha256}`] },
    });
  });

  it('maps the join token to the node joiner', async () => {
    const res = await whoami({ token: nodeToken.secret });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { username: nodeJoinUser.username, uid: nodeJoinUser.uid, groups: [...nodeJoinUser.groups, 'system:authenticated'] });
  });

  it('maps a service-account JWT to its service account', async () => {
    const res = await whoami({ token: saToken() });
    assert.equal(res.status, 200);
    const body = res.body as { username: string; uid: string; groups: string[] };
    assert.equal(body.username, 'system:serviceaccount:default:app');
    assert.equal(body.uid, 'sa-1');
    assert.deepEqual(body.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  });

  it('reads a token from the WebSocket subprotocol', async () => {
    const protocol = `v5.channel.k8s.io, ${webSocketTokenPrefix}${Buffer.from(nodeToken.secret).toString('base64url')}`;
    const res = await whoami({ headers: { 'sec-websocket-protocol': protocol } });
    assert.equal((res.body as { username: string }).username, nodeJoinUser.username);
  });

  const rejected: Array<{ name: string; creds: () => Promise<{ certPem?: string; keyPem?: string; token?: string }> }> = [
    { name: 'no credentials', creds: async () => ({}) },
    { name: 'a client certificate from another CA', creds: async () => ({ certPem: foreign.adminCertPem, keyPem: foreign.adminKeyPem }) },
    // The serving certificate chains to the CA but is for server auth only.
    { name: 'a certificate without client auth usage', creds: async () => ({ certPem: pki.servingCertPem, keyPem: pki.servingKeyPem }) },
    {
      name: 'an expired client certificate',
      creds: async () => issueClientCertificate({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, { commonName: 'old', clock: { now: () => now - 3 * 86400_000 }, validityDays: 1 }),
    },
    { name: 'an unknown bearer token', creds: async () => ({ token: 'nope' }) },
    { name: 'a JWT signed by another key', creds: async () => ({ token: issueServiceAccountToken(loadServiceAccountKey(foreign.serviceAccountKeyPem), { namespace: 'default', serviceAccountName: 'app', serviceAccountUid: 'sa-1', audiences: [serviceAccountIssuer], expirationSeconds: 600, now }).token }) },
    { name: 'a JWT for another audience', creds: async () => ({ token: saToken({ audiences: ['vault'] }) }) },
    { name: 'a JWT whose service account is gone', creds: async () => ({ token: saToken({ uid: 'deleted-uid' }) }) },
  ];
  for (const c of rejected) {
    it(`answers 401 to ${c.name}`, async () => {
      deleted.add('deleted-uid');
      const res = await whoami(await c.creds());
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      assert.equal(server.seen.at(-1)?.user, null);
    });
  }

  it('answers 401 to an expired JWT', async () => {
    const token = saToken();
    now += 2 * 3600_000;
    try {
      assert.equal((await whoami({ token })).status, 401);
    } finally {
      now -= 2 * 3600_000;
    }
  });

  it('falls back to the bearer token when the client certificate is foreign', async () => {
    const res = await whoami({ certPem: foreign.adminCertPem, keyPem: foreign.adminKeyPem, token: nodeToken.secret });
    assert.equal((res.body as { username: string }).username, nodeJoinUser.username);
  });

  it('serves /version to anonymous clients', async () => {
    const res = await getJson(`${server.url}/version`, { caPem: pki.caCertPem });
    assert.deepEqual(res, { status: 200, body: testVersion });
  });
});

describe('bearerToken', () => {
  const cases = [
    { name: 'bearer', req: { authorization: 'Bearer abc' }, want: 'abc' },
    { name: 'case-insensitive scheme, extra spaces', req: { authorization: '  bearer   abc  ' }, want: 'abc' },
    { name: 'basic is not bearer', req: { authorization: 'Basic abc' }, want: undefined },
    { name: 'no token', req: { authorization: 'Bearer' }, want: undefined },
    { name: 'websocket', req: { webSocketProtocol: `${webSocketTokenPrefix}${Buffer.from('tok').toString('base64url')}` }, want: 'tok' },
    { name: 'websocket, bad encoding', req: { webSocketProtocol: `${webSocketTokenPrefix}a+b` }, want: undefined },
    { name: 'nothing', req: {}, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(bearerToken(c.req), c.want));
});

describe('isPublicPath', () => {
  const cases: Array<[string, boolean]> = [
    ['/healthz', true], ['/livez', true], ['/readyz?verbose', true], ['/version', true], ['/version/', true],
    ['/healthz/etcd', false], ['/api', false], ['/versions', false], ['/', false], ['/openid/v1/jwks', false],
  ];
  for (const [path, want] of cases) it(`${path} → ${want}`, () => assert.equal(isPublicPath(path), want));
});
