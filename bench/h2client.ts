// A lean HTTP/2 load generator for benchmarks: requests are multiplexed over a few TLS sessions, as
// kubectl and client-go do, and bodies are read whole, so the figures measure the server, not a client library.
import { connect, type ClientHttp2Session } from 'node:http2';

/** H2Response is a whole response. */
export interface H2Response {
  status: number;
  body: Buffer;
  /** headersAt is when the response's headers arrived (performance.now()). */
  headersAt: number;
}

/** H2Client sends requests round-robin over `sessions` HTTP/2 sessions. */
export class H2Client {
  readonly #sessions: ClientHttp2Session[];
  #next = 0;

  constructor(server: string, tls: { ca: string; cert: string; key: string }, sessions = 4) {
    // Flow-control windows as client-go's HTTP/2 transport sets them (4 MiB per stream, 1 GiB per
    // connection); Node's 64 KiB default would make a large list a series of round trips.
    this.#sessions = Array.from({ length: sessions }, () => {
      const s = connect(server, { ca: tls.ca, cert: tls.cert, key: tls.key, settings: { enablePush: false, initialWindowSize: 4 << 20 } });
      s.once('connect', () => s.setLocalWindowSize(1 << 30));
      // A reset session fails its streams, which reject their requests; the session error itself is not a crash.
      s.on('error', () => {});
      return s;
    });
  }

  #session(): ClientHttp2Session {
    const s = this.#sessions[this.#next++ % this.#sessions.length] as ClientHttp2Session;
    return s;
  }

  /** request sends one request and reads the whole response. */
  request(method: string, path: string, body?: unknown): Promise<H2Response> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ':method': method, ':path': path, accept: 'application/json' };
      let payload: Buffer | undefined;
      if (body !== undefined) {
        payload = Buffer.from(JSON.stringify(body));
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      const stream = this.#session().request(headers);
      let status = 0;
      let headersAt = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headersAt = performance.now();
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks), headersAt }));
      stream.on('error', reject);
      stream.end(payload);
    });
  }

  /** watch opens a watch stream and calls onLine for every event line until the signal aborts. */
  watch(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const stream = this.#session().request({ ':method': 'GET', ':path': path, accept: 'application/json' });
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        buf += c;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      // The listener goes with the stream: callers re-watch on one signal many times.
      const onAbort = (): void => stream.close();
      signal.addEventListener('abort', onAbort, { once: true });
      stream.on('close', () => signal.removeEventListener('abort', onAbort));
      stream.on('end', () => resolve());
      stream.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
    });
  }

  /** close ends every session. */
  close(): void {
    for (const s of this.#sessions) s.close();
  }
}
