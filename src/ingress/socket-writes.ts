import net from 'node:net';
import tls from 'node:tls';
import { getSystemErrorName } from 'node:util';
import { streamState, type StreamState } from './stream-state.ts';

// Writes to plain sockets straight into their libuv handle, past the Writable stream: socket.write runs the
// stream's bookkeeping (state checks, the write callback and its afterWrite tick) for every write, and the data
// plane writes twice per proxied request. The handle is what socket.write ends in: it tries the write at once and,
// when the kernel does not take it all, queues the rest itself, in order with any later write (stream or direct).
// So a direct write is used only when nothing is queued before it (in the stream or in the handle); otherwise, and
// for TLS or connecting sockets, it falls back to socket.write.
//
// The handle's write protocol is the one Node 24.22 brought: the caller passes no request object; the handle
// returns an error code (0: done) when the write completed or failed at once, or else the write request it made for
// the queued rest, with a failure to queue it in the stream state's kLastWriteErr and a completion that came before
// the caller could set oncomplete in the request's writeStatus. Earlier Nodes pass a request object the caller
// makes: there (or when the stream state is out of reach, or the probe sees anything else) every write goes
// through socket.write.

interface WriteReq {
  oncomplete: ((this: WriteReq, status: number) => void) | null;
  writeStatus: number | null;
  /** buffer keeps a Buffer's bytes alive while the handle writes them. */
  buffer: Buffer | null;
  /** socket is the writer's, told of the completion. */
  socket: net.Socket | null;
}

interface StreamHandle {
  readonly writeQueueSize: number;
  writeBuffer(req: null, data: Buffer): number | WriteReq;
  writeLatin1String(req: null, data: string): number | WriteReq;
}

const Direct = { unknown: 0, on: 1, off: 2 } as const;
let direct: number = Direct.unknown;
const stream = streamState();

// probe sends data through the stream while looking at how it calls the handle: the direct path is on only when
// the stream passed no request object and the handle answered as the protocol above says.
function probe(socket: net.Socket, handle: StreamHandle, data: string | Buffer): boolean {
  const method = typeof data === 'string' ? 'writeLatin1String' : 'writeBuffer';
  const own = handle as unknown as Record<string, unknown>;
  const original = handle[method] as (this: StreamHandle, req: null, d: string | Buffer) => number | WriteReq;
  own[method] = function (this: StreamHandle, req: null, d: string | Buffer): number | WriteReq {
    const ret = original.call(this, req, d);
    const lean = req === null && stream !== null && (typeof ret === 'object' || typeof ret === 'number');
    // A write that completed at once proves the state is the live one: it holds the bytes just written.
    if (!lean) direct = Direct.off;
    else if (ret === 0) direct = stream.state[stream.bytesWritten] === d.length ? Direct.on : Direct.off;
    return ret;
  };
  try {
    return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  } finally {
    delete own[method];
  }
}

function directHandle(socket: net.Socket): StreamHandle | null {
  const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
  if (!handle || typeof handle.writeLatin1String !== 'function' || socket instanceof tls.TLSSocket) return null;
  if (socket.connecting || socket.destroyed || socket.writableEnded || socket.writableLength > 0 || handle.writeQueueSize > 0) return null;
  return handle;
}

function failure(status: number): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { code, errno: status, syscall: 'write' });
}

function fail(socket: net.Socket, status: number): void {
  if (!socket.destroyed) socket.destroy(failure(status));
}

// The completion of a direct write the handle queued: the writer, told false, waits for 'drain'.
function completed(this: WriteReq, status: number): void {
  const socket = this.socket as net.Socket;
  this.socket = null;
  this.buffer = null;
  if (status < 0) fail(socket, status);
  else socket.emit('drain');
}

/**
 * writeSocket writes data (a string is latin1) to socket as socket.write does, returning false when the socket
 * could not take it all at once: 'drain' is emitted when it has. A failed write destroys the socket with the error.
 */
export function writeSocket(socket: net.Socket, data: string | Buffer): boolean {
  const handle = direct === Direct.off ? null : directHandle(socket);
  if (!handle) return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  if (direct === Direct.unknown) return probe(socket, handle, data);
  const ret = typeof data === 'string' ? handle.writeLatin1String(null, data) : handle.writeBuffer(null, data);
  if (typeof ret === 'number') {
    if (ret !== 0) fail(socket, ret);
    return true;
  }
  const err = (stream as StreamState).state[(stream as StreamState).lastWriteErr] as number;
  if (err !== 0) {
    fail(socket, err);
    return true;
  }
  const status = ret.writeStatus;
  if (status !== null && status !== undefined) {
    ret.writeStatus = null;
    if (status < 0) fail(socket, status);
    return true;
  }
  // The handle holds the rest until the kernel takes it.
  ret.socket = socket;
  if (typeof data !== 'string') ret.buffer = data;
  ret.oncomplete = completed;
  return false;
}
