import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdySession, SpdyStream } from './spdy/session.ts';
import { StreamingError, type PortForwarder } from './runtime.ts';
import { decodeChannel, encodeChannel, sendWhenReady } from './websocket.ts';

// Port forwarding, upstream's two protocols. SPDY (kubectl, plain or tunnelled in WebSocket): for each
// local connection the client opens an error stream and a data stream with the same requestID and a
// port header. WebSocket channels (the Python and JavaScript clients): ports come from the query, and
// port i uses channel 2i for data and 2i+1 for errors, each starting with the port as 2 bytes LE.

/** PodName is how error messages name the pod. */
export interface PodName {
  pod: string;
  uid?: string;
}

function forwardError(port: number, pod: PodName, err: unknown): string {
  return `error forwarding port ${port} to pod ${pod.pod}, uid ${pod.uid ?? ''}: ${err instanceof Error ? err.message : String(err)}`;
}

/** servePortForwardSpdy pairs streams by requestID and pipes each data stream to a new connection to its port. */
export function servePortForwardSpdy(conn: SpdySession, forwarder: PortForwarder, pod: PodName, log: (m: string) => void): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; done: boolean }>();
  conn.on('stream', (s) => {
    s.on('error', () => {});
    s.reply();
    const id = s.headers.requestid ?? '';
    let pair = pairs.get(id);
    if (!pair) pairs.set(id, (pair = { done: false }));
    const type = s.headers.streamtype;
    if (type === 'error') {
      pair.error = s;
      // The client half-closes its side at once; we only write to it.
      s.resume();
      if (pair.done) s.end();
      return;
    }
    if (type !== 'data') {
      s.reset();
      return;
    }
    pair.data = s;
    const port = Number(s.headers.port);
    const p = pair;
    const finish = (err?: unknown): void => {
      if (p.done) return;
      p.done = true;
      pairs.delete(id);
      // kubectl waits for the end of both streams before it lets the local connection go.
      if (err !== undefined) {
        const message = forwardError(port, pod, err);
        log(message);
        p.error?.write(message);
      }
      if (!s.writableEnded) s.end();
      p.error?.end();
    };
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      finish(new Error(`invalid port header ${JSON.stringify(s.headers.port ?? '')}`));
      return;
    }
    forwarder.connect(port).then(
      (upstream) => pipeBoth(s, upstream, finish),
      (err: unknown) => finish(err),
    );
  });
}

/** pipeBoth copies a client stream and an upstream connection both ways and reports the end once. */
function pipeBoth(client: Duplex, upstream: Duplex, finish: (err?: unknown) => void): void {
  client.pipe(upstream);
  upstream.pipe(client, { end: false });
  upstream.on('error', (err) => finish(err));
  upstream.on('close', () => finish());
  client.on('close', () => upstream.destroy());
}

/** parsePorts reads the WebSocket protocol's ports (`ports=80,443` or repeated `port=`), or throws. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('ports'), ...q.getAll('port')].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (raw.length === 0) throw new StreamingError('BadRequest', '"port" is required');
  return raw.map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n <= 0 || n > 65535) throw new StreamingError('BadRequest', `unable to parse "${v}" as a port: must be in the range 1 to 65535`);
    return n;
  });
}

/** servePortForwardWebSocket forwards the query's ports over channel pairs; the socket closes when all ends. */
export function servePortForwardWebSocket(ws: WebSocket, ports: number[], forwarder: PortForwarder, pod: PodName, log: (m: string) => void): void {
  const upstreams = new Map<number, Duplex>();
  const pending = new Map<number, Buffer[]>();
  let open = ports.length;
  const prefix = (port: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  ws.on('message', (data) => {
    const m = decodeChannel(data);
    if (!m || m.channel % 2 !== 0) return;
    const index = m.channel / 2;
    const up = upstreams.get(index);
    if (up) up.write(m.payload);
    else pending.get(index)?.push(m.payload);
  });
  ws.on('close', () => {
    for (const u of upstreams.values()) u.destroy();
  });
  ws.on('error', () => {});
  ports.forEach((port, i) => {
    ws.send(encodeChannel(2 * i, prefix(port)));
    ws.send(encodeChannel(2 * i + 1, prefix(port)));
    pending.set(i, []);
    const done = (): void => {
      if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
    };
    forwarder.connect(port).then(
      (up) => {
        upstreams.set(i, up);
        for (const b of pending.get(i) ?? []) up.write(b);
        pending.delete(i);
        up.on('data', (d: Buffer) => {
          up.pause();
          sendWhenReady(ws, encodeChannel(2 * i, d), () => up.resume());
        });
        up.on('error', (err) => {
          const message = forwardError(port, pod, err);
          log(message);
          if (ws.readyState === ws.OPEN) ws.send(encodeChannel(2 * i + 1, message));
        });
        up.on('close', done);
      },
      (err: unknown) => {
        const message = forwardError(port, pod, err);
        log(message);
        if (ws.readyState === ws.OPEN) ws.send(encodeChannel(2 * i + 1, message));
        done();
      },
    );
  });
}
