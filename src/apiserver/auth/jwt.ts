import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** JwsAlgorithm is a signature algorithm Berth signs and accepts; never `none`, never HMAC. */
export type JwsAlgorithm = 'ES256' | 'RS256';

/** JwtParts is a compact JWS split and decoded, before its signature is checked. */
export interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** algorithmOf picks the JWS algorithm for a key: ES256 for ECDSA P-256, RS256 for RSA. */
export function algorithmOf(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`unsupported token signing key type ${key.asymmetricKeyType ?? 'unknown'} (want RSA or ECDSA P-256)`);
}

/**
 * keyIdOf derives the `kid` upstream puts in token headers and the JWKS: the unpadded base64url
 * SHA-256 of the public key's DER SubjectPublicKeyInfo, which cannot be turned back into the key.
 */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** signJwt signs payload as a compact JWS with header `{alg, kid}`. */
export function signJwt(key: { privateKey: KeyObject; kid: string }, payload: Record<string, unknown>): string {
  const alg = algorithmOf(key.privateKey);
  const signingInput = `${encodePart({ alg, kid: key.kid })}.${encodePart(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), signatureKey(key.privateKey, alg));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** decodeJwt splits and decodes a compact JWS, or returns null when it is not one. */
export function decodeJwt(token: string): JwtParts | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h = '', p = '', s = ''] = parts;
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || !/^[A-Za-z0-9_-]*$/.test(s)) return null;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/**
 * verifyJwtSignature checks the signature with the key named by `kid`, or with each key when the
 * token names none. The header's `alg` must be the key's own algorithm, so a token cannot choose
 * a weaker check.
 */
export function verifyJwtSignature(jwt: JwtParts, keys: readonly { publicKey: KeyObject; kid: string }[]): boolean {
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  const candidates = kid !== undefined && keys.some((k) => k.kid === kid) ? keys.filter((k) => k.kid === kid) : keys;
  for (const k of candidates) {
    const alg = algorithmOf(k.publicKey);
    if (jwt.header.alg !== alg) continue;
    if (verify('sha256', Buffer.from(jwt.signingInput), signatureKey(k.publicKey, alg), jwt.signature)) return true;
  }
  return false;
}

function signatureKey(key: KeyObject, alg: JwsAlgorithm): KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } {
  // JWS carries ECDSA signatures as raw r||s (RFC 7518 §3.4), not the DER that X.509 uses.
  return alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
}

function encodePart(v: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodePart(part: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
