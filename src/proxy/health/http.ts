import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../builtins.ts';

// The HTTP side of the proxy's health checks, shared by the /healthz server and the per-Service servers.

/** HostPort is a listening address. */
export interface HostPort {
  host: string;
  port: number;
}

/** HealthResponse is one health answer: the status code and the JSON body kube-proxy sends. */
export interface HealthResponse {
  status: 200 | 503;
  body: string;
}

/**
 * SocketBinder makes an HTTP server listen on host:port. The default listens in this process's network
 * namespace; a test passes one that opens the socket inside a scratch namespace.
 */
export type SocketBinder = (server: Server, host: string, port: number) => Promise<void>;

/** listenHere is the default SocketBinder. */
export const listenHere: SocketBinder = (server, host, port) =>
  new Promise((resolve, reject) => {
    const failed = (err: Error): void => reject(err);
    server.once('error', failed);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', failed);
      resolve();
    });
  });

/** healthServer is an HTTP server answering every request with what answer(path) returns (null: 404). */
export function healthServer(answer: (path: string) => HealthResponse | null): Server {
  return createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const got = answer(new URL(req.url ?? '/', 'http://health').pathname);
    if (!got) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      return;
    }
    res.writeHead(got.status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(got.body);
  });
}

/** closeServer stops listening and drops open connections (a health checker's keep-alive must not hold the port). */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** boundAddress is where a listening server is. */
export function boundAddress(server: Server): AddressInfo | null {
  const a = server.address();
  return a && typeof a === 'object' ? a : null;
}
