import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.ts';
import type { AccessLogFormatter } from './access-log.ts';
import { errorPage, statusReason } from './error-pages.ts';
import { headerValue } from './headers.ts';
import type { RequestObserver } from './metrics.ts';
import { pickUpstream, type Target, type Upstream } from './routing.ts';
import type { ExchangeCloseListener, ServerExchange } from './server-exchange.ts';
import { ReadTimeoutError, type UpstreamExchange, type UpstreamHandlers, type UpstreamHead, type UpstreamPool, type UpstreamRequest } from './upstream.ts';

/** ProxyContext is what every proxied request of an IngressProxy shares. */
export interface ProxyContext {
  upstream: UpstreamPool;
  /** maxTries is how many endpoints one request may try (proxy-next-upstream-tries). */
  maxTries: number;
  metrics: RequestObserver | null;
  accessLog: ((line: string) => void) | null;
  formatter: AccessLogFormatter;
  clock: Clock;
}

const connectErrors = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ECONNABORTED']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * ProxiedRequest is one client request's way to a backend across retries: it is the upstream request (the
 * endpoint of the current try), the handler of its response and the listener of the client exchange's end, so a
 * request allocates no callbacks of its own.
 */
export class ProxiedRequest implements UpstreamRequest, UpstreamHandlers, ExchangeCloseListener {
  readonly ex: ServerExchange;
  readonly secure: boolean;
  readonly started = performance.now();
  target: Target | null = null;
  /** alternative is the canary backend's name when the canary serves the request. */
  alternative = '';
  /** bytes is the response body length as far as known (Content-Length), -1 when unknown. */
  bytes = -1;
  // UpstreamRequest: the current try's endpoint and the head built once for all tries.
  host = '';
  port = 0;
  address = '';
  head = '';
  readonly headRequest: boolean;
  body: NodeJS.ReadableStream | null = null;
  readonly chunked: boolean;
  readonly #ctx: ProxyContext;
  readonly #hasBody: boolean;
  // Endpoints not to try again (a try that found a stale kept-alive socket may use its endpoint again).
  #tried: Set<Upstream> | null = null;
  #current: Upstream | null = null;
  #upstreams: string[] = [];
  #upstreamStarted = 0;
  #upstreamSeconds = 0;
  #upstreamStatus = 0;
  /** served is the endpoint whose answer the client gets (its pod's metrics count the request). */
  #served: Upstream | null = null;
  /** up is the upstream exchange in flight, aborted when the client goes away first. */
  #up: UpstreamExchange | null = null;

  constructor(ctx: ProxyContext, ex: ServerExchange, secure: boolean) {
    this.#ctx = ctx;
    this.ex = ex;
    this.secure = secure;
    this.#hasBody = ex.hasBody;
    this.headRequest = ex.head.method === 'HEAD';
    this.chunked = ex.head.chunked;
    ex.onClose(this);
  }

  /** attempt sends the request to the target's next endpoint not tried yet (502 when none is left). */
  attempt(): void {
    const backend = this.target?.backend;
    const u = backend ? pickUpstream(backend, this.#tried ?? undefined) : null;
    if (!u) {
      this.reply(502);
      return;
    }
    this.#current = u;
    this.#upstreams.push(u.address);
    // The upstream's own time is for the access log only.
    if (this.#ctx.accessLog) this.#upstreamStarted = performance.now();
    const ex = this.ex;
    this.host = u.host;
    this.port = u.port;
    this.address = u.address;
    if (this.head === '') this.head = ex.upstreamHead(this.secure);
    this.body = this.#hasBody ? ex.body() : null;
    this.#up = this.#ctx.upstream.request(this, this);
  }

  /** reply answers the client with one of the ingress's own error pages, unless an answer has begun. */
  reply(status: number): void {
    const ex = this.ex;
    if (ex.headersSent || ex.closed) return;
    const body = errorPage(status);
    this.bytes = body.length;
    ex.respond(status, statusReason(status), 'content-type: text/html\r\n', body.length);
    ex.end(body);
  }

  onHead(up: UpstreamHead): void {
    this.#upstreamStatus = up.status;
    this.#served = this.#current;
    this.bytes = up.contentLength;
    this.ex.respond(up.status, up.statusMessage || (STATUS_CODES[up.status] ?? ''), up.lines, up.contentLength);
  }

  onData(chunk: Buffer): boolean {
    if (this.ex.write(chunk)) return true;
    this.ex.onceDrain(() => this.#up?.resume());
    return false;
  }

  onEnd(): void {
    if (this.#ctx.accessLog) this.#upstreamSeconds = (performance.now() - this.#upstreamStarted) / 1000;
    this.ex.end();
  }

  onError(err: NodeJS.ErrnoException, reused: boolean): void {
    const ex = this.ex;
    if (ex.headersSent) {
      ex.destroy();
      return;
    }
    const code = err.code ?? '';
    const beforeSend = connectErrors.has(code);
    // A kept-alive socket the upstream closed meanwhile fails on first use; a bodiless idempotent request is safe to resend.
    const staleSocket = reused && !this.#hasBody && idempotent.has(ex.head.method) && (code === 'ECONNRESET' || code === 'EPIPE');
    if ((beforeSend || staleSocket) && this.#upstreams.length < this.#ctx.maxTries && !ex.closed) {
      if (!staleSocket) (this.#tried ??= new Set()).add(this.#current as Upstream);
      this.attempt();
      return;
    }
    this.#upstreamStatus = code === 'ETIMEDOUT' || err instanceof ReadTimeoutError ? 504 : 502;
    this.reply(this.#upstreamStatus);
  }

  /** exchangeClosed counts the request in the metrics and the access log; finished is false when the client went away first. */
  exchangeClosed(finished: boolean): void {
    const ex = this.ex;
    const ctx = this.#ctx;
    // nginx logs 499 when the client went away before the response was complete.
    const status = finished ? ex.status : 499;
    if (!finished) this.#up?.abort();
    const seconds = (performance.now() - this.started) / 1000;
    ctx.metrics?.observe(this.target, status, seconds, this.#served === null ? '' : this.#served.pod);
    if (!ctx.accessLog) return;
    const head = ex.head;
    const backend = this.target?.canary ? '' : (this.target?.backend?.name ?? '');
    ctx.accessLog(ctx.formatter.format({
      remoteAddress: ex.socket.remoteAddress ?? '-',
      method: head.method,
      url: head.target,
      httpVersion: head.version,
      status,
      bytesSent: this.bytes,
      referer: headerValue(head.rawHeaders, 'referer'),
      userAgent: headerValue(head.rawHeaders, 'user-agent'),
      seconds,
      upstreamName: this.alternative ? '' : backend,
      alternativeUpstreamName: this.alternative,
      upstreams: this.#upstreams,
      upstreamSeconds: this.#upstreamSeconds,
      upstreamStatus: this.#upstreamStatus,
    }, ctx.clock.now()));
  }
}
