import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

// The WebSocket side of Kubernetes streaming: the channel framing (each binary message is one channel
// byte then the payload), subprotocol negotiation, and a byte-stream view of a WebSocket for SPDY
// tunnelled inside it (kubectl >= 1.31 port-forward).

/** channelProtocols are the WebSocket subprotocols of the channel framing Berth speaks, best first. */
export const channelProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
/** spdyTunnelProtocol is kubectl's port-forward: SPDY/3.1 inside WebSocket binary messages. */
export const spdyTunnelProtocol = 'SPDY/3.1+portforward.k8s.io';
/** portForwardProtocol is the channel port-forward protocol name the Python client offers. */
export const portForwardProtocol = 'portforward.k8s.io';
/** closeChannel is v5's signal channel: [255, n] half-closes channel n (stdin EOF). */
export const closeChannel = 255;

/** highWater bounds what we queue on a WebSocket before a writer waits. */
const highWater = 1 << 20;

/** splitProtocols parses a comma-separated protocol header (Node joins repeated headers with ", "). */
export function splitProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** encodeChannel frames data for a channel. */
export function encodeChannel(channel: number, data: Uint8Array | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

/** decodeChannel splits a message into its channel and payload; null for an empty message. */
export function decodeChannel(data: RawData): { channel: number; payload: Buffer } | null {
  const b = toBuffer(data);
  if (b.length === 0) return null;
  return { channel: b[0] as number, payload: b.subarray(1) };
}

/** toBuffer flattens what `ws` delivers into one Buffer. */
export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * acceptWebSocket completes the handshake with a protocol we chose. `ws` checks offered subprotocols
 * against RFC 7230 tokens and answers 400 for `SPDY/3.1+portforward.k8s.io` ('/' is no token
 * character), so it is shown a placeholder, and handleProtocols returns the real choice, which `ws`
 * writes verbatim into the 101 response. `ws` is loaded on the first upgrade, so an agent that serves none
 * does not keep it in memory.
 */
export async function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 << 20, handleProtocols: () => protocol });
  req.headers['sec-websocket-protocol'] = 'berth';
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
}

/** sendWhenReady sends a message and calls done once the socket has room for more. */
export function sendWhenReady(ws: WebSocket, data: Buffer, done: (err?: Error | null) => void): void {
  if (ws.readyState !== ws.OPEN) {
    done(new Error('WebSocket closed'));
    return;
  }
  let called = false;
  const once = (err?: Error | null): void => {
    if (called) return;
    called = true;
    done(err);
  };
  ws.send(data, { binary: true }, (err) => once(err ?? null));
  if (ws.bufferedAmount < highWater) once();
}

/**
 * wsByteStream presents a WebSocket as a byte stream: binary message payloads are concatenated and
 * writes become binary messages. SPDY frames are not aligned to messages (client-go's tunnel does the same).
 */
export function wsByteStream(ws: WebSocket): Duplex {
  const d = new Duplex({
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      sendWhenReady(ws, chunk, cb);
    },
    final(cb) {
      ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      cb(err);
    },
  });
  ws.on('message', (data) => {
    if (!d.push(toBuffer(data))) ws.pause();
  });
  ws.on('close', () => {
    d.push(null);
    d.destroy();
  });
  ws.on('error', (e) => d.destroy(e));
  return d;
}
