// The request and response types the handlers work with. The HTTPS adapter and the in-process client
// transport pass light ones of their own, because building a WHATWG Request and Response (header objects,
// body streams, copies) cost more than serving a small create or get; a Web Request is an ApiRequest too,
// so tests may pass one.

/** HeaderReader is the part of Web Headers the handlers read: a case-insensitive lookup, and every header for proxies. */
export interface HeaderReader {
  get(name: string): string | null;
  /** forEach visits every header (lower-case names, HTTP/2 pseudo-headers excluded), as Web Headers do. */
  forEach(visit: (value: string, name: string) => void): void;
}

/** ApiRequest is what handlers read of a request; a Web Request satisfies it. */
export interface ApiRequest {
  readonly method: string;
  /** url is absolute, as in a Web Request. */
  readonly url: string;
  readonly headers: HeaderReader;
  /** bytes reads the whole body (empty when there is none). */
  bytes(): Promise<Uint8Array>;
  /**
   * watchObjects asks a JSON watch to answer with events holding the watch cache's own objects (ApiResponse.events)
   * instead of bytes to parse. Only in-process callers set it, and they must never change what they receive.
   */
  readonly watchObjects?: boolean;
}

/** WatchObjectEvent is one event of an object watch: the object is shared with the watch cache. */
export interface WatchObjectEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** ResponseHeaders are lower-case header names with one value, or several (Warning). */
export type ResponseHeaders = Record<string, string | string[]>;

/**
 * ApiResponse is a handler's answer. A byte body is complete and written in one piece; a stream (watches,
 * documents produced elsewhere) is copied out as it is read, until the client goes away.
 */
export interface ApiResponse {
  status: number;
  headers: ResponseHeaders;
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  /** events replaces the body of a watch asked for objects (ApiRequest.watchObjects). */
  events?: ReadableStream<WatchObjectEvent>;
}

/** bytesResponse answers with a complete body and its length. */
export function bytesResponse(status: number, body: string | Uint8Array, headers: ResponseHeaders): ApiResponse {
  // Small bodies come from Node's shared buffer pool (TextEncoder.encode allocates an ArrayBuffer for each).
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  headers['content-length'] = String(bytes.byteLength);
  return { status, headers, body: bytes };
}

/** jsonResponse answers with an object as JSON. */
export function jsonResponse(status: number, body: unknown): ApiResponse {
  return bytesResponse(status, JSON.stringify(body), { 'content-type': 'application/json' });
}

/** plainTextResponse answers with plain text. */
export function plainTextResponse(status: number, body: string): ApiResponse {
  return bytesResponse(status, body, { 'content-type': 'text/plain; charset=utf-8' });
}

/** fromWebResponse adapts a Web Response without reading it: its body is streamed. */
export function fromWebResponse(res: Response): ApiResponse {
  const headers: ResponseHeaders = {};
  res.headers.forEach((value, key) => {
    const prev = headers[key];
    headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return { status: res.status, headers, body: res.body };
}

/** toWebResponse builds the Web Response of an answer, for in-process callers. */
export function toWebResponse(res: ApiResponse): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  // A Response cannot carry a body with these codes.
  const body = res.status === 204 || res.status === 304 ? null : res.body;
  return new Response(body as BodyInit | null, { status: res.status, headers });
}
