import net from 'node:net';
import tls from 'node:tls';

// Reads of accepted client sockets into one buffer per thread, without the Readable stream: the `onread` option
// that net.connect() offers (and upstream.ts uses) but net.Server does not, applied to a socket the server
// accepted. Per read this saves a 64 KiB allocation and the stream's push/emit/read(0) round with its tick: in a
// bare relay, about 5 of 33 µs CPU per proxied request (2026-11-28, shared 2-core machine). Node keeps the option's state under two symbols of
// the socket; they are found once on a probe socket, and when this Node has no such thing (or the socket is TLS,
// whose reads come through the TLS layer) callers fall back to 'data' events.

interface UserBufferHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
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

/** fastReadsAvailable tells whether this Node lets readInto take over an accepted plain socket's reads. */
export const fastReadsAvailable = symbols !== null;

/**
 * readInto makes socket's reads land in buffer and calls onBytes with each read's bytes (a view of buffer, valid
 * only during the call); false (nothing changed) when not possible. pause() and resume() keep working.
 */
export function readInto(socket: net.Socket, buffer: Buffer, onBytes: (bytes: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle: UserBufferHandle | null })._handle;
  if (!symbols || socket instanceof tls.TLSSocket || typeof handle?.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  s[symbols.buffer] = buffer;
  s[symbols.callback] = (n: number): boolean => {
    onBytes(buffer.subarray(0, n));
    return true;
  };
  handle.useUserBuffer(buffer);
  return true;
}

/** streamReads turns a socket readInto took over back into an ordinary Readable (copies of each read, with backpressure). */
export function streamReads(socket: net.Socket, buffer: Buffer): void {
  if (!symbols) return;
  const s = socket as unknown as Record<symbol, unknown>;
  // false stops reading until the stream's consumer asks for more (the socket's _read starts it again).
  s[symbols.callback] = (n: number): boolean => socket.push(Buffer.from(buffer.subarray(0, n)));
}
