import type { IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent } from 'node:https';
import { createSecureContext } from '../builtins.ts';
import type { RequestUser } from '../apiserver/handlers/context.ts';
import type { ApiRequest, ApiResponse } from '../apiserver/message.ts';
import { ClientResponse, headerReader, type BodyReader, type ClientRequest, type WatchObject } from './message.ts';
import { deepFreeze } from '../api/freeze.ts';

/** Transport sends one API request; the HTTPS and in-process transports behave identically. */
export type Transport = (req: ClientRequest) => Promise<ClientResponse>;

/** Handler is what the in-process transport calls: the API server's respond function. */
export interface Handler {
  respond(req: ApiRequest, user: RequestUser | null): Promise<ApiResponse>;
}

// Handlers parse absolute URLs, as a Web Request carries them.
const inProcessOrigin = 'https://berth.local';
const encoder = new TextEncoder();
const empty = new Uint8Array(0);

/** InProcessOptions choose how watches are answered in process. */
export interface InProcessOptions {
  /**
   * watchObjects answers watches that ask for it (informers) with the watch cache's own objects, not JSON to
   * parse: every consumer must treat them as read-only (clone before changing), or it corrupts the cache. 'frozen'
   * hands out deep-frozen copies instead, so tests catch a consumer that changes one.
   */
  watchObjects?: 'shared' | 'frozen';
}

/**
 * inProcessTransport calls an ApiServer in the same process as the given user, with no sockets or TLS:
 * the request and answer are handed over as they are, and a streamed answer (a watch) is read from the
 * server's stream chunk by chunk, ending the server's side when the caller cancels or aborts.
 */
export function inProcessTransport(api: Handler, user: RequestUser, opts: InProcessOptions = {}): Transport {
  const mode = opts.watchObjects;
  return async (req) => {
    const signal = req.signal;
    if (signal?.aborted) throw signal.reason;
    const pending = api.respond(apiRequest(req, mode !== undefined && req.watchObjects === true), user);
    const res = signal ? await unlessAborted(pending, signal) : await pending;
    if (res.events) {
      const events = streamReader(res.events, signal);
      return new ClientResponse(res.status, headerReader(res.headers), null, mode === 'frozen' ? frozenCopies(events) : events);
    }
    let body = res.body;
    // A streamed answer to a request that cannot have a body is given up at once.
    if (res.status === 204 || res.status === 304 || req.method === 'HEAD') {
      if (body !== null && !(body instanceof Uint8Array)) body.cancel().catch(() => {});
      body = null;
    }
    return new ClientResponse(res.status, headerReader(res.headers), body === null || body instanceof Uint8Array ? body : streamReader(body, signal));
  };
}

function apiRequest(req: ClientRequest, watchObjects: boolean): ApiRequest {
  const body = req.body;
  let bytes: Uint8Array | undefined;
  return {
    method: req.method,
    url: inProcessOrigin + req.path,
    headers: headerReader(req.headers),
    bytes: () => Promise.resolve((bytes ??= body === undefined ? empty : typeof body === 'string' ? encoder.encode(body) : body)),
    ...(watchObjects ? { watchObjects } : {}),
  };
}

/** frozenCopies hands out deep-frozen copies of the events' objects: changing one throws (modules are strict). */
function frozenCopies(events: BodyReader<WatchObject>): BodyReader<WatchObject> {
  return {
    async read() {
      const ev = await events.read();
      return ev && { type: ev.type, object: deepFreeze(structuredClone(ev.object)) };
    },
    cancel: () => events.cancel(),
  };
}

/** unlessAborted is the server's answer, or the signal's reason when it aborts first (a late stream is then cancelled). */
function unlessAborted(pending: Promise<ApiResponse>, signal: AbortSignal): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (res) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) resolve(res);
        else {
          if (res.body !== null && !(res.body instanceof Uint8Array)) res.body.cancel().catch(() => {});
          res.events?.cancel().catch(() => {});
        }
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** streamReader reads a server's stream; aborting the request's signal cancels the stream, which ends a watch. */
function streamReader<C>(stream: ReadableStream<C>, signal: AbortSignal | undefined): BodyReader<C> {
  const reader = stream.getReader();
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    signal?.removeEventListener('abort', finish);
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', finish, { once: true });
  return {
    async read() {
      if (signal?.aborted) {
        finish();
        throw signal.reason;
      }
      if (done) return null;
      let next: ReadableStreamReadResult<C>;
      try {
        next = await reader.read();
      } catch (err) {
        finish();
        throw err;
      }
      // A cancel while the read waited resolves it as done; an abort is an error, as over HTTPS.
      if (signal?.aborted) throw signal.reason;
      if (next.done) {
        finish();
        return null;
      }
      return next.value;
    },
    cancel: finish,
  };
}

/** HttpsConfig is where the server is and how to prove who we are. */
export interface HttpsConfig {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** insecure skips verification of the server's certificate (tests against throwaway servers only). */
  insecure?: boolean;
  userAgent?: string;
}

/** httpsTransport speaks HTTP/1.1 over TLS with keep-alive, using client certificates or a bearer token. */
export function httpsTransport(cfg: HttpsConfig): Transport {
  // One secure context for every connection: built per connection (the default), parsing the CA and key
  // is most of a new connection's cost when a burst of requests opens many at once.
  const secureContext = createSecureContext({
    ...(cfg.ca ? { ca: cfg.ca } : {}),
    ...(cfg.cert ? { cert: cfg.cert } : {}),
    ...(cfg.key ? { key: cfg.key } : {}),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 256, secureContext, rejectUnauthorized: !cfg.insecure });
  const base = new URL(cfg.server);
  const userAgent = cfg.userAgent ?? 'berth/v0.1.0';
  return (req) => {
    const headers: Record<string, string> = { ...req.headers };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    headers['user-agent'] ??= userAgent;
    const body = req.body;
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const signal = req.signal;
    return new Promise<ClientResponse>((resolve, reject) => {
      const r = httpsRequest(
        { protocol: 'https:', hostname: base.hostname, port: base.port || 443, path: req.path, method: req.method, headers, agent, ...(signal ? { signal } : {}) },
        (res) => {
          const status = res.statusCode ?? 500;
          if (status === 204 || status === 304 || req.method === 'HEAD') {
            res.resume();
            resolve(new ClientResponse(status, res.headers, null));
            return;
          }
          resolve(new ClientResponse(status, res.headers, nodeBodyReader(res, signal)));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  };
}

/** nodeBodyReader reads a Node response; an aborted request fails with the signal's reason, as in process. */
function nodeBodyReader(res: IncomingMessage, signal: AbortSignal | undefined): BodyReader {
  const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async read() {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw signal?.aborted ? signal.reason : err;
      }
      return next.done ? null : next.value;
    },
    // Destroying the response ends a pending read at once, where the iterator's return would wait for it.
    cancel: () => res.destroy(),
  };
}
