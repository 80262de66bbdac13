import type net from 'node:net';
import type { Readable } from 'node:stream';
import type { RequestHead } from './request-parser.ts';
import { writeSocket } from './socket-writes.ts';

// One request's response on the ingress's client side (server-conn.ts runs the connection): the head with the
// ingress's own Date and framing (Content-Length passed through, chunked when unknown, close-delimited for
// HTTP/1.0), held until the first body bytes so both leave in one write.

/** ExchangeConn is what an exchange needs of its connection (ServerConn). */
export interface ExchangeConn {
  readonly socket: net.Socket;
  /** requestBody streams the exchange's request body. */
  requestBody(ex: ServerExchange): Readable;
  /** mayKeepAlive tells whether the connection can serve another request after ex. */
  mayKeepAlive(ex: ServerExchange): boolean;
  /** date is the cached Date header value. */
  date(): string;
  /** upstreamHead is the head to send upstream for head (headers.ts upstreamRequestHead). */
  upstreamHead(head: RequestHead, secure: boolean): string;
  /** exchangeEnded is told when ex's response is complete. */
  exchangeEnded(ex: ServerExchange): void;
}

/** ExchangeCloseListener is told once when an exchange is over. */
export interface ExchangeCloseListener {
  /** exchangeClosed: finished, or false when the client went away before the response was complete. */
  exchangeClosed(finished: boolean): void;
}

const Framing = { length: 0, chunked: 1, none: 2, close: 3 } as const;

/** ServerExchange is one request and its response on a ServerConn. */
export class ServerExchange {
  readonly head: RequestHead;
  readonly socket: net.Socket;
  /** status is the response status once respond() was called. */
  status = 0;
  /** keepAlive tells whether the connection serves another request after this response. */
  keepAlive = true;
  readonly #conn: ExchangeConn;
  #pending: string | null = null;
  #framing: number = Framing.none;
  // 0 before respond(), 1 while the body is written, 2 after end(), 3 aborted (the client went away).
  #state = 0;
  #onClose: ExchangeCloseListener | null = null;

  constructor(conn: ExchangeConn, head: RequestHead) {
    this.#conn = conn;
    this.head = head;
    this.socket = conn.socket;
  }

  /** hasBody tells whether the request carries a body. */
  get hasBody(): boolean {
    return this.head.chunked || this.head.contentLength > 0;
  }

  /** headersSent tells whether respond() was called. */
  get headersSent(): boolean {
    return this.#state !== 0;
  }

  /** closed tells whether the exchange is over: answered in full, or the client went away. */
  get closed(): boolean {
    return this.#state >= 2;
  }

  /** onClose registers the one listener told when the exchange is over. */
  onClose(listener: ExchangeCloseListener): void {
    this.#onClose = listener;
  }

  /** upstreamHead is the request head to send upstream, blank line included. */
  upstreamHead(secure: boolean): string {
    return this.#conn.upstreamHead(this.head, secure);
  }

  /** body streams the request body (an ended stream when there is none). */
  body(): Readable {
    return this.#conn.requestBody(this);
  }

  /**
   * respond starts the response: status, reason, header lines ("name: value\r\n" each, without framing, Date or
   * Connection) and the body's length (-1 unknown: chunked, or close-delimited for HTTP/1.0). The head is held
   * until the first body bytes or end(), so both leave in one write.
   */
  respond(status: number, reason: string, lines: string, length: number): void {
    if (this.#state !== 0) return;
    this.#state = 1;
    this.status = status;
    const h = this.head;
    let framing = '';
    if (h.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      this.#framing = Framing.none;
      if (length >= 0 && status !== 204) framing = `content-length: ${length}\r\n`;
    } else if (length >= 0) {
      this.#framing = Framing.length;
      framing = `content-length: ${length}\r\n`;
    } else if (h.version === '1.1') {
      this.#framing = Framing.chunked;
      framing = 'transfer-encoding: chunked\r\n';
    } else {
      this.#framing = Framing.close;
    }
    this.keepAlive = this.#framing !== Framing.close && this.#conn.mayKeepAlive(this);
    const connection = !this.keepAlive ? 'connection: close\r\n' : h.version === '1.0' ? 'connection: keep-alive\r\n' : '';
    this.#pending = `HTTP/1.1 ${status} ${reason}\r\n${lines}date: ${this.#conn.date()}\r\n${framing}${connection}\r\n`;
  }

  /** write sends body bytes (copied: the caller may reuse chunk); false means the socket's buffer is full (wait for onceDrain). */
  write(chunk: Buffer): boolean {
    if (this.#state !== 1 || this.#framing === Framing.none || chunk.length === 0) return true;
    let pre = this.#pending ?? '';
    this.#pending = null;
    if (this.#framing === Framing.chunked) pre += `${chunk.length.toString(16)}\r\n`;
    return this.#send(pre, chunk, this.#framing === Framing.chunked ? '\r\n' : '');
  }

  /** onceDrain calls cb once the socket can take more. */
  onceDrain(cb: () => void): void {
    this.socket.once('drain', cb);
  }

  /** end completes the response, with a last piece of body if given. */
  end(last?: string): void {
    if (this.#state !== 1) return;
    let out = this.#pending ?? '';
    this.#pending = null;
    if (last && this.#framing !== Framing.none) out += this.#framing === Framing.chunked ? `${last.length.toString(16)}\r\n${last}\r\n` : last;
    if (this.#framing === Framing.chunked) out += '0\r\n\r\n';
    if (out && !this.socket.destroyed) writeSocket(this.socket, out);
    this.#state = 2;
    const cb = this.#onClose;
    this.#onClose = null;
    cb?.exchangeClosed(true);
    this.#conn.exchangeEnded(this);
  }

  /** destroy drops the connection mid-response (the upstream failed after the head was sent). */
  destroy(): void {
    this.socket.destroy();
  }

  /** abort is told by the connection that the client went away before the response was complete. */
  abort(): void {
    if (this.#state >= 2) return;
    this.#state = 3;
    const cb = this.#onClose;
    this.#onClose = null;
    cb?.exchangeClosed(false);
  }

  // One write per piece of body, the head (or chunk framing) copied in with it; the copy also frees the caller's
  // buffer for reuse (the upstream client reads into one buffer).
  #send(pre: string, chunk: Buffer, post: string): boolean {
    const s = this.socket;
    if (s.destroyed) return true;
    const b = Buffer.allocUnsafe(pre.length + chunk.length + post.length);
    b.write(pre, 0, 'latin1');
    chunk.copy(b, pre.length);
    if (post) b.write(post, pre.length + chunk.length, 'latin1');
    return writeSocket(s, b);
  }
}
