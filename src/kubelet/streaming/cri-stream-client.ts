import { Duplex, type Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { ExecIO, ExecRequest, ExecResult, ExecSession, PortForwarder, StreamingRuntime } from './runtime.ts';
import { dialSpdy, type DialedSpdy } from './spdy/upgrade.ts';
import { parseExecStatus } from './status.ts';
import { closeChannel, decodeChannel, encodeChannel, sendWhenReady } from './websocket.ts';

// The production StreamingRuntime: CRI's Exec, Attach and PortForward RPCs answer with a URL on the
// runtime's own streaming server (containerd's speaks WebSocket `v4.channel.k8s.io`), and the agent
// connects to it as a client, bridging the session its own client opened. Port-forward URLs are
// single-use tokens, so each forwarded connection asks the RPC again.
//
// Exec and attach use SPDY by default: containerd 1.6's WebSocket side speaks only `v4.channel.k8s.io`,
// which cannot close stdin alone (v5's [255, 0] can), so a command reading stdin to its end (cat,
// tar -x for `kubectl cp`) would never see EOF; a SPDY stream's FIN carries it. Port-forward uses the
// WebSocket channel protocol, which needs no half-close.

/** CriStreamingRpc gets streaming URLs from the runtime (the CRI client, wired by the agent). */
export interface CriStreamingRpc {
  /** exec calls CRI Exec for the container; it throws StreamingError('NotFound') when it is not running. */
  exec(req: ExecRequest): Promise<string>;
  attach(req: ExecRequest): Promise<string>;
  /** portForward calls CRI PortForward for the pod's sandbox. */
  portForward(pod: { namespace: string; pod: string; uid?: string }, port: number): Promise<string>;
}

/** criSessionProtocols are offered to the runtime's server, best first. */
const criSessionProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** CriStreamingRuntime bridges agent sessions to a CRI runtime's streaming server. */
export class CriStreamingRuntime implements StreamingRuntime {
  readonly #rpc: CriStreamingRpc;
  readonly #run: (url: string, req: ExecRequest, io: ExecIO) => Promise<ExecResult>;

  constructor(rpc: CriStreamingRpc, opts: { execTransport?: 'spdy' | 'websocket' } = {}) {
    this.#rpc = rpc;
    this.#run = opts.execTransport === 'websocket' ? (url, _req, io) => runChannelSession(url, io) : runSpdySession;
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    const url = await this.#rpc.exec(req);
    return { run: (io) => this.#run(url, req, io) };
  }

  async attach(req: ExecRequest): Promise<ExecSession> {
    const url = await this.#rpc.attach(req);
    return { run: (io) => this.#run(url, req, io) };
  }

  async portForward(pod: { namespace: string; pod: string; uid?: string }): Promise<PortForwarder> {
    return { connect: async (port) => dialChannelPortForward(await this.#rpc.portForward(pod, port), port) };
  }
}

function wsUrl(url: string): string {
  return url.replace(/^http(s?):/, 'ws$1:');
}

/** runSpdySession connects to a remotecommand SPDY server (v4) and bridges it to the client's streams. */
export async function runSpdySession(url: string, req: ExecRequest, io: ExecIO): Promise<ExecResult> {
  let dialed: DialedSpdy;
  try {
    dialed = await dialSpdy(url, ['v4.channel.k8s.io']);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const { session } = dialed;
  try {
    // client-go's order: error, stdin, stdout, stderr, resize.
    const error = await session.openStream({ streamtype: 'error' });
    error.end();
    const stdin = req.stdin ? await session.openStream({ streamtype: 'stdin' }) : null;
    const stdout = req.stdout ? await session.openStream({ streamtype: 'stdout' }) : null;
    const stderr = req.stderr && !req.tty ? await session.openStream({ streamtype: 'stderr' }) : null;
    const resize = req.tty ? await session.openStream({ streamtype: 'resize' }) : null;
    if (resize) {
      resize.resume();
      io.resize.on('resize', (s) => resize.write(`${JSON.stringify(s)}\n`));
    }
    if (stdin && io.stdin) io.stdin.pipe(stdin);
    else stdin?.end();
    const drained = (from: Duplex | null, to: Writable | null): Promise<void> => {
      if (!from) return Promise.resolve();
      if (to) from.pipe(to, { end: false });
      else from.resume();
      return new Promise((resolve) => {
        from.once('end', resolve);
        from.once('close', resolve);
      });
    };
    let status = '';
    error.on('data', (d: Buffer) => (status += d.toString('utf8')));
    await Promise.all([drained(error, null), drained(stdout, io.stdout), drained(stderr, io.stderr)]);
    return status ? parseExecStatus(status) : { kind: 'exit', code: 0 };
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  } finally {
    io.stdin?.unpipe();
    session.close();
  }
}

/** runChannelSession connects to a remotecommand WebSocket and bridges it to the client's streams. */
export function runChannelSession(url: string, io: ExecIO): Promise<ExecResult> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(url), criSessionProtocols, { perMessageDeflate: false });
    let status = '';
    let settled = false;
    const finish = (r: ExecResult): void => {
      if (settled) return;
      settled = true;
      io.stdin?.unpipe();
      resolve(r);
    };
    const write = (w: Writable | null, payload: Buffer): void => {
      if (!w || payload.length === 0 || w.destroyed) return;
      if (!w.write(payload)) {
        ws.pause();
        w.once('drain', () => ws.resume());
      }
    };
    ws.on('open', () => {
      const v5 = ws.protocol === 'v5.channel.k8s.io';
      io.stdin?.on('data', (d: Buffer) => {
        io.stdin?.pause();
        sendWhenReady(ws, encodeChannel(0, d), () => io.stdin?.resume());
      });
      io.stdin?.on('end', () => {
        if (v5 && ws.readyState === ws.OPEN) ws.send(Buffer.from([closeChannel, 0]));
      });
      io.resize.on('resize', (s) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeChannel(4, JSON.stringify(s)));
      });
    });
    ws.on('message', (data) => {
      const m = decodeChannel(data);
      if (!m) return;
      if (m.channel === 1) write(io.stdout, m.payload);
      else if (m.channel === 2) write(io.stderr, m.payload);
      else if (m.channel === 3) status += m.payload.toString('utf8');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => finish({ kind: 'error', message: `runtime streaming server answered ${res.statusCode ?? 0}: ${body.trim()}` }));
    });
    ws.on('error', (err) => finish({ kind: 'error', message: err.message }));
    ws.on('close', () => finish(status ? parseExecStatus(status) : { kind: 'error', message: 'the runtime closed the stream without a status' }));
  });
}

/**
 * dialChannelPortForward opens one connection to a pod port through the runtime's WebSocket
 * port-forward: data on channel 0, errors on channel 1, each channel starting with the port (2 bytes).
 */
export function dialChannelPortForward(url: string, port: number): Promise<Duplex> {
  const u = new URL(wsUrl(url));
  u.searchParams.set('port', String(port));
  const ws = new WebSocket(u, ['v4.channel.k8s.io'], { perMessageDeflate: false });
  const skip = [2, 2];
  let error = '';
  const d = new Duplex({
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      sendWhenReady(ws, encodeChannel(0, chunk), cb);
    },
    final(cb) {
      // The channel protocol cannot half-close; the connection ends when the client's side does.
      ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
      cb(err);
    },
  });
  ws.on('message', (data) => {
    const m = decodeChannel(data);
    if (!m || m.channel > 1) return;
    let payload = m.payload;
    const drop = Math.min(skip[m.channel] ?? 0, payload.length);
    skip[m.channel] = (skip[m.channel] ?? 0) - drop;
    payload = payload.subarray(drop);
    if (payload.length === 0) return;
    if (m.channel === 1) error += payload.toString('utf8');
    else if (!d.push(payload)) ws.pause();
  });
  ws.on('close', () => {
    if (error) d.destroy(new Error(error));
    else d.push(null);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(d));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`runtime streaming server answered ${res.statusCode ?? 0}`)));
    ws.once('error', (err) => {
      reject(err);
      d.destroy(err);
    });
  });
}
