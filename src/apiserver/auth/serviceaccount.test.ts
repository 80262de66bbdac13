import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { decodeJwt } from './jwt.ts';
import {
  issueServiceAccountToken,
  loadServiceAccountKey,
  openIdConfiguration,
  serviceAccountIssuer,
  serviceAccountJwks,
  verifyServiceAccountToken,
  type IssueServiceAccountTokenRequest,
} from './serviceaccount.ts';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsa = loadServiceAccountKey(rsaPem);
const ec = loadServiceAccountKey(ecPem);
const now = Date.parse('2030-06-01T12:00:00Z');
const api = [serviceAccountIssuer];

const request = (extra: Partial<IssueServiceAccountTokenRequest> = {}): IssueServiceAccountTokenRequest => ({
  namespace: 'team-a',
  serviceAccountName: 'builder',
  serviceAccountUid: 'sa-uid',
  audiences: [serviceAccountIssuer],
  expirationSeconds: 3600,
  now,
  ...extra,
});

describe('issueServiceAccountToken', () => {
  it('signs upstream claims with the key id in the header', () => {
    const status = issueServiceAccountToken(rsa, request({ boundObject: { kind: 'Pod', name: 'p', uid: 'pod-uid', node: { name: 'n1', uid: 'node-uid' } } }));
    assert.equal(status.expirationTimestamp, '2030-06-01T13:00:00Z');
    const jwt = decodeJwt(status.token);
    assert.ok(jwt);
    assert.deepEqual(jwt.header, { alg: 'RS256', kid: rsa.kid });
    const iat = now / 1000;
    const { jti, ...claims } = jwt.payload;
    assert.match(String(jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims, {
      aud: [serviceAccountIssuer],
      exp: iat + 3600,
      iat,
      iss: serviceAccountIssuer,
      'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'builder', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } },
      nbf: iat,
      sub: 'system:serviceaccount:team-a:builder',
    });
  });

  it('refuses a verify-only key and a bad lifetime', () => {
    const publicOnly = loadServiceAccountKey(createPublicKey(rsaPem).export({ type: 'spki', format: 'pem' }).toString());
    assert.throws(() => issueServiceAccountToken(publicOnly, request()), /no private key/);
    assert.throws(() => issueServiceAccountToken(rsa, request({ expirationSeconds: 0 })), /positive integer/);
  });
});

describe('verifyServiceAccountToken', () => {
  it('returns the service account user with upstream groups and extras', () => {
    const { token } = issueServiceAccountToken(rsa, request({ boundObject: { kind: 'Pod', name: 'p', uid: 'pod-uid' } }));
    const info = verifyServiceAccountToken(token, { keys: [rsa], audiences: api, now: now + 1000 });
    assert.ok(info);
    assert.deepEqual(info.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
    assert.equal(info.user.username, 'system:serviceaccount:team-a:builder');
    assert.equal(info.user.uid, 'sa-uid');
    assert.deepEqual(info.user.extra, {
      'authentication.kubernetes.io/credential-id': [`JTI=${info.jti}`],
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pod-uid'],
    });
    assert.deepEqual(info.pod, { name: 'p', uid: 'pod-uid' });
    assert.deepEqual(info.serviceAccount, { name: 'builder', uid: 'sa-uid' });
    assert.equal(info.expiresAt, now + 3600 * 1000);
  });

  it('works with an ES256 key and Secret/Node bindings', () => {
    const secret = issueServiceAccountToken(ec, request({ boundObject: { kind: 'Secret', name: 's', uid: 'su' } }));
    assert.equal(decodeJwt(secret.token)?.header.alg, 'ES256');
    assert.deepEqual(verifyServiceAccountToken(secret.token, { keys: [rsa, ec], audiences: api, now })?.secret, { name: 's', uid: 'su' });
    const node = issueServiceAccountToken(ec, request({ boundObject: { kind: 'Node', name: 'n', uid: 'nu' } }));
    assert.deepEqual(verifyServiceAccountToken(node.token, { keys: [ec], audiences: api, now })?.user.extra?.['authentication.kubernetes.io/node-name'], ['n']);
  });

  const valid = issueServiceAccountToken(rsa, request({ audiences: ['vault', 'other'] })).token;
  const [h, p, s] = valid.split('.') as [string, string, string];
  const forged = (payload: Record<string, unknown>) => `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  const original = decodeJwt(valid)?.payload ?? {};
  const cases = [
    { name: 'accepts a matching audience', token: valid, opts: { audiences: ['vault'] }, ok: true },
    { name: 'accepts within the minute of leeway after expiry', token: valid, opts: { audiences: ['other'], now: now + 3659 * 1000 }, ok: true },
    { name: 'rejects an expired token', token: valid, opts: { audiences: ['vault'], now: now + 3661 * 1000 }, ok: false },
    { name: 'rejects a token not yet valid', token: valid, opts: { audiences: ['vault'], now: now - 120 * 1000 }, ok: false },
    { name: 'rejects the wrong audience', token: valid, opts: { audiences: api }, ok: false },
    { name: 'rejects another issuer', token: valid, opts: { audiences: ['vault'], issuers: ['https://elsewhere'] }, ok: false },
    { name: 'rejects a changed payload', token: forged({ ...original, sub: 'system:serviceaccount:kube-system:admin' }), opts: { audiences: ['vault'] }, ok: false },
    { name: 'rejects a missing signature', token: `${h}.${p}.`, opts: { audiences: ['vault'] }, ok: false },
    { name: 'rejects alg none', token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`, opts: { audiences: ['vault'] }, ok: false },
    { name: 'rejects garbage', token: 'not-a-jwt', opts: { audiences: ['vault'] }, ok: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const info = verifyServiceAccountToken(c.token, { keys: [rsa], now, ...c.opts });
      assert.equal(info !== null, c.ok);
    });
  }

  it('rejects a token signed by another key', () => {
    const other = loadServiceAccountKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const { token } = issueServiceAccountToken(other, request());
    assert.equal(verifyServiceAccountToken(token, { keys: [rsa, ec], audiences: api, now }), null);
  });

  it('rejects an ES256 header on an RSA key id', () => {
    const { token } = issueServiceAccountToken(ec, request());
    const [, payload, sig] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: rsa.kid })).toString('base64url');
    assert.equal(verifyServiceAccountToken(`${header}.${payload}.${sig}`, { keys: [rsa], audiences: api, now }), null);
  });
});

describe('serviceAccountJwks', () => {
  it('publishes keys that verify issued tokens', () => {
    const jwks = serviceAccountJwks([rsa, ec]);
    assert.deepEqual(Object.keys(jwks.keys[0] ?? {}).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.deepEqual(jwks.keys.map((k) => [k.kty, k.alg, k.use, k.kid]), [['RSA', 'RS256', 'sig', rsa.kid], ['EC', 'ES256', 'sig', ec.kid]]);
    assert.equal(jwks.keys[1]?.crv, 'P-256');
    // A relying party imports the JWK and checks the signature itself.
    for (const [key, jwk] of [[rsa, jwks.keys[0]], [ec, jwks.keys[1]]] as const) {
      const { token } = issueServiceAccountToken(key, request());
      const [hh, pp, ss] = token.split('.') as [string, string, string];
      const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });
      const sig = Buffer.from(ss, 'base64url');
      const ok = verify('sha256', Buffer.from(`${hh}.${pp}`), key.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey, sig);
      assert.equal(ok, true);
      assert.equal(loadServiceAccountKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()).kid, jwk?.kid);
    }
  });

  it('describes the issuer for OIDC discovery', () => {
    assert.deepEqual(openIdConfiguration({ jwksUri: 'https://127.0.0.1:6443/openid/v1/jwks', keys: [rsa] }), {
      issuer: serviceAccountIssuer,
      jwks_uri: 'https://127.0.0.1:6443/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });
});
