// Test support for this folder: a real node:https server that authenticates every request the way
// the API server will, and a small client. Not exported from index.ts.
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { authenticate, isPublicPath, unauthorized, type AuthenticatorDeps } from './authenticate.ts';
import type { AuthenticatedUser } from './user.ts';

/** testVersion is what the test server answers on /version. */
export const testVersion = { major: '1', minor: '32', gitVersion: 'v1.32.5' };

/** AuthTestServer is a running test server and the user it saw on each request. */
export interface AuthTestServer {
  url: string;
  seen: Array<{ method: string; path: string; user: AuthenticatedUser | null }>;
  close(): Promise<void>;
}

/**
 * startAuthTestServer serves HTTPS on a loopback port with the given serving certificate, asking for
 * (not requiring) client certificates as the API server will. It answers /version, /whoami and
 * SelfSubjectReview creation (`kubectl auth whoami`), and 401 for anonymous non-public paths.
 */
export async function startAuthTestServer(tls: { certPem: string; keyPem: string; caPem: string }, deps: AuthenticatorDeps): Promise<AuthTestServer> {
  const seen: AuthTestServer['seen'] = [];
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const socket = req.socket as TLSSocket;
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      authenticate(
        { peerCertificate: socket.getPeerCertificate(), authorization: req.headers.authorization, webSocketProtocol: req.headers['sec-websocket-protocol'] },
        deps,
      ).then(
        (user) => {
          seen.push({ method: req.method ?? 'GET', path, user });
          if (!user && !isPublicPath(path)) return send(401, unauthorized().toStatus());
          if (req.method === 'GET' && path === '/version') return send(200, testVersion);
          if (req.method === 'GET' && path === '/whoami') return send(200, user);
          if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/selfsubjectreviews') {
            // kubectl sends the (empty) review as protobuf; the answer only needs the status.
            return send(201, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: user } });
          }
          return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
        },
        (err: unknown) => send(500, { message: String(err) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** getJson makes one HTTPS request on a fresh connection, with an optional client certificate or bearer token. */
export function getJson(
  url: string,
  opts: { caPem: string; certPem?: string; keyPem?: string; token?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = httpsRequest(url, { ca: opts.caPem, cert: opts.certPem, key: opts.keyPem, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}
