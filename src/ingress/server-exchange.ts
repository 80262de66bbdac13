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
  /** responseHead is the response head text (ServerExchange.respond's parts), the same Buffer while they repeat. */
  responseHead(status: number, reason: string, lines: string, length: number, chunked: boolean, connection: string): Buffer;
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
  #pending: Buffer | null = null;
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
    // length: the Content-Length header's value (-1: none); chunked: Transfer-Encoding: chunked.
    let cl = -1;
    if (h.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      this.#framing = Framing.none;
      if (length >= 0 && status !== 204) cl = length;
    } else if (length >= 0) {
      this.#framing = Framing.length;
      cl = length;
    } else if (h.version === '1.1') {
      this.#framing = Framing.chunked;
    } else {
      this.#framing = Framing.close;
    }
    this.keepAlive = this.#framing !== Framing.close && this.#conn.mayKeepAlive(this);
    const connection = !this.keepAlive ? 'connection: close\r\n' : h.version === '1.0' ? 'connection: keep-alive\r\n' : '';
    this.#pending = this.#conn.responseHead(status, reason, lines, cl, this.#framing === Framing.chunked, connection);
  }

  /** write sends body bytes (copied: the caller may reuse chunk); false means the socket's buffer is full (wait for onceDrain). */
  write(chunk: Buffer): boolean {
    if (this.#state !== 1 || this.#framing === Framing.none || chunk.length === 0) return true;
    const s = this.socket;
    if (s.destroyed) return true;
    const head = this.#pending;
    this.#pending = null;
    // One write per piece of body, the head (or chunk framing) copied in with it; the copy also frees the caller's
    // buffer for reuse (the upstream client reads into one buffer).
    const pre = head === null ? 0 : head.length;
    if (this.#framing !== Framing.chunked) {
      const b = Buffer.allocUnsafe(pre + chunk.length);
      if (head !== null) b.set(head, 0);
      b.set(chunk, pre);
      return writeSocket(s, b);
    }
    const size = `${chunk.length.toString(16)}\r\n`;
    const b = Buffer.allocUnsafe(pre + size.length + chunk.length + 2);
    if (head !== null) b.set(head, 0);
    b.write(size, pre, 'latin1');
    b.set(chunk, pre + size.length);
    b.write('\r\n', pre + size.length + chunk.length, 'latin1');
    return writeSocket(s, b);
  }

  /** onceDrain calls cb once the socket can take more. */
  onceDrain(cb: () => void): void {
    this.socket.once('drain', cb);
  }

  /** end completes the response, with a last piece of body if given. */
  end(last?: string): void {
    if (this.#state !== 1) return;
    const head = this.#pending;
    this.#pending = null;
    let out = '';
    if (last && this.#framing !== Framing.none) out += this.#framing === Framing.chunked ? `${last.length.toString(16)}\r\n${last}\r\n` : last;
    if (this.#framing === Framing.chunked) out += '0\r\n\r\n';
    if (!this.socket.destroyed) {
      if (out === '') {
        if (head !== null) writeSocket(this.socket, head);
      } else {
        writeSocket(this.socket, head === null ? out : head.toString('latin1') + out);
      }
    }
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
}
