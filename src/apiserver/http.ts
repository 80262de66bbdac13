import { createSecureServer, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Duplex, type Readable } from 'node:stream';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import { ApiError } from '../api/errors.ts';
import { maxBodyBytes } from './body.ts';
import type { RequestUser } from './handlers/context.ts';
import { toWebResponse, type ApiRequest, type ApiResponse, type HeaderReader } from './message.ts';
import { statusResponse } from './render.ts';

/** ConnectionInfo is what authentication may look at: the TLS client certificate and the Authorization header. */
export interface ConnectionInfo {
  peerCertificate: PeerCertificate | null;
  /** certAuthorized is true when the TLS layer verified the client certificate against the cluster CA. */
  certAuthorized: boolean;
  authorization: string | null;
}

/** HttpServerOptions configure the HTTPS front end. */
export interface HttpServerOptions {
  handle: (req: ApiRequest, user: RequestUser | null) => Promise<ApiResponse>;
  authenticate: (conn: ConnectionInfo) => Promise<RequestUser | null>;
  key: string;
  cert: string;
  /** ca verifies client certificates. */
  ca: string;
  /** upgrade answers HTTP/1.1 Upgrade requests (SPDY, WebSocket): a Response, or a function that takes the connection over. */
  upgrade?: (req: Request, user: RequestUser | null) => Promise<Response | ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)>;
  log?: (msg: string) => void;
}


// HTTP/2 forbids connection-specific headers; Node throws if a handler sets them.
const hopByHop = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-connection']);

/** readRequestBody collects a request body up to the API's limit. */
function readRequestBody(req: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        reject(new ApiError('RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** NodeRequest is the handlers' view of a Node request (HTTP/1.1) or stream (HTTP/2): headers are read in place, the body once. */
class NodeRequest implements ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
  readonly #body$: Readable;
  #body: Promise<Uint8Array> | undefined;

  constructor(method: string, path: string, h: IncomingHttpHeaders, body: Readable) {
    this.#body$ = body;
    this.method = method;
    const authority = (h[':authority'] as string | undefined) ?? h.host ?? 'localhost';
    this.url = `https://${authority}${path}`;
    this.headers = {
      get(name) {
        const v = h[name.toLowerCase()];
        if (v === undefined) return null;
        return Array.isArray(v) ? v.join(', ') : v;
      },
      forEach(visit) {
        for (const [name, v] of Object.entries(h)) {
          if (v !== undefined && !name.startsWith(':')) visit(Array.isArray(v) ? v.join(', ') : String(v), name);
        }
      },
    };
  }

  bytes(): Promise<Uint8Array> {
    // The body stream can be read once; a second reader gets the same bytes.
    this.#body ??= this.method === 'GET' || this.method === 'HEAD' ? Promise.resolve(new Uint8Array(0)) : readRequestBody(this.#body$);
    return this.#body;
  }
}

/** toWebRequest converts a Node request into a Web Request. */
async function toWebRequest(req: IncomingMessage, signal: AbortSignal, readBody = true): Promise<Request> {
  const authority = (req.headers[':authority'] as string | undefined) ?? req.headers.host ?? 'localhost';
  const url = `https://${authority}${req.url ?? '/'}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith(':') || v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const method = req.method ?? 'GET';
  const hasBody = readBody && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readRequestBody(req) : null;
  const init: RequestInit = { method, headers, signal };
  if (body && body.length > 0) init.body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>;
  return new Request(url, init);
}

/** writeResponse sends an HTTP/1.1 answer: a byte body in one piece, a stream as it is read until the client goes away. */
async function writeResponse(res: ServerResponse, response: ApiResponse): Promise<void> {
  const body = response.body;
  res.writeHead(response.status, response.headers);
  if (body === null) {
    res.end();
    return;
  }
  if (body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  await copyStream(body, res);
}

/**
 * destroyWithoutStacks replaces an HTTP/2 stream's destroy. The peer's END_STREAM has come with the request, so the
 * stream closes as soon as the response's last frame is out, while the write of its body is still pending in Node;
 * the pending write then fails, and Node's Writable makes an ERR_STREAM_DESTROYED for its finish callbacks even when
 * there are none (Node 24.22, `errorBuffer`). Capturing that error's stack was about 1% of the API server's CPU on
 * pod creates (4% of a bare HTTP/2 server's); errors made while a stream is destroyed get no stack trace.
 */
function destroyWithoutStacks(this: ServerHttp2Stream, err?: Error): ServerHttp2Stream {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return Duplex.prototype.destroy.call(this, err) as ServerHttp2Stream;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** writeStreamResponse sends an HTTP/2 answer on a raw stream, as writeResponse does for HTTP/1.1. */
async function writeStreamResponse(stream: ServerHttp2Stream, response: ApiResponse, head: boolean): Promise<void> {
  if (stream.destroyed) return;
  const headers: Record<string, string | string[] | number> = { ':status': response.status };
  for (const [k, v] of Object.entries(response.headers)) if (!hopByHop.has(k)) headers[k] = v;
  const body = response.body;
  if (body === null || head || response.status === 204 || response.status === 304) {
    stream.respond(headers, { endStream: true });
    if (body !== null && !(body instanceof Uint8Array)) await body.cancel().catch(() => {});
    return;
  }
  stream.respond(headers);
  if (body instanceof Uint8Array) {
    stream.end(body);
    return;
  }
  await copyStream(body, stream);
}

/** copyStream writes a streamed body with backpressure until it ends or the client goes away, then ends the response. */
async function copyStream(body: ReadableStream<Uint8Array>, res: ServerResponse | ServerHttp2Stream): Promise<void> {
  const reader = body.getReader();
  const onClose = (): void => {
    reader.cancel().catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const ok = res.write(value);
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed || res.writableEnded) break;
    }
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}

/** writeRawResponse answers an upgrade request that is not upgraded, in HTTP/1.1, and closes the connection. */
async function writeRawResponse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, key) => {
    if (!hopByHop.has(key) && key !== 'content-length') lines.push(`${key}: ${value}`);
  });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close');
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}

// A connection's client certificate never changes, and reading it from OpenSSL is costly; the user
// is remembered per connection and Authorization header.
const usersBySocket = new WeakMap<object, Map<string, RequestUser | null>>();

/** authenticateCached authenticates a request on a connection: `connKey` is the HTTP/2 session or the HTTP/1.1 socket. */
async function authenticateCached(connKey: object, socket: TLSSocket, headers: IncomingHttpHeaders, authenticate: HttpServerOptions['authenticate']): Promise<RequestUser | null> {
  const authorization = headers.authorization ?? null;
  let byAuth = usersBySocket.get(connKey);
  const key = authorization ?? '';
  if (byAuth?.has(key)) return byAuth.get(key) ?? null;
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : null;
  const user = await authenticate({ peerCertificate: cert && Object.keys(cert).length > 0 ? cert : null, certAuthorized: socket.authorized === true, authorization });
  // Service-account tokens can be revoked or expire, so only certificate and anonymous results are kept.
  if (!authorization) {
    if (!byAuth) usersBySocket.set(connKey, (byAuth = new Map()));
    byAuth.set(key, user);
  }
  return user;
}

/** ApiHttpServer is the HTTPS server and its graceful shutdown. */
export interface ApiHttpServer {
  server: Http2SecureServer;
  /** shutdown stops accepting, lets in-flight requests finish (up to graceMs), then closes every connection. */
  shutdown(graceMs: number): Promise<void>;
}

/** createApiHttpServer builds the HTTPS (HTTP/2 and HTTP/1.1) server in front of an ApiServer. */
export function createApiHttpServer(opts: HttpServerOptions): ApiHttpServer {
  let inflight = 0;
  let drained: (() => void) | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const active = new Set<string>();
  const log = opts.log ?? (() => {});
  const server = createSecureServer(
    {
      key: opts.key,
      cert: opts.cert,
      ca: opts.ca,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
      minVersion: 'TLSv1.2',
      // Watches are long-lived streams; kubectl and informers multiplex many over one connection.
      settings: { maxConcurrentStreams: 1000 },
    },
  );
  // One request in flight: counted for graceful shutdown until its response closes.
  const track = (path: string): (() => void) => {
    inflight++;
    active.add(path);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      active.delete(path);
      inflight--;
      if (inflight === 0) drained?.();
    };
  };
  const answer = async (req: NodeRequest, connKey: object, socket: TLSSocket, headers: IncomingHttpHeaders): Promise<ApiResponse> => {
    try {
      const user = await authenticateCached(connKey, socket, headers, opts.authenticate);
      return await opts.handle(req, user);
    } catch (err) {
      return statusResponse(ApiError.fromUnknown(err));
    }
  };
  // HTTP/2 requests are served on the raw streams: node's compatibility layer (a request and a response
  // object, socket proxies) cost about a fifth of a small get.
  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    const method = (headers[':method'] as string | undefined) ?? 'GET';
    const path = (headers[':path'] as string | undefined) ?? '/';
    const finish = track(path);
    stream.destroy = destroyWithoutStacks;
    stream.once('close', finish);
    stream.on('error', () => {});
    void (async () => {
      const response = await answer(new NodeRequest(method, path, headers, stream), stream.session ?? stream, stream.session?.socket as TLSSocket, headers);
      try {
        await writeStreamResponse(stream, response, method === 'HEAD');
      } catch (err) {
        log(`writing response to ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
        stream.destroy();
      }
    })();
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const finish = track(req.url ?? '');
    res.once('close', finish);
    res.once('finish', finish);
    void (async () => {
      const response = await answer(new NodeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, req), req.socket, req.socket as TLSSocket, req.headers);
      try {
        await writeResponse(res, response);
      } catch (err) {
        log(`writing response to ${req.method ?? ''} ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
        res.destroy();
      }
    })();
  };
  server.on('stream', onStream);
  // HTTP/1.1 clients (allowHTTP1) arrive as 'request' events. Adding that listener makes node attach its HTTP/2
  // compatibility layer as a second 'stream' listener; HTTP/2 is served by onStream, so that one is removed.
  server.on('request', onRequest);
  for (const l of server.listeners('stream')) if (l !== onStream) server.removeListener('stream', l as (...args: unknown[]) => void);
  // client-go makes SPDY and WebSocket upgrades over HTTP/1.1 (HTTP/2 has no Upgrade); Node hands them here.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      let result: Response | ((req: IncomingMessage, socket: Duplex, head: Buffer) => void);
      try {
        const user = await authenticateCached(req.socket, req.socket as TLSSocket, req.headers, opts.authenticate);
        // An upgrade request's body is the new protocol, so it is not read here.
        const webReq = await toWebRequest(req, new AbortController().signal, false);
        result = opts.upgrade ? await opts.upgrade(webReq, user) : toWebResponse(statusResponse(new ApiError('BadRequest', 'upgrades are not supported')));
      } catch (err) {
        result = toWebResponse(statusResponse(ApiError.fromUnknown(err)));
      }
      if (typeof result === 'function') result(req, socket, head);
      else await writeRawResponse(socket, result);
    })().catch((err: unknown) => {
      log(`upgrade ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
      socket.destroy();
    });
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    async shutdown(graceMs) {
      server.close();
      if (inflight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      if (inflight > 0) log(`shutdown: ${inflight} requests still running after ${graceMs} ms: ${[...active].join(', ')}`);
      // Idle keep-alive and HTTP/2 connections would hold the process open; nothing is in flight now.
      for (const s of sockets) s.destroy();
    },
  };
}
