import type net from 'node:net';
import { Readable } from 'node:stream';
import type { Clock } from '../clock.ts';
import { closingResponse } from './error-pages.ts';
import { upstreamRequestHead } from './headers.ts';
import { RequestParser, type RequestHead } from './request-parser.ts';
import { ServerExchange, type ExchangeConn } from './server-exchange.ts';
import { readInto, streamReads } from './socket-reads.ts';

// The ingress's client side: a lean HTTP/1.1 server over raw (or TLS) sockets instead of node:http's server,
// whose IncomingMessage/ServerResponse machinery cost the data plane more CPU than the rest of a proxied request.
// One connection serves its requests in order (pipelined ones wait in the parser's buffer), streams a request
// body only when asked; each exchange's response framing and writes are in server-exchange.ts.

/** HttpListenerOptions say how long idle connections live and who handles requests and upgrades. */
export interface HttpListenerOptions {
  /** keepAliveMs closes a connection left waiting for a request this long (nginx keepalive_timeout). */
  keepAliveMs: number;
  clock: Clock;
  onRequest(ex: ServerExchange): void;
  /** onUpgrade takes over the socket of an Upgrade request; rest is what the client sent after the head. */
  onUpgrade(head: RequestHead, socket: net.Socket, rest: Buffer): void;
}

// Buffered request bytes beyond this stop reading from the socket until the connection catches up.
const highWater = 64 * 1024;

const Body = { none: 0, waiting: 1, streaming: 2, discarding: 3 } as const;

/** HttpListener serves HTTP/1.1 on a net.Server or tls.Server: it accepts connections and closes idle ones. */
export class HttpListener {
  readonly server: net.Server;
  readonly opts: HttpListenerOptions;
  /** readBuffer receives the reads of every plain connection (socket-reads.ts): each is parsed before the next arrives. */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  readonly #conns = new Set<ServerConn>();
  readonly #upgraded = new Set<net.Socket>();
  #sweeper: NodeJS.Timeout | null = null;
  #closing = false;
  #second = -1;
  #date = '';

  constructor(server: net.Server, secure: boolean, opts: HttpListenerOptions) {
    this.server = server;
    this.opts = opts;
    server.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.#accept(socket));
    if (secure) server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
  }

  /** closing tells whether the listener is shutting down (responses then end their connections). */
  get closing(): boolean {
    return this.#closing;
  }

  /** date is the current time as an HTTP Date header value, rendered once per second. */
  date(): string {
    const sec = Math.floor(this.opts.clock.now() / 1000);
    if (sec !== this.#second) {
      this.#second = sec;
      this.#date = new Date(sec * 1000).toUTCString();
    }
    return this.#date;
  }

  /** listen binds the server and starts closing idle connections. */
  async listen(port: number, host: string, reusePort: boolean): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, reusePort }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const every = Math.max(10, Math.min(1_000, this.opts.keepAliveMs / 2));
    this.#sweeper = setInterval(() => this.#sweep(), every).unref();
  }

  /** port is the bound port (0 before listen). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** close stops accepting, closes idle connections at once and the rest after their response or graceMs. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.#conns) if (c.idle) c.socket.destroy();
    const timer = setTimeout(() => {
      for (const c of this.#conns) c.socket.destroy();
      for (const s of this.#upgraded) s.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }

  /** forget drops a connection that closed or was upgraded (then its socket is tracked until it closes). */
  forget(c: ServerConn, upgraded: boolean): void {
    this.#conns.delete(c);
    if (upgraded) {
      this.#upgraded.add(c.socket);
      c.socket.once('close', () => this.#upgraded.delete(c.socket));
    }
  }

  #accept(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#conns.add(new ServerConn(socket, this));
  }

  #sweep(): void {
    const now = this.opts.clock.now();
    for (const c of this.#conns) if (c.idleSince > 0 && now - c.idleSince >= this.opts.keepAliveMs) c.socket.destroy();
  }
}

/** ServerConn is one client connection: it parses requests and runs one ServerExchange at a time. */
export class ServerConn implements ExchangeConn {
  readonly socket: net.Socket;
  /** idleSince is when the connection began waiting on the client (0 while a request is being answered). */
  idleSince: number;
  readonly #l: HttpListener;
  readonly #parser = new RequestParser();
  #ex: ServerExchange | null = null;
  #body: Readable | null = null;
  #bodyMode: number = Body.none;
  #bodyPaused = false;
  #driving = false;
  // shared: reads arrive in the listener's readBuffer, so bytes kept past a read are copies.
  readonly #shared: boolean;
  // closed: the connection serves nothing more (its socket closed, is closing, or was upgraded).
  #closed = false;
  // The upstream head of the last request head (the parser hands a repeated head back as the same object); the
  // client's address is the connection's, so it is rendered again only when the head changes.
  #upHead: RequestHead | null = null;
  #upSecure = false;
  #upText = '';
  // The last response head rendered, with its parts: they repeat while a backend answers the same way within a second.
  #rh = { status: 0, reason: '', lines: '', length: 0, chunked: false, connection: '', date: '', bytes: Buffer.alloc(0) };

  constructor(socket: net.Socket, l: HttpListener) {
    this.socket = socket;
    this.#l = l;
    this.idleSince = l.opts.clock.now();
    this.#shared = readInto(socket, l.readBuffer, (d) => this.#onData(d));
    if (!this.#shared) socket.on('data', (d: Buffer) => this.#onData(d));
    // A client that shuts down its side has gone away, as node:http and nginx take it (499 for a request in flight).
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#onClose());
  }

  /** idle tells whether no request is being answered and none is partly received. */
  get idle(): boolean {
    return this.#ex === null && this.#parser.buffered === 0 && !this.#parser.inBody;
  }

  /** mayKeepAlive tells whether the connection can serve another request after ex. */
  mayKeepAlive(ex: ServerExchange): boolean {
    // A client that expects 100 Continue and never got it may or may not send its body: the stream is ambiguous.
    const unsentBody = this.#bodyMode === Body.waiting && ex.head.expectContinue;
    return ex.head.keepAlive && !this.#l.closing && !unsentBody;
  }

  /** date is the listener's cached Date header value. */
  date(): string {
    return this.#l.date();
  }

  /** responseHead renders a response head (ServerExchange.respond), the same Buffer while its parts repeat. */
  responseHead(status: number, reason: string, lines: string, length: number, chunked: boolean, connection: string): Buffer {
    const date = this.#l.date();
    const c = this.#rh;
    if (c.status !== status || c.reason !== reason || c.lines !== lines || c.length !== length || c.chunked !== chunked || c.connection !== connection || c.date !== date) {
      const framing = length >= 0 ? `content-length: ${length}\r\n` : chunked ? 'transfer-encoding: chunked\r\n' : '';
      c.bytes = Buffer.from(`HTTP/1.1 ${status} ${reason}\r\n${lines}date: ${date}\r\n${framing}${connection}\r\n`, 'latin1');
      c.status = status;
      c.reason = reason;
      c.lines = lines;
      c.length = length;
      c.chunked = chunked;
      c.connection = connection;
      c.date = date;
    }
    return c.bytes;
  }

  /** upstreamHead is the head to send upstream for head, rendered once for a repeated head. */
  upstreamHead(head: RequestHead, secure: boolean): string {
    if (head !== this.#upHead || secure !== this.#upSecure) {
      this.#upText = upstreamRequestHead(head, this.socket, secure);
      this.#upHead = head;
      this.#upSecure = secure;
    }
    return this.#upText;
  }

  /** requestBody streams the current request's body (asking a 100-continue client for it first). */
  requestBody(ex: ServerExchange): Readable {
    if (this.#body) return this.#body;
    const body = new Readable({
      read: () => {
        if (!this.#bodyPaused) return;
        this.#bodyPaused = false;
        this.#drive();
      },
    });
    if (this.#ex !== ex || this.#bodyMode !== Body.waiting) {
      body.push(null);
      return body;
    }
    if (ex.head.expectContinue && !ex.headersSent) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    this.#body = body;
    this.#bodyMode = Body.streaming;
    queueMicrotask(() => this.#drive());
    return body;
  }

  /** exchangeEnded is told by ex when its response is complete: the connection closes or reads on. */
  exchangeEnded(ex: ServerExchange): void {
    if (this.#ex !== ex) return;
    this.#ex = null;
    if (!ex.keepAlive || this.#closed) {
      this.#closeAfterWrites();
      return;
    }
    if (this.#bodyMode === Body.waiting || this.#bodyMode === Body.streaming) {
      // The rest of an unread body is read and dropped so the next request can follow (nginx discards it too).
      this.#body?.destroy();
      this.#body = null;
      this.#bodyMode = Body.discarding;
      this.#bodyPaused = false;
    }
    this.idleSince = this.#l.opts.clock.now();
    if (this.#l.closing && this.idle) {
      this.socket.destroy();
      return;
    }
    this.#drive();
  }

  #onData(d: Buffer): void {
    this.#parser.push(d);
    this.#drive();
    if (this.#shared) this.#parser.keep();
    if (this.#parser.buffered > highWater && !this.socket.isPaused()) this.socket.pause();
  }

  #drive(): void {
    if (this.#driving || this.#closed) return;
    this.#driving = true;
    try {
      while (!this.#closed) {
        const inBody = this.#parser.inBody;
        if (inBody ? this.#bodyMode === Body.waiting || this.#bodyPaused : this.#ex !== null) break;
        const ev = this.#parser.next();
        if (!ev) break;
        switch (ev.type) {
          case 'head':
            this.#start(ev.head);
            break;
          case 'data':
            if (this.#bodyMode === Body.streaming && !(this.#body as Readable).push(this.#shared ? Buffer.from(ev.chunk) : ev.chunk)) this.#bodyPaused = true;
            break;
          case 'end':
            if (this.#bodyMode === Body.streaming) (this.#body as Readable).push(null);
            this.#body = null;
            this.#bodyMode = Body.none;
            break;
          case 'error':
            this.#refuse(ev.status);
            return;
          default: {
            const never: never = ev;
            throw new Error(`unexpected parse event ${JSON.stringify(never)}`);
          }
        }
      }
    } finally {
      this.#driving = false;
    }
    if (this.#parser.buffered <= highWater && this.socket.isPaused() && !this.#closed) this.socket.resume();
  }

  #start(head: RequestHead): void {
    if (head.upgrade) {
      this.#closed = true;
      this.socket.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error').removeAllListeners('close');
      this.#l.forget(this, true);
      // Not flowing until the handler pipes it, so nothing the client sends meanwhile is lost.
      this.socket.pause();
      if (this.#shared) streamReads(this.socket, this.#l.readBuffer);
      const rest = this.#parser.takeRest();
      this.#l.opts.onUpgrade(head, this.socket, this.#shared ? Buffer.from(rest) : rest);
      return;
    }
    const ex = new ServerExchange(this, head);
    this.#ex = ex;
    this.idleSince = 0;
    this.#bodyMode = head.chunked || head.contentLength > 0 ? Body.waiting : Body.none;
    this.#l.opts.onRequest(ex);
  }

  // A malformed request is answered and the connection closed: what follows cannot be framed.
  #refuse(status: number): void {
    if (this.#ex) {
      this.socket.destroy();
      return;
    }
    this.socket.write(closingResponse(status, this.#l.date()), 'latin1');
    this.#closeAfterWrites();
  }

  #closeAfterWrites(): void {
    const s = this.socket;
    this.idleSince = 0;
    // Whatever the client sent after the last answered request is not served.
    this.#closed = true;
    if (s.destroyed) return;
    s.end();
    if (s.writableFinished) s.destroy();
    else s.once('finish', () => s.destroy());
  }

  #onClose(): void {
    this.#closed = true;
    this.#l.forget(this, false);
    this.#body?.destroy();
    this.#body = null;
    const ex = this.#ex;
    this.#ex = null;
    ex?.abort();
  }
}
