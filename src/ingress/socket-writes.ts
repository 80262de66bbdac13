import net from 'node:net';
import tls from 'node:tls';
import { getSystemErrorName } from 'node:util';

// Writes to plain sockets straight into their libuv handle, past the Writable stream: socket.write runs the
// stream's bookkeeping (state, a write request object, the afterWrite tick and its callback round) for every
// write, and the data plane writes twice per proxied request. The handle is what socket.write ends in: it tries
// the write at once and, when the kernel does not take it all, queues the rest itself and reports completion to
// the request object, in order with any later write (stream or direct). So a direct write is used only when
// nothing is queued before it (in the stream or in the handle); otherwise, and for TLS or connecting sockets, it
// falls back to socket.write. The write request class is not exported by Node: it is taken from the first
// write of a string that goes through the stream (writeLatin1String's argument). Node 24.22 and later pass no
// request object there (the stream's own write path got lean the same way), so on those the direct path is off
// for good and every write goes through socket.write.

interface WriteReq {
  handle: unknown;
  oncomplete: ((status: number) => void) | null;
  buffer: Buffer | null;
}

interface StreamHandle {
  readonly writeQueueSize: number;
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
}

let WriteWrap: (new () => WriteReq) | null = null;
// unavailable: the probe saw this Node write without a request object; the direct path is never tried again.
let unavailable = false;
// A request object the handle did not keep (every write so far completed at once) is reused.
let spare: WriteReq | null = null;

// probe sends data through the stream while catching the write request class on its way to the handle.
function probe(socket: net.Socket, handle: StreamHandle, data: string): boolean {
  const own = handle as unknown as { writeLatin1String?: unknown };
  const original = handle.writeLatin1String;
  own.writeLatin1String = function (this: StreamHandle, req: WriteReq, s: string): number {
    if (req !== null && typeof req === 'object') WriteWrap ??= req.constructor as new () => WriteReq;
    else unavailable = true;
    return original.call(this, req, s);
  };
  try {
    return socket.write(data, 'latin1');
  } finally {
    delete own.writeLatin1String;
  }
}

function directHandle(socket: net.Socket): StreamHandle | null {
  const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
  if (!handle || typeof handle.writeLatin1String !== 'function' || socket instanceof tls.TLSSocket) return null;
  if (socket.connecting || socket.destroyed || socket.writableEnded || socket.writableLength > 0 || handle.writeQueueSize > 0) return null;
  return handle;
}

/**
 * writeSocket writes data (a string is latin1) to socket as socket.write does, returning false when the socket
 * could not take it all at once: 'drain' is emitted when it has. A failed write destroys the socket with the error.
 */
export function writeSocket(socket: net.Socket, data: string | Buffer): boolean {
  const handle = unavailable ? null : directHandle(socket);
  if (!handle) return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  if (!WriteWrap) return typeof data === 'string' ? probe(socket, handle, data) : socket.write(data);
  const req = spare ?? new WriteWrap();
  spare = null;
  req.handle = handle;
  const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (err !== 0) {
    spare = req;
    socket.destroy(Object.assign(new Error(`write ${getSystemErrorName(err)}`), { code: getSystemErrorName(err), errno: err, syscall: 'write' }));
    return true;
  }
  if (handle.writeQueueSize === 0) {
    spare = req;
    return true;
  }
  // The handle keeps req (and, for a Buffer, the bytes) until the kernel took the rest.
  if (typeof data !== 'string') req.buffer = data;
  req.oncomplete = (status: number) => {
    req.buffer = null;
    if (status < 0) {
      if (!socket.destroyed) socket.destroy(Object.assign(new Error(`write ${getSystemErrorName(status)}`), { code: getSystemErrorName(status), errno: status, syscall: 'write' }));
      return;
    }
    socket.emit('drain');
  };
  return false;
}
