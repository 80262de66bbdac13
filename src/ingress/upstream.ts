import net from 'node:net';
import { Chunk, ChunkedDecoder } from './chunked.ts';
import { Framing, parseResponseHead, type ParsedHead, type UpstreamHead } from './response-head.ts';
import { directReads } from './socket-reads.ts';
import { writeSocket } from './socket-writes.ts';

export type { UpstreamHead };

// A lean HTTP/1.1 client for the ingress's upstream side: kept-alive sockets per endpoint (reused LIFO), the request
// head written as one string, and the response parsed here (status line, headers, Content-Length / chunked /
// close-delimited framing) instead of through http.request, ClientRequest, IncomingMessage and the agent's
// bookkeeping, which cost the data plane about as much as the rest of a proxied request.


/** UpstreamHandlers receive one exchange's outcome: a head, body bytes (de-chunked), and end; or an error. */
export interface UpstreamHandlers {
  onHead(head: UpstreamHead): void;
  /** onData gets body bytes, valid only during the call (the read buffer is reused); returning false pauses the upstream until resume(). */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** onError reports a failure before onEnd; reused tells whether the socket had served an earlier request. */
  onError(err: NodeJS.ErrnoException, reused: boolean): void;
}

/** UpstreamRequest is what to send: the request head and how its body is framed. */
export interface UpstreamRequest {
  host: string;
  port: number;
  /** address keys the pool ("ip:port"). */
  address: string;
  /** head is "METHOD path HTTP/1.1\r\nname: value\r\n...\r\n\r\n", the blank line included. */
  head: string;
  /** noBody: HEAD requests, whose responses carry no body whatever their headers say. */
  headRequest: boolean;
  /** body streams the request body (null: none); chunked re-frames it with chunked encoding. */
  body: NodeJS.ReadableStream | null;
  chunked: boolean;
}

/** ConnectTimeoutError marks a connect attempt that took too long (code ETIMEDOUT, as a refused connect it is retried). */
export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** ReadTimeoutError marks an upstream that went silent after the request was sent (504, not retried). */
export class ReadTimeoutError extends Error {
  readonly code = 'ERR_READ_TIMEOUT';
}

/** UpstreamPoolOptions bound connecting and waiting. */
export interface UpstreamPoolOptions {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** maxIdlePerEndpoint caps kept-alive idle sockets per endpoint (default 256). */
  maxIdlePerEndpoint?: number;
}

const crlf2 = Buffer.from('\r\n\r\n');
const maxHeadBytes = 64 * 1024;

/** UpstreamPool keeps idle upstream connections per endpoint and runs exchanges over them. */
export class UpstreamPool {
  readonly opts: UpstreamPoolOptions;
  /** readBuffer receives every read of the pool's sockets (onread): each is handled before the next arrives. */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  /** tick counts sweeps; a connection notes it at each read or write, so silence is measured without a timer per socket. */
  tick = 0;
  readonly #idle = new Map<string, UpstreamConn[]>();
  readonly #conns = new Set<UpstreamConn>();
  readonly #sweepMs: number;
  #sweeper: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(opts: UpstreamPoolOptions) {
    this.opts = opts;
    this.#sweepMs = Math.max(10, Math.min(1_000, opts.readTimeoutMs / 4));
  }

  /** request sends one request and reports its response to handlers; the returned exchange can be aborted. */
  request(r: UpstreamRequest, h: UpstreamHandlers): UpstreamExchange {
    let conn = this.#idle.get(r.address)?.pop();
    if (!conn) {
      conn = new UpstreamConn(this, r);
      this.#conns.add(conn);
      this.#sweeper ??= setInterval(() => this.#sweep(), this.#sweepMs).unref();
    }
    return new UpstreamExchange(this, conn, r, h);
  }

  /** release keeps a connection that finished an exchange cleanly for the next request to its endpoint. */
  release(conn: UpstreamConn): void {
    let idle = this.#idle.get(conn.address);
    if (!idle) this.#idle.set(conn.address, (idle = []));
    if (this.#closed || idle.length >= (this.opts.maxIdlePerEndpoint ?? 256)) {
      conn.sock.destroy();
      return;
    }
    conn.served++;
    idle.push(conn);
  }

  /** forget drops a connection that closed, or an idle one that failed, went silent or received anything unasked. */
  forget(conn: UpstreamConn): void {
    conn.sock.destroy();
    this.#conns.delete(conn);
    const list = this.#idle.get(conn.address);
    const i = list ? list.indexOf(conn) : -1;
    if (i >= 0) list?.splice(i, 1);
  }

  /** close destroys every idle socket; exchanges in flight finish on their own sockets. */
  close(): void {
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    for (const list of this.#idle.values()) for (const c of list.splice(0)) c.sock.destroy();
  }

  // Silence past the read timeout fails an exchange (504) and closes an idle kept-alive socket (nginx's 60 s).
  #sweep(): void {
    this.tick++;
    const limit = Math.ceil(this.opts.readTimeoutMs / this.#sweepMs);
    for (const c of this.#conns) {
      if (this.tick - c.lastTick < limit) continue;
      if (c.ex) c.ex.fail(new ReadTimeoutError(`upstream ${c.address} timed out`));
      else this.forget(c);
    }
  }
}

/**
 * UpstreamConn is one upstream socket with its listeners attached once: reads (into the pool's buffer, without
 * the stream machinery), errors, close and the read timeout go to the exchange using it, or drop it while idle.
 */
class UpstreamConn {
  readonly sock: net.Socket;
  readonly address: string;
  /** served counts the exchanges completed on this socket (reused when above 0). */
  served = 0;
  ex: UpstreamExchange | null = null;
  /** lastTick is the pool's tick at this socket's last read or write. */
  lastTick: number;
  readonly #pool: UpstreamPool;
  // The last response head parsed and its text: a backend answers a kept-alive connection with the same head
  // again and again (until its Date header turns), which then costs a string comparison, not a parse.
  #headText = '';
  #headRequest = false;
  #parsed: ParsedHead | { error: string } | null = null;

  constructor(pool: UpstreamPool, r: UpstreamRequest) {
    this.address = r.address;
    const sock = net.connect({ host: r.host, port: r.port, noDelay: true, onread: { buffer: pool.readBuffer, callback: (n: number, buf: Uint8Array) => this.#onRead(n, buf) } });
    this.sock = sock;
    this.lastTick = pool.tick;
    // Reads start once connected; from then on the handle calls #onRead itself (socket-reads.ts).
    sock.once('connect', () => directReads(sock, (n) => this.#onRead(n, pool.readBuffer)));
    sock.on('error', (err: NodeJS.ErrnoException) => (this.ex ? this.ex.fail(err) : pool.forget(this)));
    sock.on('close', () => {
      this.ex?.closed();
      pool.forget(this);
    });
    this.#pool = pool;
  }

  /** parse parses a response head (parseResponseHead), handing a repeated head's result back as it is. */
  parse(text: string, headRequest: boolean): ParsedHead | { error: string } {
    if (this.#parsed === null || text !== this.#headText || headRequest !== this.#headRequest) {
      this.#parsed = parseResponseHead(text, headRequest);
      this.#headText = text;
      this.#headRequest = headRequest;
    }
    return this.#parsed;
  }

  #onRead(n: number, buf: Uint8Array): boolean {
    this.lastTick = this.#pool.tick;
    if (!this.ex) {
      this.#pool.forget(this);
      return false;
    }
    return this.ex.received(Buffer.from(buf.buffer, buf.byteOffset, n));
  }
}

// Body framing states of a response.

/** UpstreamExchange is one request/response on one upstream connection. */
export class UpstreamExchange {
  readonly reused: boolean;
  readonly #pool: UpstreamPool;
  readonly #conn: UpstreamConn;
  readonly #sock: net.Socket;
  readonly #r: UpstreamRequest;
  readonly #h: UpstreamHandlers;
  // Unparsed bytes kept across reads (copies: the read buffer is reused).
  #buf: Buffer | null = null;
  #head: UpstreamHead | null = null;
  #framing = 0;
  #remaining = 0;
  #chunks: ChunkedDecoder | null = null;
  #done = false;
  #paused = false;
  #bodySent: boolean;
  #reusable = true;
  #connectTimer: NodeJS.Timeout | null = null;

  constructor(pool: UpstreamPool, conn: UpstreamConn, r: UpstreamRequest, h: UpstreamHandlers) {
    this.#pool = pool;
    this.#conn = conn;
    const sock = conn.sock;
    this.#sock = sock;
    this.reused = conn.served > 0;
    this.#r = r;
    this.#h = h;
    this.#bodySent = r.body === null;
    conn.ex = this;
    conn.lastTick = pool.tick;
    // The head goes out at once (queued while connecting); a body only once connected, so a refused connect is retryable.
    writeSocket(sock, r.head);
    if (sock.connecting) {
      this.#connectTimer = setTimeout(() => this.fail(new ConnectTimeoutError(`connect to ${r.address} timed out`)), pool.opts.connectTimeoutMs);
      sock.once('connect', () => {
        this.#clearConnectTimer();
        this.#sendBody();
      });
    } else {
      this.#sendBody();
    }
  }

  /** abort drops the exchange (the client went away): the socket is closed, nothing more is reported. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearConnectTimer();
    this.#sock.destroy();
  }

  /** resume continues reading after onData returned false. */
  resume(): void {
    this.#paused = false;
    this.#sock.resume();
  }

  /** received takes bytes read from the socket (valid only during the call); false pauses reading. */
  received(d: Buffer): boolean {
    this.#onData(d);
    // A finished exchange leaves the socket reading: it goes back to the pool, or is destroyed.
    return this.#done || !this.#paused;
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
  }

  #sendBody(): void {
    const body = this.#r.body;
    if (!body || this.#done) return;
    const sock = this.#sock;
    const chunked = this.#r.chunked;
    body.on('data', (c: Buffer) => {
      if (this.#done) return;
      this.#conn.lastTick = this.#pool.tick;
      const ok = chunked ? (sock.write(`${c.length.toString(16)}\r\n`), sock.write(c), sock.write('\r\n')) : sock.write(c);
      if (!ok) {
        body.pause();
        sock.once('drain', () => body.resume());
      }
    });
    body.once('end', () => {
      if (this.#done) return;
      if (chunked) sock.write('0\r\n\r\n');
      this.#bodySent = true;
    });
  }

  #onData(d: Buffer): void {
    if (this.#done) return;
    if (!this.#head) {
      const buf = this.#buf ? Buffer.concat([this.#buf, d]) : d;
      const end = buf.indexOf(crlf2);
      if (end < 0) {
        if (buf.length > maxHeadBytes) this.fail(Object.assign(new Error('upstream response head too large'), { code: 'HPE_HEADER_OVERFLOW' }));
        else this.#buf = buf === d ? Buffer.from(d) : buf;
        return;
      }
      this.#buf = null;
      const head = this.#parseHead(buf.toString('latin1', 0, end));
      if (!head) return;
      if (head.status >= 100 && head.status < 200) {
        // 100 Continue and other interim answers are not relayed (as node:http's client); the final head follows.
        const rest = buf.subarray(end + 4);
        if (rest.length > 0) this.#onData(rest);
        return;
      }
      this.#head = head;
      this.#h.onHead(head);
      if (this.#done) return;
      if (this.#framing === Framing.none) return this.#finish();
      d = buf.subarray(end + 4);
      if (d.length === 0) return;
    }
    this.#body(d);
  }

  #body(d: Buffer): void {
    if (this.#framing === Framing.close) {
      this.#deliver(d);
      return;
    }
    if (this.#framing === Framing.length) {
      const take = Math.min(d.length, this.#remaining);
      this.#remaining -= take;
      if (take > 0) this.#deliver(take === d.length ? d : d.subarray(0, take));
      if (this.#remaining === 0) {
        // Bytes past the body: the upstream misbehaved; the socket is not reused.
        if (take < d.length) this.#reusable = false;
        this.#finish();
      }
      return;
    }
    this.#chunked(d);
  }

  #chunked(input: Buffer): void {
    const d = this.#buf ? Buffer.concat([this.#buf, input]) : input;
    this.#buf = null;
    const chunks = (this.#chunks ??= new ChunkedDecoder());
    let i = 0;
    while (!this.#done) {
      const found = chunks.step(d, i);
      i = chunks.offset;
      if (found === Chunk.data) {
        this.#deliver(d.subarray(chunks.start, chunks.end));
      } else if (found === Chunk.more) {
        // Copied: the read buffer is reused.
        if (i < d.length) this.#buf = Buffer.from(d.subarray(i));
        return;
      } else if (found === Chunk.end) {
        if (i < d.length) this.#reusable = false;
        return this.#finish();
      } else {
        return this.fail(Object.assign(new Error('bad chunked encoding from upstream'), { code: 'HPE_INVALID_CHUNK_SIZE' }));
      }
    }
  }

  #deliver(chunk: Buffer): void {
    if (!this.#h.onData(chunk)) this.#paused = true;
  }

  #parseHead(text: string): UpstreamHead | null {
    const parsed = this.#conn.parse(text, this.#r.headRequest);
    if ('error' in parsed) {
      this.fail(Object.assign(new Error(parsed.error), { code: 'HPE_INVALID_CONSTANT' }));
      return null;
    }
    this.#framing = parsed.framing;
    this.#remaining = parsed.remaining;
    if (!parsed.reusable) this.#reusable = false;
    return parsed.head;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    const sock = this.#sock;
    if (this.#r.body) sock.removeAllListeners('drain');
    this.#h.onEnd();
    this.#conn.ex = null;
    if (this.#reusable && this.#bodySent && !sock.destroyed) {
      if (sock.isPaused()) sock.resume();
      this.#pool.release(this.#conn);
    } else {
      sock.destroy();
    }
  }

  /** closed is told by the connection that the socket closed: the end of a close-delimited body, or a failure. */
  closed(): void {
    if (this.#done) return;
    if (this.#head && this.#framing === Framing.close) return this.#finish();
    this.fail(Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }));
  }

  /** fail ends the exchange with an error (reported once) and closes the socket. */
  fail(err: NodeJS.ErrnoException): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearConnectTimer();
    this.#sock.destroy();
    this.#h.onError(err, this.reused);
  }
}
