// An incremental HTTP/1.1 request parser for the ingress's client side: request heads parsed in place from the
// bytes received (request line, raw header list, the few headers that frame the exchange), then the body by
// Content-Length or chunked encoding, then the next pipelined request. The caller pulls one event at a time, so
// it decides when to read a body and when to start the next request.

import { Chunk, ChunkedDecoder } from './chunked.ts';

/** RequestHead is one request's line and header section; never changed (a connection's requests that repeat a head share it). */
export interface RequestHead {
  readonly method: string;
  /** target is the request target to forward: origin-form as sent, or the path of an absolute-form target. */
  readonly target: string;
  /** version is "1.1" or "1.0" (node's httpVersion). */
  readonly version: string;
  /** rawHeaders alternate names and values as received (node's rawHeaders). */
  readonly rawHeaders: readonly string[];
  /** host is the Host header, or the authority of an absolute-form target ('' without either). */
  readonly host: string;
  /** contentLength is the body's length from Content-Length (-1 without one). */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** keepAlive tells whether the client lets the connection serve another request. */
  readonly keepAlive: boolean;
  /** connection is the Connection header, lower-case ('' without one). */
  readonly connection: string;
  /** upgrade is the Upgrade header when Connection names "upgrade" ('' otherwise). */
  readonly upgrade: string;
  readonly expectContinue: boolean;
}

/** ParseEvent is what the parser found next: a head, body bytes, the end of a body, or a malformed request's status. */
export type ParseEvent = { type: 'head'; head: RequestHead } | { type: 'data'; chunk: Buffer } | { type: 'end' } | { type: 'error'; status: number };

/** maxLineBytes bounds the request line and each header line (nginx's large_client_header_buffers, 8k). */
export const maxLineBytes = 8 * 1024;
/** maxHeadBytes bounds a request head (nginx's four 8k buffers). */
export const maxHeadBytes = 32 * 1024;

const empty = Buffer.alloc(0);
const crlf2 = Buffer.from('\r\n\r\n');
const lflf = Buffer.from('\n\n');
const tokenRe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Field values may hold HTAB, visible ASCII and obs-text; other control bytes are refused (request smuggling).
// eslint-disable-next-line no-control-regex
const badValueRe = /[\x00-\x08\x0a-\x1f\x7f]/;
const targetRe = /^[\x21-\x7e\x80-\xff]+$/;
const requestLineRe = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d)\.(\d)$/;

// Parser states: a head, a body of known length, its end, a chunked body; failed after a malformed request or
// an upgrade (the rest of the bytes are not HTTP).
const State = { head: 0, length: 1, lengthEnd: 2, chunked: 3, failed: 4 } as const;

/** RequestParser turns a connection's bytes into request events; push() adds bytes, next() takes one event. */
export class RequestParser {
  #buf: Buffer = empty;
  // borrowed: #buf is (a part of) the caller's last pushed buffer, which the caller may reuse after keep().
  #borrowed = false;
  #state: number = State.head;
  #remaining = 0;
  readonly #chunks = new ChunkedDecoder();
  // Where the search for the end of a head resumes, so a head arriving byte by byte is scanned once.
  #scanned = 0;
  // The last head parsed and its text: a client on a kept-alive connection often sends the same head again
  // (polling, health checks, the same page's assets), which then costs a string comparison, not a parse.
  #lastText = '';
  #lastHead: RequestHead | null = null;

  /** push appends received bytes. */
  push(d: Buffer): void {
    this.#borrowed = this.#buf.length === 0;
    this.#buf = this.#borrowed ? d : Buffer.concat([this.#buf, d]);
  }

  /** keep copies the bytes not consumed yet out of the buffer pushed last, so its owner can reuse it. */
  keep(): void {
    if (this.#borrowed && this.#buf.length > 0) this.#buf = Buffer.from(this.#buf);
    this.#borrowed = false;
  }

  /** buffered is how many received bytes no event has consumed yet. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** inBody tells whether the parser is inside a request body. */
  get inBody(): boolean {
    return this.#state !== State.head && this.#state !== State.failed;
  }

  /** takeRest hands over the unparsed bytes (what follows an upgrade request's head). */
  takeRest(): Buffer {
    const rest = this.#buf;
    this.#buf = empty;
    this.#state = State.failed;
    return rest;
  }

  /** next returns the next event, or null until more bytes arrive. */
  next(): ParseEvent | null {
    switch (this.#state) {
      case State.head:
        return this.#head();
      case State.length: {
        if (this.#buf.length === 0) return null;
        const take = Math.min(this.#buf.length, this.#remaining);
        const chunk = this.#take(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.lengthEnd;
        return { type: 'data', chunk };
      }
      case State.lengthEnd:
        this.#state = State.head;
        return { type: 'end' };
      case State.failed:
        return null;
      default:
        return this.#chunked();
    }
  }

  #take(n: number): Buffer {
    const b = this.#buf;
    this.#buf = n === b.length ? empty : b.subarray(n);
    return n === b.length ? b : b.subarray(0, n);
  }

  #fail(status: number): ParseEvent {
    this.#state = State.failed;
    this.#buf = empty;
    return { type: 'error', status };
  }

  #head(): ParseEvent | null {
    // Empty lines before a request line are ignored (RFC 9112 2.2), as nginx does.
    let start = 0;
    while (start + 1 < this.#buf.length && this.#buf[start] === 13 && this.#buf[start + 1] === 10) start += 2;
    if (start > 0) {
      this.#buf = this.#buf.subarray(start);
      this.#scanned = Math.max(0, this.#scanned - start);
    }
    const buf = this.#buf;
    if (buf.length === 0) return null;
    const end = buf.indexOf(crlf2, Math.max(0, this.#scanned - 3));
    if (end < 0) {
      // Lines must end in CRLF; a head ended by bare LFs would otherwise wait for bytes that never come.
      if (buf.indexOf(lflf, Math.max(0, this.#scanned - 2)) >= 0) return this.#fail(400);
      this.#scanned = buf.length;
      if (buf.length > maxHeadBytes) return this.#fail(431);
      const eol = buf.indexOf(10);
      if ((eol < 0 ? buf.length : eol) > maxLineBytes) return this.#fail(414);
      return null;
    }
    this.#scanned = 0;
    if (end + 4 > maxHeadBytes) return this.#fail(431);
    const text = buf.toString('latin1', 0, end);
    this.#buf = end + 4 === buf.length ? empty : buf.subarray(end + 4);
    let head: RequestHead | number;
    if (text === this.#lastText && this.#lastHead) head = this.#lastHead;
    else {
      head = parseHead(text);
      if (typeof head === 'number') return this.#fail(head);
      this.#lastText = text;
      this.#lastHead = head;
    }
    if (head.chunked) {
      this.#state = State.chunked;
      this.#chunks.reset();
    }
    else if (head.contentLength > 0) {
      this.#state = State.length;
      this.#remaining = head.contentLength;
    }
    return { type: 'head', head };
  }

  #chunked(): ParseEvent | null {
    const buf = this.#buf;
    const found = this.#chunks.step(buf, 0);
    if (found === Chunk.error) return this.#fail(400);
    const chunk = found === Chunk.data ? buf.subarray(this.#chunks.start, this.#chunks.end) : null;
    const rest = this.#chunks.offset;
    this.#buf = rest === buf.length ? empty : buf.subarray(rest);
    if (chunk) return { type: 'data', chunk };
    if (found === Chunk.more) return null;
    this.#state = State.head;
    return { type: 'end' };
  }
}

/** parseHead parses a request head (without the blank line) into a RequestHead, or the status that refuses it. */
export function parseHead(text: string): RequestHead | number {
  // Lines are found by index, not split: a head is parsed once per request, on the data plane's hot path.
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const line = eol === text.length ? text : text.slice(0, eol);
  if (line.length > maxLineBytes) return 414;
  const m = requestLineRe.exec(line);
  if (!m) return 400;
  if (m[3] !== '1') return m[3] === '0' ? 400 : 505;
  const method = m[1] as string;
  let target = m[2] as string;
  const version = m[4] === '0' ? '1.0' : '1.1';
  if (!targetRe.test(target)) return 400;
  // A tunnel is not something an ingress offers (nginx answers CONNECT with 405 too).
  if (method === 'CONNECT') return 405;
  let host = '';
  let authority: string | null = null;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const abs = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
    if (abs) {
      authority = abs[1] as string;
      const rest = abs[2] as string;
      target = rest === '' ? '/' : rest.charCodeAt(0) === 63 /* ? */ ? `/${rest}` : rest;
    } else if (!(target === '*' && method === 'OPTIONS')) return 400;
  }
  const rawHeaders: string[] = [];
  let hosts = 0;
  let contentLength = -1;
  let te = '';
  let connection = '';
  let upgrade = '';
  let expectContinue = false;
  for (let start = eol + 2; start < text.length; start = eol + 2) {
    eol = text.indexOf('\r\n', start);
    if (eol < 0) eol = text.length;
    if (eol - start > maxLineBytes) return 431;
    const colon = text.indexOf(':', start);
    if (colon <= start || colon > eol) return 400;
    const name = text.slice(start, colon);
    if (!tokenRe.test(name)) return 400;
    const value = text.slice(colon + 1, eol).trim();
    if (badValueRe.test(value)) return 400;
    rawHeaders.push(name, value);
    switch (name.toLowerCase()) {
      case 'host':
        hosts++;
        host = value;
        break;
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) return 400;
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) return 400;
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        te = te ? `${te}, ${value.toLowerCase()}` : value.toLowerCase();
        break;
      case 'connection':
        connection = connection ? `${connection}, ${value.toLowerCase()}` : value.toLowerCase();
        break;
      case 'upgrade':
        upgrade = value;
        break;
      case 'expect':
        if (value.toLowerCase() === '100-continue') expectContinue = true;
        break;
    }
  }
  // nginx: a duplicate Host, or none in HTTP/1.1, is a bad request.
  if (hosts > 1 || (hosts === 0 && version === '1.1' && authority === null)) return 400;
  if (authority !== null) host = authority;
  let chunked = false;
  if (te) {
    // Both framings at once is a smuggling attempt; a coding other than chunked last cannot be framed (nginx: 501).
    if (contentLength >= 0) return 400;
    const codings = te.split(',');
    if ((codings[codings.length - 1] as string).trim() !== 'chunked') return 501;
    chunked = true;
  }
  const tokens = connection ? connection.split(',').map((t) => t.trim()) : [];
  const keepAlive = version === '1.1' ? !tokens.includes('close') : tokens.includes('keep-alive');
  if (!tokens.includes('upgrade')) upgrade = '';
  return { method, target, version, rawHeaders, host, contentLength, chunked, keepAlive, connection, upgrade, expectContinue };
}
