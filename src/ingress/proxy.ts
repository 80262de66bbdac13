import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../clock.ts';
import { AccessLogFormatter } from './access-log.ts';
import { emptyConfig, type IngressConfig } from './config.ts';
import type { RequestObserver } from './metrics.ts';
import { pickUpstream, routeToCanary, RoutingTable, type Target, type Upstream } from './routing.ts';
import { SniContexts, type KeyPair } from './tls.ts';
import { forwardHeaders, responseHeaders } from './headers.ts';
import { ReadTimeoutError, UpstreamPool, type UpstreamExchange } from './upstream.ts';

/** IngressProxyOptions configure one data plane: listeners, upstream behaviour, and where logs and metrics go. */
export interface IngressProxyOptions {
  bindAddress: string;
  /** httpPort is the plain HTTP port (0 picks a free one). */
  httpPort: number;
  /** httpsPort is the TLS port (0 picks a free one; null serves no HTTPS). */
  httpsPort: number | null;
  /** reusePort lets several data planes (worker threads) listen on the same ports, the kernel spreading connections (SO_REUSEPORT). */
  reusePort?: boolean;
  defaultCertificate: KeyPair;
  /** metrics observes every finished request (IngressMetrics, or a worker thread's buffer). */
  metrics?: RequestObserver | null;
  /** accessLog receives one line per request; absent or null logs nothing. */
  accessLog?: ((line: string) => void) | null;
  /** random drives canary weights (tests seed it). */
  random?: () => number;
  /** connectTimeoutMs bounds connecting to an endpoint (ingress-nginx's proxy-connect-timeout, 5 s). */
  connectTimeoutMs?: number;
  /** readTimeoutMs bounds silence from an upstream (proxy-read-timeout, 60 s). */
  readTimeoutMs?: number;
  /** maxTries is how many endpoints one request may try (proxy-next-upstream-tries, 3). */
  maxTries?: number;
  /** clientKeepAliveMs is how long an idle client connection stays open (nginx keepalive_timeout, 75 s). */
  clientKeepAliveMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

// An Exchange is one proxied request's state across retries.
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  secure: boolean;
  started: number;
  target: Target | null;
  alternative: string;
  tried: Set<Upstream>;
  upstreams: string[];
  upstreamStarted: number;
  upstreamSeconds: number;
  upstreamStatus: number;
  /** served is the endpoint whose answer the client gets (its pod's metrics count the request). */
  served: Upstream | null;
  hasBody: boolean;
  headers: string[] | null;
  bytes: number;
  /** head is the upstream request head, built once for all tries. */
  head: string | null;
  /** up is the upstream exchange in flight, aborted when the client goes away first. */
  up: UpstreamExchange | null;
}

const connectErrors = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ECONNABORTED']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * IngressProxy is the ingress's data plane: HTTP and HTTPS listeners that route each request through the current
 * RoutingTable to a backend endpoint over kept-alive upstream connections, streaming bodies both ways.
 * update() swaps the table atomically; open connections are untouched.
 */
export class IngressProxy {
  readonly #opts: IngressProxyOptions;
  #table = new RoutingTable(emptyConfig());
  readonly #sni: SniContexts;
  readonly #upstream: UpstreamPool;
  readonly #http: http.Server;
  readonly #https: https.Server | null;
  readonly #random: () => number;
  readonly #maxTries: number;
  readonly #connectTimeoutMs: number;
  readonly #readTimeoutMs: number;
  readonly #clock: Clock;
  readonly #formatter = new AccessLogFormatter();
  readonly #metrics: RequestObserver | null;
  readonly #accessLog: ((line: string) => void) | null;

  constructor(opts: IngressProxyOptions) {
    this.#opts = opts;
    this.#random = opts.random ?? Math.random;
    this.#maxTries = opts.maxTries ?? 3;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.#readTimeoutMs = opts.readTimeoutMs ?? 60_000;
    this.#clock = opts.clock ?? systemClock;
    this.#metrics = opts.metrics ?? null;
    this.#accessLog = opts.accessLog ?? null;
    this.#sni = new SniContexts(opts.defaultCertificate, opts.log);
    // Upstream connections are kept and reused LIFO, so a busy backend is served by a few warm sockets.
    this.#upstream = new UpstreamPool({ connectTimeoutMs: this.#connectTimeoutMs, readTimeoutMs: this.#readTimeoutMs });
    const serverOpts = { keepAliveTimeout: opts.clientKeepAliveMs ?? 75_000, noDelay: true, requestTimeout: 0 };
    this.#http = http.createServer(serverOpts, (req, res) => this.#onRequest(req, res, false));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#onUpgrade(req, socket, head, false));
    this.#https = opts.httpsPort === null ? null : https.createServer({ ...serverOpts, SNICallback: this.#sni.sniCallback, cert: opts.defaultCertificate.certPem, key: opts.defaultCertificate.keyPem }, (req, res) => this.#onRequest(req, res, true));
    this.#https?.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#onUpgrade(req, socket, head, true));
    for (const s of [this.#http, this.#https]) s?.on('clientError', (_err, socket: Socket) => socket.destroy());
  }

  /** update swaps in a new routing configuration; round-robin positions of unchanged backends carry over. */
  update(config: IngressConfig): void {
    this.#table = new RoutingTable(config, this.#table);
    this.#sni.update(config.tls);
  }

  /** applied resolves at once: update() swaps the table in this thread. */
  applied(): Promise<void> {
    return Promise.resolve();
  }

  /** table is the routing table in force. */
  get table(): RoutingTable {
    return this.#table;
  }

  /** listen opens the HTTP (and HTTPS) ports. */
  async listen(): Promise<void> {
    const reusePort = this.#opts.reusePort ?? false;
    this.#http.listen({ port: this.#opts.httpPort, host: this.#opts.bindAddress, reusePort });
    await once(this.#http, 'listening');
    if (this.#https && this.#opts.httpsPort !== null) {
      this.#https.listen({ port: this.#opts.httpsPort, host: this.#opts.bindAddress, reusePort });
      await once(this.#https, 'listening');
    }
  }

  /** httpPort is the bound HTTP port. */
  get httpPort(): number {
    return portOf(this.#http);
  }

  /** httpsPort is the bound HTTPS port (0 when HTTPS is off). */
  get httpsPort(): number {
    return this.#https ? portOf(this.#https) : 0;
  }

  /** close stops accepting, lets in-flight requests finish for up to graceMs, then drops what is left. */
  async close(graceMs = 5_000): Promise<void> {
    const servers = [this.#http, this.#https].filter((s): s is http.Server => s !== null && s.listening);
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of servers) s.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(timer);
    this.#upstream.close();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const m = this.#table.match(req.headers.host ?? '', q < 0 ? url : url.slice(0, q));
    const route = m.route;
    const x: Exchange = { req, res, secure, started, target: null, alternative: '', tried: new Set(), upstreams: [], upstreamStarted: 0, upstreamSeconds: 0, upstreamStatus: 0, served: null, hasBody: false, headers: null, head: null, bytes: -1, up: null };
    res.once('close', () => this.#done(x));
    if (!route) {
      this.#reply(x, 404);
      return;
    }
    if (m.sslRedirect && !secure) {
      const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      res.writeHead(308, { location: `https://${host}${port}${url}`, 'content-type': 'text/html', 'content-length': String(redirectBody.length) });
      res.end(redirectBody);
      return;
    }
    let target = route.target;
    if (route.canary && routeToCanary(route.canary, req.headers, this.#random)) {
      target = route.canary.target;
      x.alternative = target.backend?.name ?? '';
    }
    x.target = target;
    const backend = route.target.backend;
    // As ingress-nginx: no ready endpoint in the main backend is a 503 even when a canary could serve.
    if (!backend || backend.upstreams.length === 0) {
      this.#reply(x, 503);
      return;
    }
    x.hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    x.headers = forwardHeaders(req, secure, false);
    this.#attempt(x);
  }

  #attempt(x: Exchange): void {
    const backend = x.target?.backend;
    const u = backend ? pickUpstream(backend, x.tried) : null;
    if (!u) {
      this.#reply(x, 502);
      return;
    }
    x.tried.add(u);
    x.upstreams.push(u.address);
    x.upstreamStarted = performance.now();
    const { req, res } = x;
    x.up = this.#upstream.request({
      host: u.host,
      port: u.port,
      address: u.address,
      head: (x.head ??= requestHead(req.method ?? 'GET', req.url ?? '/', x.headers as string[])),
      headRequest: req.method === 'HEAD',
      body: x.hasBody ? req : null,
      chunked: x.hasBody && req.headers['content-length'] === undefined,
    }, {
      onHead: (head) => {
        x.upstreamStatus = head.status;
        x.served = u;
        const cl = headerValue(head.rawHeaders, 'content-length');
        x.bytes = cl === undefined ? -1 : Number(cl);
        res.writeHead(head.status, head.statusMessage, responseHeaders(head.rawHeaders));
      },
      onData: (chunk) => {
        if (res.write(chunk)) return true;
        res.once('drain', () => x.up?.resume());
        return false;
      },
      onEnd: () => {
        x.upstreamSeconds = (performance.now() - x.upstreamStarted) / 1000;
        res.end();
      },
      onError: (err, reused) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const code = err.code ?? '';
        const beforeSend = connectErrors.has(code);
        // A kept-alive socket the upstream closed meanwhile fails on first use; a bodiless idempotent request is safe to resend.
        const staleSocket = reused && !x.hasBody && idempotent.has(req.method ?? '') && (code === 'ECONNRESET' || code === 'EPIPE');
        if ((beforeSend || staleSocket) && x.upstreams.length < this.#maxTries && !res.destroyed) {
          if (staleSocket) x.tried.delete(u);
          this.#attempt(x);
          return;
        }
        x.upstreamStatus = code === 'ETIMEDOUT' || err instanceof ReadTimeoutError ? 504 : 502;
        this.#reply(x, x.upstreamStatus);
      },
    });
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, secure: boolean): void {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const route = this.#table.match(req.headers.host ?? '', q < 0 ? url : url.slice(0, q)).route;
    let target = route?.target ?? null;
    if (route?.canary && routeToCanary(route.canary, req.headers, this.#random)) target = route.canary.target;
    const u = target?.backend ? pickUpstream(target.backend) : null;
    if (!u) {
      socket.end(rawResponse(route ? 503 : 404));
      return;
    }
    const up = http.request({ host: u.host, port: u.port, method: req.method, path: url, headers: forwardHeaders(req, secure, true), agent: false });
    up.once('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      socket.write(`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}\r\n${joinRaw(upRes.rawHeaders)}\r\n`);
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    up.once('response', (upRes: IncomingMessage) => {
      // The upstream declined the upgrade: relay its answer and close.
      socket.write(`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}\r\n${joinRaw(responseHeaders(upRes.rawHeaders))}connection: close\r\n\r\n`);
      upRes.pipe(socket);
    });
    up.once('error', () => socket.end(rawResponse(502)));
    up.end();
  }

  #reply(x: Exchange, status: number): void {
    const { res } = x;
    if (res.headersSent || res.destroyed) return;
    const body = errorBodies.get(status) ?? '';
    x.bytes = body.length;
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': String(body.length) });
    res.end(body);
  }

  #done(x: Exchange): void {
    const { res } = x;
    // nginx logs 499 when the client went away before the response was complete.
    const status = res.writableFinished ? res.statusCode : 499;
    if (!res.writableFinished) x.up?.abort();
    const seconds = (performance.now() - x.started) / 1000;
    this.#metrics?.observe(x.target, status, seconds, x.served === null ? '' : x.served.pod);
    if (this.#accessLog) {
      const { req } = x;
      const backend = x.target?.canary ? '' : (x.target?.backend?.name ?? '');
      this.#accessLog(this.#formatter.format({
        remoteAddress: req.socket.remoteAddress ?? '-',
        method: req.method ?? '-',
        url: req.url ?? '/',
        httpVersion: req.httpVersion,
        status,
        bytesSent: x.bytes,
        referer: req.headers.referer,
        userAgent: req.headers['user-agent'],
        seconds,
        upstreamName: x.alternative ? '' : backend,
        alternativeUpstreamName: x.alternative,
        upstreams: x.upstreams,
        upstreamSeconds: x.upstreamSeconds,
        upstreamStatus: x.upstreamStatus,
      }, this.#clock.now()));
    }
  }
}

function portOf(s: http.Server): number {
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
}

const statusTexts: Record<number, string> = { 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };
const errorBodies = new Map(Object.entries(statusTexts).map(([code, text]) => [Number(code), `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>berth</center>\r\n</body>\r\n</html>\r\n`]));
const redirectBody = '<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n<center><h1>308 Permanent Redirect</h1></center>\r\n<hr><center>berth</center>\r\n</body>\r\n</html>\r\n';

function rawResponse(status: number): string {
  const body = errorBodies.get(status) ?? '';
  return `HTTP/1.1 ${status} ${statusTexts[status] ?? ''}\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`;
}

/** requestHead is the upstream request's head without the closing blank line. */
function requestHead(method: string, url: string, raw: readonly string[]): string {
  let head = `${method} ${url} HTTP/1.1`;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `\r\n${raw[i]}: ${raw[i + 1]}`;
  return head;
}

/** headerValue finds a header (lower-case name) in a raw list. */
function headerValue(raw: readonly string[], lower: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).length === lower.length && (raw[i] as string).toLowerCase() === lower) return raw[i + 1];
  return undefined;
}

function joinRaw(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}
