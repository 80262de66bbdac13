import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdySession, SpdyStream } from './spdy/session.ts';
import type { ExecIO, ExecResult, ExecSession, TerminalSize } from './runtime.ts';
import { execStatus } from './status.ts';
import { closeChannel, decodeChannel, encodeChannel, sendWhenReady } from './websocket.ts';

// Exec and attach sessions (upstream's remotecommand protocol) over SPDY streams or WebSocket channels.

/** spdyRemoteCommandProtocols are the X-Stream-Protocol-Version values Berth accepts, best first. */
export const spdyRemoteCommandProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

/** StreamFlags are the streams a client asked for in its query. */
export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** streamCreationTimeoutMs is how long a SPDY client has to open its streams (upstream: 30 s). */
const streamCreationTimeoutMs = 30_000;

/** ResizeDecoder turns the resize stream's concatenated JSON objects into events. */
class ResizeDecoder extends EventEmitter<{ resize: [TerminalSize] }> {
  #buf = '';

  /** feed takes bytes of the resize stream (client-go writes one JSON object per line). */
  feed(chunk: Buffer): void {
    this.#buf += chunk.toString('utf8');
    for (let nl = this.#buf.indexOf('\n'); nl >= 0; nl = this.#buf.indexOf('\n')) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      if (line) this.#emitJson(line);
    }
    const rest = this.#buf.trim();
    if (rest.startsWith('{') && rest.endsWith('}')) {
      this.#buf = '';
      this.#emitJson(rest);
    }
  }

  #emitJson(text: string): void {
    try {
      const v = JSON.parse(text) as Partial<TerminalSize>;
      if (typeof v.Width === 'number' && typeof v.Height === 'number') this.emit('resize', { Width: v.Width, Height: v.Height });
    } catch {
      // a malformed resize is ignored, as upstream does
    }
  }
}

/**
 * serveSpdyRemoteCommand runs a session over SPDY: it waits for the streams the query asked for
 * (error, stdin, stdout, stderr, resize with a tty), runs the session, then ends the output streams,
 * writes the status on the error stream and closes the connection.
 */
export function serveSpdyRemoteCommand(conn: SpdySession, protocol: string, flags: StreamFlags, session: ExecSession, log: (m: string) => void): void {
  const want = new Set(['error', ...(flags.stdin ? ['stdin'] : []), ...(flags.stdout ? ['stdout'] : []), ...(flags.stderr && !flags.tty ? ['stderr'] : []), ...(flags.tty ? ['resize'] : [])]);
  const streams = new Map<string, SpdyStream>();
  const resize = new ResizeDecoder();
  let started = false;
  const timer = setTimeout(() => {
    log(`exec: timed out waiting for streams (have ${[...streams.keys()].join(',')})`);
    conn.close();
  }, streamCreationTimeoutMs);
  timer.unref();
  conn.on('close', () => clearTimeout(timer));
  conn.on('stream', (s) => {
    const type = s.headers.streamtype ?? '';
    s.on('error', () => {});
    s.reply();
    if (!want.has(type) || streams.has(type)) {
      s.reset();
      return;
    }
    streams.set(type, s);
    if (type === 'resize') s.on('data', (d: Buffer) => resize.feed(d));
    else if (type !== 'stdin') s.resume();
    if (started || streams.size < want.size) return;
    started = true;
    clearTimeout(timer);
    const io: ExecIO = { stdin: streams.get('stdin') ?? null, stdout: streams.get('stdout') ?? null, stderr: streams.get('stderr') ?? null, resize };
    void runSession(session, io).then(async (result) => {
      await Promise.all([endWritable(io.stdout), endWritable(io.stderr)]);
      const error = streams.get('error');
      if (error) {
        // Before v4 the error stream carried only a failure's text; v4 carries a Status either way.
        const body = protocol === 'v4.channel.k8s.io' ? JSON.stringify(execStatus(result)) : result.kind === 'exit' && result.code === 0 ? '' : (execStatus(result).message ?? '');
        await endWritable(error, body);
      }
      conn.close();
    });
  });
}

/**
 * serveWebSocketRemoteCommand runs a session over channel framing: 0 stdin, 1 stdout, 2 stderr,
 * 3 status, 4 resize; v5 adds [255, 0] for the end of stdin.
 */
export function serveWebSocketRemoteCommand(ws: WebSocket, flags: StreamFlags, session: ExecSession): void {
  const stdin = flags.stdin ? new PassThrough() : null;
  const resize = new ResizeDecoder();
  const channelWriter = (ch: number): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        sendWhenReady(ws, encodeChannel(ch, chunk), () => cb());
      },
    });
  if (stdin) {
    stdin.on('drain', () => ws.resume());
  }
  ws.on('message', (data) => {
    const m = decodeChannel(data);
    if (!m) return;
    if (m.channel === 0 && stdin && !stdin.writableEnded) {
      if (m.payload.length > 0 && !stdin.write(m.payload)) ws.pause();
    } else if (m.channel === closeChannel && m.payload[0] === 0 && stdin && !stdin.writableEnded) stdin.end();
    else if (m.channel === 4) resize.feed(Buffer.concat([m.payload, Buffer.from('\n')]));
  });
  ws.on('close', () => {
    if (stdin && !stdin.writableEnded) stdin.end();
  });
  ws.on('error', () => {});
  const io: ExecIO = { stdin, stdout: flags.stdout ? channelWriter(1) : null, stderr: flags.stderr && !flags.tty ? channelWriter(2) : null, resize };
  void runSession(session, io).then(async (result) => {
    await Promise.all([endWritable(io.stdout), endWritable(io.stderr)]);
    if (ws.readyState === ws.OPEN) {
      ws.send(encodeChannel(3, JSON.stringify(execStatus(result))));
      ws.close(1000);
    }
  });
}

async function runSession(session: ExecSession, io: ExecIO): Promise<ExecResult> {
  try {
    return await session.run(io);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

/** endWritable ends a stream (optionally with a last chunk) and waits until it flushed; errors are ignored. */
function endWritable(w: Writable | null, last?: string): Promise<void> {
  if (!w || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('error', () => resolve());
    w.once('close', () => resolve());
    if (w.writableFinished) resolve();
    else if (w.writableEnded) w.once('finish', () => resolve());
    else w.end(last && last.length > 0 ? last : undefined, () => resolve());
  });
}
