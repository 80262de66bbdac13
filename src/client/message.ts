// The request and response types of a Transport. They are plain objects rather than WHATWG Request and
// Response: building those (header objects, body streams, copies) cost 40-110 µs each, more than an
// in-process get, and every scheduled pod makes two in-process calls.
import type { WatchObjectEvent } from '../apiserver/message.ts';

/** ClientRequest is one API request. */
export interface ClientRequest {
  readonly method: string;
  /** path is the request target: the URL path and query string ("/api/v1/pods?watch=true"). */
  readonly path: string;
  /** headers have lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** signal ends the request, and the response body (a watch) once it is being read. */
  readonly signal?: AbortSignal;
  /** watchObjects lets a transport that can answer a watch with event objects do so (ClientResponse.events). */
  readonly watchObjects?: boolean;
}

/** HeaderReader is a case-insensitive lookup of headers, and a walk over all of them as Web Headers offer. */
export interface HeaderReader {
  get(name: string): string | null;
  forEach(visit: (value: string, name: string) => void): void;
}

/**
 * BodyReader reads a body that arrives in pieces: read resolves null at its end and rejects when the
 * request's signal aborts; cancel gives up the rest (for a watch, the server then ends it).
 */
export interface BodyReader<C = Uint8Array> {
  read(): Promise<C | null>;
  cancel(): void;
}

/** WatchObject is one event of a watch answered with objects (the API server's own events, in process); the object is shared and must not be changed. */
export type WatchObject = WatchObjectEvent;

/** HeaderValues are header values by lower-case name, as a Node response or an ApiResponse holds them. */
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/** headerReader reads a header record; repeated values are joined with ", " as Web Headers do. */
export function headerReader(values: HeaderValues): HeaderReader {
  return {
    get(name) {
      const v = values[name.toLowerCase()];
      if (v === undefined) return null;
      return typeof v === 'string' ? v : v.join(', ');
    },
    forEach(visit) {
      for (const [name, v] of Object.entries(values)) if (v !== undefined) visit(typeof v === 'string' ? v : v.join(', '), name);
    },
  };
}

const empty = new Uint8Array(0);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * ClientResponse is a transport's answer. Its body is read once: whole (bytes, text, json) or piece by
 * piece (reader). Bytes may be shared with the server and must not be modified.
 */
export class ClientResponse {
  readonly status: number;
  readonly headers: HeaderReader;
  readonly #body: Uint8Array | BodyReader | null;
  /** events, when set, is a watch's answer as event objects (an in-process transport's), in place of a body. */
  readonly events: BodyReader<WatchObject> | null;
  #used = false;

  constructor(status: number, headers: HeaderReader | HeaderValues, body: Uint8Array | BodyReader | null, events: BodyReader<WatchObject> | null = null) {
    this.status = status;
    this.headers = typeof headers.get === 'function' ? (headers as HeaderReader) : headerReader(headers as HeaderValues);
    this.#body = body;
    this.events = events;
  }

  /** json answers with a value as JSON (transports that tests write by hand). */
  static json(status: number, value: unknown, headers: HeaderValues = {}): ClientResponse {
    return new ClientResponse(status, { 'content-type': 'application/json', ...headers }, encoder.encode(JSON.stringify(value)));
  }

  /** ok is true for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** bytes reads the whole body. */
  async bytes(): Promise<Uint8Array> {
    const body = this.#take();
    if (body === null) return empty;
    if (body instanceof Uint8Array) return body;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let chunk = await body.read(); chunk !== null; chunk = await body.read()) {
      parts.push(chunk);
      size += chunk.byteLength;
    }
    return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size);
  }

  /** text reads the whole body as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** json reads the whole body as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  /** reader reads the body piece by piece, as it arrives (watches, followed logs). */
  reader(): BodyReader {
    const body = this.#take();
    if (body === null || body instanceof Uint8Array) {
      let rest: Uint8Array | null = body;
      return {
        read: async () => {
          const chunk = rest;
          rest = null;
          return chunk;
        },
        cancel: () => {
          rest = null;
        },
      };
    }
    return body;
  }

  /** cancel gives up an unread body. */
  cancel(): void {
    this.events?.cancel();
    if (this.#used) return;
    this.#used = true;
    const body = this.#body;
    if (body !== null && !(body instanceof Uint8Array)) body.cancel();
  }

  #take(): Uint8Array | BodyReader | null {
    if (this.#used) throw new TypeError('the response body was already read');
    this.#used = true;
    return this.#body;
  }
}
