import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type { TokenRequestStatus } from 'kubernetes-types/authentication/v1.js';
import { algorithmOf, decodeJwt, keyIdOf, signJwt, verifyJwtSignature, type JwsAlgorithm } from './jwt.ts';
import { allAuthenticatedGroup, credentialIdKey, type AuthenticatedUser } from './user.ts';
import { formatTime } from '../../api/time.ts';

/** serviceAccountIssuer is the `iss` of Berth's tokens, upstream's usual `--service-account-issuer`. */
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

/** Tokens may be up to a minute past expiry or before nbf/iat, the clock skew go-jose allows upstream. */
const leewaySeconds = 60;

/** ServiceAccountKey is a token signing key: the private half signs, the public half verifies and is published. */
export interface ServiceAccountKey {
  kid: string;
  alg: JwsAlgorithm;
  publicKey: KeyObject;
  /** privateKey is absent for keys that only verify (e.g. a retired key kept for old tokens). */
  privateKey?: KeyObject;
}

/** ObjectRef names an object by name and uid, as the kubernetes.io claims do. */
export interface ObjectRef {
  name: string;
  uid: string;
}

/** BoundObject is what a token is bound to: it dies with that object (TokenRequest's boundObjectRef). */
export type BoundObject =
  | { kind: 'Pod'; name: string; uid: string; node?: ObjectRef }
  | { kind: 'Secret'; name: string; uid: string }
  | { kind: 'Node'; name: string; uid: string };

/** IssueServiceAccountTokenRequest is what a TokenRequest asks for. */
export interface IssueServiceAccountTokenRequest {
  namespace: string;
  serviceAccountName: string;
  serviceAccountUid: string;
  audiences: readonly string[];
  expirationSeconds: number;
  boundObject?: BoundObject;
  /** now is milliseconds since the epoch, from the caller's Clock. */
  now: number;
  issuer?: string;
}

/** ServiceAccountTokenInfo is a verified token: its user, and what the caller must still check exists (with matching uids). */
export interface ServiceAccountTokenInfo {
  user: AuthenticatedUser;
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** audiences are the token's audiences that the verifier accepted. */
  audiences: string[];
  /** expiresAt is milliseconds since the epoch. */
  expiresAt: number;
  jti?: string;
}

/** loadServiceAccountKey reads a PEM private key (signs and verifies) or public key (verifies only). */
export function loadServiceAccountKey(pem: string): ServiceAccountKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    const privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(privateKey);
    return { kid: keyIdOf(publicKey), alg: algorithmOf(publicKey), publicKey, privateKey };
  }
  const publicKey = createPublicKey(pem);
  return { kid: keyIdOf(publicKey), alg: algorithmOf(publicKey), publicKey };
}

/** serviceAccountUsername is upstream's `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** issueServiceAccountToken signs a bound service-account token with upstream's claims and returns it as a TokenRequest status. */
export function issueServiceAccountToken(key: ServiceAccountKey, req: IssueServiceAccountTokenRequest): TokenRequestStatus {
  if (!key.privateKey) throw new Error(`service-account key ${key.kid} cannot sign: it has no private key`);
  if (!Number.isInteger(req.expirationSeconds) || req.expirationSeconds <= 0) throw new Error('expirationSeconds must be a positive integer');
  const iat = Math.floor(req.now / 1000);
  const exp = iat + req.expirationSeconds;
  const k8s: Record<string, unknown> = {
    namespace: req.namespace,
    serviceaccount: { name: req.serviceAccountName, uid: req.serviceAccountUid },
  };
  const bound = req.boundObject;
  if (bound) {
    switch (bound.kind) {
      case 'Pod':
        k8s.pod = { name: bound.name, uid: bound.uid };
        if (bound.node) k8s.node = { name: bound.node.name, uid: bound.node.uid };
        break;
      case 'Secret':
        k8s.secret = { name: bound.name, uid: bound.uid };
        break;
      case 'Node':
        k8s.node = { name: bound.name, uid: bound.uid };
        break;
      default: {
        const never: never = bound;
        throw new Error(`unknown bound object ${JSON.stringify(never)}`);
      }
    }
  }
  const token = signJwt({ privateKey: key.privateKey, kid: key.kid }, {
    aud: [...req.audiences],
    exp,
    iat,
    iss: req.issuer ?? serviceAccountIssuer,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: iat,
    sub: serviceAccountUsername(req.namespace, req.serviceAccountName),
  });
  return { token, expirationTimestamp: formatTime(exp * 1000) };
}

/**
 * verifyServiceAccountToken checks a token's signature, issuer, time window and audience (at least
 * one of `audiences`), and returns its user with upstream's groups and extras, or null. Whether the
 * service account (and bound pod, secret or node) still exists with the same uid is the caller's check.
 */
export function verifyServiceAccountToken(
  token: string,
  opts: { keys: readonly ServiceAccountKey[]; audiences: readonly string[]; now: number; issuers?: readonly string[] },
): ServiceAccountTokenInfo | null {
  const jwt = decodeJwt(token);
  if (!jwt) return null;
  const c = jwt.payload;
  // Checking the issuer first lets other JWTs (e.g. OIDC ones, later) pass by without a signature check.
  if (typeof c.iss !== 'string' || !(opts.issuers ?? [serviceAccountIssuer]).includes(c.iss)) return null;
  if (!verifyJwtSignature(jwt, opts.keys)) return null;

  const nowSeconds = Math.floor(opts.now / 1000);
  if (typeof c.exp !== 'number' || nowSeconds > c.exp + leewaySeconds) return null;
  if (c.nbf !== undefined && (typeof c.nbf !== 'number' || nowSeconds < c.nbf - leewaySeconds)) return null;
  if (c.iat !== undefined && (typeof c.iat !== 'number' || nowSeconds < c.iat - leewaySeconds)) return null;
  const tokenAudiences = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === 'string') : [];
  const audiences = tokenAudiences.filter((a) => opts.audiences.includes(a));
  if (audiences.length === 0) return null;

  const k8s = record(c['kubernetes.io']);
  const namespace = k8s?.namespace;
  const serviceAccount = ref(k8s?.serviceaccount);
  if (typeof namespace !== 'string' || !namespace || !serviceAccount) return null;
  const username = serviceAccountUsername(namespace, serviceAccount.name);
  if (c.sub !== username) return null;

  const extra: Record<string, string[]> = {};
  const jti = typeof c.jti === 'string' && c.jti ? c.jti : undefined;
  if (jti) extra[credentialIdKey] = [`JTI=${jti}`];
  const info: ServiceAccountTokenInfo = {
    user: {
      username,
      uid: serviceAccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, allAuthenticatedGroup],
      extra,
    },
    namespace,
    serviceAccount,
    audiences,
    expiresAt: c.exp * 1000,
  };
  if (jti) info.jti = jti;
  const pod = ref(k8s?.pod);
  if (pod) {
    info.pod = pod;
    extra['authentication.kubernetes.io/pod-name'] = [pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [pod.uid];
  }
  const secret = ref(k8s?.secret);
  if (secret) info.secret = secret;
  const node = ref(k8s?.node);
  if (node) {
    info.node = node;
    extra['authentication.kubernetes.io/node-name'] = [node.name];
    extra['authentication.kubernetes.io/node-uid'] = [node.uid];
  }
  return info;
}

/** JsonWebKeySet is the document served at /openid/v1/jwks. */
export interface JsonWebKeySet {
  keys: Array<Record<string, string>>;
}

/** serviceAccountJwks publishes the verification keys as a JWKS (`use: sig`, with `kid` and `alg`), as upstream serves /openid/v1/jwks. */
export function serviceAccountJwks(keys: readonly ServiceAccountKey[]): JsonWebKeySet {
  return {
    keys: keys.map((k) => {
      const jwk = k.publicKey.export({ format: 'jwk' });
      const out: Record<string, string> = { use: 'sig', kty: String(jwk.kty), kid: k.kid, alg: k.alg };
      for (const field of ['crv', 'x', 'y', 'n', 'e'] as const) {
        const v = jwk[field];
        if (typeof v === 'string') out[field] = v;
      }
      return out;
    }),
  };
}

/** openIdConfiguration is the discovery document served at /.well-known/openid-configuration. */
export function openIdConfiguration(opts: { issuer?: string; jwksUri: string; keys: readonly ServiceAccountKey[] }): Record<string, unknown> {
  return {
    issuer: opts.issuer ?? serviceAccountIssuer,
    jwks_uri: opts.jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(opts.keys.map((k) => k.alg))],
  };
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function ref(v: unknown): ObjectRef | undefined {
  const r = record(v);
  if (!r || typeof r.name !== 'string' || !r.name || typeof r.uid !== 'string') return undefined;
  return { name: r.name, uid: r.uid };
}
