import type { Clock } from '../../clock.ts';
import { ApiError } from '../../api/errors.ts';
import type { ClientCertificateAuthenticator, PeerCertificate } from './clientcert.ts';
import { verifyServiceAccountToken, type ServiceAccountKey, type ServiceAccountTokenInfo } from './serviceaccount.ts';
import type { TokenFileAuthenticator } from './tokenfile.ts';
import { withAuthenticatedGroup, type AuthenticatedUser } from './user.ts';

/** AuthenticationRequest is what authentication reads from an HTTP request and its TLS connection. */
export interface AuthenticationRequest {
  peerCertificate?: PeerCertificate | null;
  /** authorization is the Authorization header. */
  authorization?: string | null;
  /** webSocketProtocol is the Sec-WebSocket-Protocol header, where browsers and kubectl's websocket exec put the token. */
  webSocketProtocol?: string | null;
}

/** ServiceAccountAuthentication configures service-account token checks. */
export interface ServiceAccountAuthentication {
  keys: readonly ServiceAccountKey[];
  /** audiences are the API audiences (`--api-audiences`); upstream's default is the issuer. */
  audiences: readonly string[];
  issuers?: readonly string[];
  /**
   * isActive looks the service account (and the pod, secret or node the token is bound to) up and
   * tells whether each still exists with the uid in the token and is not being deleted.
   */
  isActive?: (info: ServiceAccountTokenInfo) => boolean | Promise<boolean>;
}

/** AuthenticatorDeps are the authenticators to try; any may be left out. */
export interface AuthenticatorDeps {
  clientCertificates?: ClientCertificateAuthenticator;
  tokenFile?: TokenFileAuthenticator;
  serviceAccounts?: ServiceAccountAuthentication;
  clock: Clock;
}

/** webSocketTokenPrefix marks a bearer token carried as a WebSocket subprotocol (base64url-encoded after it). */
export const webSocketTokenPrefix = 'base64url.bearer.authorization.k8s.io.';

/**
 * authenticate identifies a request's user, trying in upstream's order a client certificate, then a
 * bearer token from the token file, then a service-account token; each success gains
 * system:authenticated. A credential that fails does not stop the next from being tried. Null means
 * anonymous: answer with unauthorized() unless isPublicPath(path).
 */
export async function authenticate(req: AuthenticationRequest, deps: AuthenticatorDeps): Promise<AuthenticatedUser | null> {
  const now = deps.clock.now();
  const fromCert = deps.clientCertificates?.authenticate(req.peerCertificate, now);
  if (fromCert) return withAuthenticatedGroup(fromCert);

  const token = bearerToken(req);
  if (token === undefined) return null;
  const fromFile = deps.tokenFile?.authenticate(token);
  if (fromFile) return withAuthenticatedGroup(fromFile);

  const sa = deps.serviceAccounts;
  if (sa) {
    const opts = { keys: sa.keys, audiences: sa.audiences, now, ...(sa.issuers ? { issuers: sa.issuers } : {}) };
    const info = verifyServiceAccountToken(token, opts);
    if (info && (!sa.isActive || (await sa.isActive(info)))) return withAuthenticatedGroup(info.user);
  }
  return null;
}

/** bearerToken extracts the token of `Authorization: Bearer <token>` (scheme case-insensitive) or of the WebSocket subprotocol. */
export function bearerToken(req: AuthenticationRequest): string | undefined {
  const header = req.authorization?.trim();
  if (header) {
    // Upstream takes the token after "Bearer " (any case) and whitespace, and refuses one with whitespace in it.
    const m = /^bearer\s+(\S+)$/i.exec(header);
    if (m) return m[1];
  }
  for (const protocol of (req.webSocketProtocol ?? '').split(',')) {
    const p = protocol.trim();
    if (!p.startsWith(webSocketTokenPrefix)) continue;
    const encoded = p.slice(webSocketTokenPrefix.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    const token = Buffer.from(encoded, 'base64url').toString('utf8');
    return token || undefined;
  }
  return undefined;
}

// Upstream binds these to system:unauthenticated through the system:public-info-viewer ClusterRole.
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** isPublicPath tells whether a path may be served to anonymous clients (health and version only, as upstream). */
export function isPublicPath(path: string): boolean {
  const q = path.indexOf('?');
  return publicPaths.has(q >= 0 ? path.slice(0, q) : path);
}

/** unauthorized is the 401 upstream answers when no credential authenticates. */
export function unauthorized(): ApiError {
  return new ApiError('Unauthorized', 'Unauthorized');
}
