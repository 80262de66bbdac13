import { request as httpsRequest, Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { Readable } from 'node:stream';
import type { RequestUser } from '../apiserver/handlers/context.ts';

/** Transport sends one API request; the HTTPS and in-process transports behave identically. */
export type Transport = (req: Request) => Promise<Response>;

/** Handler is what the in-process transport calls: the API server's handle function. */
export interface Handler {
  handle(req: Request, user: RequestUser | null): Promise<Response>;
}

/** inProcessTransport calls an ApiServer in the same process as the given user, with no sockets or TLS. */
export function inProcessTransport(api: Handler, user: RequestUser): Transport {
  return (req) => api.handle(req, user);
}

/** HttpsConfig is where the server is and how to prove who we are. */
export interface HttpsConfig {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** insecure skips verification of the server's certificate (tests against throwaway servers only). */
  insecure?: boolean;
  userAgent?: string;
}

/** httpsTransport speaks HTTP/1.1 over TLS with keep-alive, using client certificates or a bearer token. */
export function httpsTransport(cfg: HttpsConfig): Transport {
  // One secure context for every connection: built per connection (the default), parsing the CA and key
  // is most of a new connection's cost when a burst of requests opens many at once.
  const secureContext = createSecureContext({
    ...(cfg.ca ? { ca: cfg.ca } : {}),
    ...(cfg.cert ? { cert: cfg.cert } : {}),
    ...(cfg.key ? { key: cfg.key } : {}),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 256, secureContext, rejectUnauthorized: !cfg.insecure });
  const base = new URL(cfg.server);
  return async (req) => {
    const url = new URL(req.url);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => {
      headers[k] = v;
    });
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    headers['user-agent'] ??= cfg.userAgent ?? 'berth/v0.1.0';
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : null;
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const r = httpsRequest(
        { protocol: 'https:', hostname: base.hostname, port: base.port || 443, path: url.pathname + url.search, method: req.method, headers, agent, signal: req.signal },
        (res) => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            if (Array.isArray(v)) for (const x of v) h.append(k, x);
            else h.set(k, v);
          }
          // undici links the caller's signal to req.signal only while the Request lives; keep it alive
          // until the response ends so aborting a long watch still reaches the connection.
          res.once('close', () => void req);
          const status = res.statusCode ?? 500;
          const noBody = status === 204 || status === 304 || req.method === 'HEAD';
          resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: h }));
        },
      );
      r.on('error', reject);
      if (body) r.end(body);
      else r.end();
    });
  };
}
