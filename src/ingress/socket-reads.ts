import net from 'node:net';
import tls from 'node:tls';
import { streamState } from './stream-state.ts';

// Reads of accepted client sockets into one buffer per thread, without the Readable stream: the `onread` option
// that net.connect() offers (and upstream.ts uses) but net.Server does not, applied to a socket the server
// accepted. Per read this saves a 64 KiB allocation and the stream's push/emit/read(0) round with its tick: in a
// bare relay, about 5 of 33 µs CPU per proxied request (2026-11-28, shared 2-core machine). Node keeps the option's state under two symbols of
// the socket; they are found once on a probe socket, and when this Node has no such thing (or the socket is TLS,
// whose reads come through the TLS layer) callers fall back to 'data' events.
//
// directReads goes one step further for sockets reading into a buffer: the handle's read callback (which Node
// points at net's onStreamRead) calls the data plane's own function for each read, past onStreamRead's timer
// refresh and its lookups of the socket's symbols. Ends of stream and errors still go to onStreamRead.

interface ReadHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
  onread: ((this: ReadHandle, ab: ArrayBuffer | undefined) => unknown) | undefined;
  reading: boolean;
  readStop(): number;
}

function probeSymbols(): { buffer: symbol; callback: symbol } | null {
  const probe = new net.Socket({ onread: { buffer: Buffer.alloc(1), callback: () => true } });
  const find = (name: string): symbol | undefined => Object.getOwnPropertySymbols(probe).find((s) => s.description === name);
  const buffer = find('kBuffer');
  const callback = find('kBufferCb');
  probe.destroy();
  return buffer && callback ? { buffer, callback } : null;
}

const symbols = probeSymbols();
const reads = streamState();
// The onStreamRead a directReads socket's handle had, to give it back (streamReads).
const streamOnread = Symbol('streamOnread');

/** fastReadsAvailable tells whether this Node lets readInto take over an accepted plain socket's reads. */
export const fastReadsAvailable = symbols !== null;

/** directReadsAvailable tells whether this Node lets directReads call a socket's reader from its handle. */
export const directReadsAvailable = reads !== null;

/**
 * readInto makes socket's reads land in buffer and calls onBytes with each read's bytes (a view of buffer, valid
 * only during the call); false (nothing changed) when not possible. pause() and resume() keep working.
 */
export function readInto(socket: net.Socket, buffer: Buffer, onBytes: (bytes: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle: ReadHandle | null })._handle;
  if (!symbols || socket instanceof tls.TLSSocket || typeof handle?.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  const onRead = (n: number): boolean => {
    onBytes(buffer.subarray(0, n));
    return true;
  };
  s[symbols.buffer] = buffer;
  s[symbols.callback] = onRead;
  handle.useUserBuffer(buffer);
  directReads(socket, onRead);
  return true;
}

/**
 * directReads has socket's handle call onRead with the byte count of each read into the socket's user buffer
 * (net.connect's onread, or readInto); onRead returning false stops reading until resume(). False (nothing
 * changed) when not possible: the reads then keep going through onStreamRead to the socket's onread callback.
 */
export function directReads(socket: net.Socket, onRead: (n: number) => boolean): boolean {
  const handle = (socket as unknown as { _handle: ReadHandle | null })._handle;
  const original = handle?.onread;
  if (!reads || !handle || typeof original !== 'function' || socket instanceof tls.TLSSocket) return false;
  const { state, readBytes } = reads;
  handle.onread = function (this: ReadHandle, ab: ArrayBuffer | undefined): unknown {
    const n = state[readBytes] as number;
    if (n <= 0 || socket.destroyed) return original.call(this, ab);
    if (onRead(n) === false) {
      // As onStreamRead does when the callback declines more: the socket's resume() starts reading again.
      this.reading = false;
      const err = this.readStop();
      if (err) socket.destroy(Object.assign(new Error(`read ${err}`), { errno: err, syscall: 'read' }));
    }
    return undefined;
  };
  (socket as unknown as Record<symbol, unknown>)[streamOnread] = original;
  return true;
}

/** streamReads turns a socket readInto took over back into an ordinary Readable (copies of each read, with backpressure). */
export function streamReads(socket: net.Socket, buffer: Buffer): void {
  if (!symbols) return;
  const s = socket as unknown as Record<symbol, unknown>;
  const handle = (socket as unknown as { _handle: ReadHandle | null })._handle;
  const original = s[streamOnread] as ReadHandle['onread'];
  if (handle && original) handle.onread = original;
  // false stops reading until the stream's consumer asks for more (the socket's _read starts it again).
  s[symbols.callback] = (n: number): boolean => socket.push(Buffer.from(buffer.subarray(0, n)));
}
