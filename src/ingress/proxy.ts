import http, { type IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { systemClock, type Clock } from '../clock.ts';
import { AccessLogFormatter } from './access-log.ts';
import { emptyConfig, type IngressConfig } from './config.ts';
import { closingResponse, errorPage, statusReason } from './error-pages.ts';
import { forwardHeaders, headerRecord, responseHeaderLines } from './headers.ts';
import type { RequestObserver } from './metrics.ts';
import { ProxiedRequest, type ProxyContext } from './proxied-request.ts';
import type { RequestHead } from './request-parser.ts';
import { pickUpstream, routeToCanary, RoutingTable } from './routing.ts';
import { HttpListener, type HttpListenerOptions } from './server-conn.ts';
import type { ServerExchange } from './server-exchange.ts';
import { SniContexts, type KeyPair } from './tls.ts';
import { UpstreamPool } from './upstream.ts';

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

/**
 * IngressProxy is the ingress's data plane: HTTP and HTTPS listeners (a lean HTTP/1.1 server over raw and TLS
 * sockets, server-conn.ts) that route each request through the current RoutingTable to a backend endpoint over
 * kept-alive upstream connections (upstream.ts), streaming bodies both ways. update() swaps the table atomically;
 * open connections are untouched.
 */
export class IngressProxy {
  readonly #opts: IngressProxyOptions;
  #table = new RoutingTable(emptyConfig());
  readonly #sni: SniContexts;
  readonly #upstream: UpstreamPool;
  readonly #http: HttpListener;
  readonly #https: HttpListener | null;
  readonly #random: () => number;
  readonly #clock: Clock;
  readonly #ctx: ProxyContext;

  constructor(opts: IngressProxyOptions) {
    this.#opts = opts;
    this.#random = opts.random ?? Math.random;
    this.#clock = opts.clock ?? systemClock;
    this.#sni = new SniContexts(opts.defaultCertificate, opts.log);
    // Upstream connections are kept and reused LIFO, so a busy backend is served by a few warm sockets.
    this.#upstream = new UpstreamPool({ connectTimeoutMs: opts.connectTimeoutMs ?? 5_000, readTimeoutMs: opts.readTimeoutMs ?? 60_000 });
    this.#ctx = { upstream: this.#upstream, maxTries: opts.maxTries ?? 3, metrics: opts.metrics ?? null, accessLog: opts.accessLog ?? null, formatter: new AccessLogFormatter(), clock: this.#clock };
    const listener = (secure: boolean): HttpListenerOptions => ({
      keepAliveMs: opts.clientKeepAliveMs ?? 75_000,
      clock: this.#clock,
      onRequest: (ex) => this.#onRequest(ex, secure),
      onUpgrade: (head, socket, rest) => this.#onUpgrade(head, socket, rest, secure),
    });
    // allowHalfOpen: a client that shuts down its sending side after a request still gets the answer.
    this.#http = new HttpListener(net.createServer({ noDelay: true, allowHalfOpen: true }), false, listener(false));
    this.#https = opts.httpsPort === null ? null : new HttpListener(tls.createServer({ noDelay: true, allowHalfOpen: true, ALPNProtocols: ['http/1.1'], SNICallback: this.#sni.sniCallback, cert: opts.defaultCertificate.certPem, key: opts.defaultCertificate.keyPem }), true, listener(true));
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
    await this.#http.listen(this.#opts.httpPort, this.#opts.bindAddress, reusePort);
    if (this.#https && this.#opts.httpsPort !== null) await this.#https.listen(this.#opts.httpsPort, this.#opts.bindAddress, reusePort);
  }

  /** httpPort is the bound HTTP port. */
  get httpPort(): number {
    return this.#http.port;
  }

  /** httpsPort is the bound HTTPS port (0 when HTTPS is off). */
  get httpsPort(): number {
    return this.#https?.port ?? 0;
  }

  /** close stops accepting, lets in-flight requests finish for up to graceMs, then drops what is left. */
  async close(graceMs = 5_000): Promise<void> {
    await Promise.all([this.#http.close(graceMs), this.#https?.close(graceMs)]);
    this.#upstream.close();
  }

  #onRequest(ex: ServerExchange, secure: boolean): void {
    const x = new ProxiedRequest(this.#ctx, ex, secure);
    const head = ex.head;
    const url = head.target;
    const q = url.indexOf('?');
    const m = this.#table.match(head.host, q < 0 ? url : url.slice(0, q));
    const route = m.route;
    if (!route) {
      x.reply(404);
      return;
    }
    if (m.sslRedirect && !secure) {
      const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
      const host = head.host.replace(/:\d+$/, '');
      x.bytes = redirectBody.length;
      ex.respond(308, statusReason(308), `location: https://${host}${port}${url}\r\ncontent-type: text/html\r\n`, redirectBody.length);
      ex.end(redirectBody);
      return;
    }
    let target = route.target;
    if (route.canary && routeToCanary(route.canary, headerRecord(head.rawHeaders), this.#random)) {
      target = route.canary.target;
      x.alternative = target.backend?.name ?? '';
    }
    x.target = target;
    const backend = route.target.backend;
    // As ingress-nginx: no ready endpoint in the main backend is a 503 even when a canary could serve.
    if (!backend || backend.upstreams.length === 0) {
      x.reply(503);
      return;
    }
    x.attempt();
  }

  #onUpgrade(head: RequestHead, socket: Socket, rest: Buffer, secure: boolean): void {
    socket.on('error', () => socket.destroy());
    const url = head.target;
    const q = url.indexOf('?');
    const route = this.#table.match(head.host, q < 0 ? url : url.slice(0, q)).route;
    let target = route?.target ?? null;
    if (route?.canary && routeToCanary(route.canary, headerRecord(head.rawHeaders), this.#random)) target = route.canary.target;
    const u = target?.backend ? pickUpstream(target.backend) : null;
    if (!u) {
      socket.end(closingResponse(route ? 503 : 404, this.#http.date()));
      return;
    }
    const up = http.request({ host: u.host, port: u.port, method: head.method, path: url, headers: forwardHeaders(head, socket, secure, true), agent: false });
    up.once('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      socket.write(`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}\r\n${joinRaw(upRes.rawHeaders)}\r\n`);
      if (upHead.length > 0) socket.write(upHead);
      if (rest.length > 0) upSocket.write(rest);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    up.once('response', (upRes: IncomingMessage) => {
      // The upstream declined the upgrade: relay its answer and close.
      socket.write(`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}\r\n${responseHeaderLines(upRes.rawHeaders)}date: ${this.#http.date()}\r\nconnection: close\r\n\r\n`);
      upRes.pipe(socket);
    });
    up.once('error', () => socket.end(closingResponse(502, this.#http.date())));
    up.end();
  }
}

const redirectBody = errorPage(308);

function joinRaw(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}
