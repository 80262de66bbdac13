import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { constants, createInflate, type Inflate } from 'node:zlib';
import { spdyDictionary } from './dictionary.ts';
import {
  decodeHeaderBlock,
  encodeControl,
  encodeData,
  encodeHeaderBlock,
  flagFin,
  FrameReader,
  frameTypes,
  maxDataPayload,
  rstCancel,
  StoredBlockDeflater,
  u32,
  type Frame,
  type SpdyHeaders,
} from './frames.ts';

// A server-side SPDY/3.1 session, as kubectl's moby/spdystream client needs it: the client opens
// streams (SYN_STREAM), the server answers each with SYN_REPLY and exchanges DATA. No flow control is
// enforced on sending: spdystream never sends WINDOW_UPDATE, so honouring the 64 KiB initial window
// would stall every download. Backpressure comes from the socket instead: writes wait for 'drain', and
// the socket is paused while a stream's reader is full.

/** SpdyStream is one client-opened stream: a Duplex over its DATA frames. */
export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #session: SpdySession;
  // Streams we opened (client mode) are answered by the peer, never by us.
  #replied: boolean;

  constructor(session: SpdySession, id: number, headers: SpdyHeaders, local = false) {
    super({ allowHalfOpen: true });
    this.#session = session;
    this.id = id;
    this.headers = headers;
    this.#replied = local;
  }

  /** reply sends SYN_REPLY; spdystream's CreateStream blocks until it arrives and drops DATA sent before. */
  reply(headers: SpdyHeaders = {}): void {
    if (this.#replied) return;
    this.#replied = true;
    this.#session.sendReply(this.id, headers);
  }

  /** reset aborts the stream with RST_STREAM(CANCEL). */
  reset(): void {
    this.#session.sendReset(this.id, rstCancel);
    this.destroy();
  }

  override _read(): void {
    this.#session.unblock(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.reply();
    this.#session.sendData(this.id, 0, chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.reply();
    this.#session.sendData(this.id, flagFin, Buffer.alloc(0), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#session.forget(this);
    cb(err);
  }
}

/** SpdySessionEvents are what a session emits. */
interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

/**
 * SpdySession speaks SPDY/3.1 on a connected byte stream (a socket, or a WebSocket tunnel). As a server
 * it accepts the peer's streams ('stream'); as a client (the agent calling a runtime's streaming server)
 * it opens them with openStream.
 */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly #socket: Duplex;
  readonly #client: boolean;
  #nextId = 1;
  readonly #replies = new Map<number, () => void>();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #blocked = new Set<SpdyStream>();
  readonly #reader = new FrameReader();
  readonly #deflater = new StoredBlockDeflater();
  // One inflate context for the whole session, as SPDY/3 requires. Node has no reusable synchronous
  // streaming inflate, so header blocks are inflated asynchronously and frames are handled in order.
  readonly #inflate: Inflate = createInflate({ dictionary: spdyDictionary, flush: constants.Z_SYNC_FLUSH });
  #queue: Promise<void> = Promise.resolve();
  #lastStreamId = 0;
  #closed = false;

  constructor(socket: Duplex, opts: { client?: boolean } = {}) {
    super();
    this.#socket = socket;
    this.#client = opts.client ?? false;
    this.#inflate.on('error', (err) => this.#fail(err));
    socket.on('data', (d: Buffer) => {
      for (const f of this.#reader.feed(d)) this.#queue = this.#queue.then(() => this.#onFrame(f)).catch((err: unknown) => this.#fail(err));
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('end', () => this.#teardown());
    socket.on('close', () => this.#teardown());
  }

  /** closed is true once the session ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** openStream opens a stream (client mode) and resolves once the peer's SYN_REPLY arrived. */
  openStream(headers: SpdyHeaders): Promise<SpdyStream> {
    const id = this.#nextId;
    this.#nextId += 2;
    const s = new SpdyStream(this, id, headers, true);
    this.#streams.set(id, s);
    const replied = new Promise<SpdyStream>((resolve, reject) => {
      this.#replies.set(id, () => resolve(s));
      s.once('close', () => reject(new Error(`SPDY stream ${id} closed before its reply`)));
    });
    // Stream id, associated id 0, priority 0 and slot 0, then the header block.
    this.#write(encodeControl(frameTypes.synStream, 0, Buffer.concat([u32(id, 0), Buffer.from([0, 0]), this.#deflater.deflate(encodeHeaderBlock(headers))])));
    return replied;
  }

  /** close sends GOAWAY and ends the connection once everything queued is written. */
  close(): void {
    if (this.#closed) return;
    this.#write(encodeControl(frameTypes.goaway, 0, u32(this.#lastStreamId, 0)));
    this.#socket.end();
    this.#teardown();
  }

  /** destroy drops the connection at once. */
  destroy(): void {
    this.#socket.destroy();
    this.#teardown();
  }

  /** sendReply writes SYN_REPLY for a stream (used by SpdyStream). */
  sendReply(id: number, headers: SpdyHeaders): void {
    this.#write(encodeControl(frameTypes.synReply, 0, Buffer.concat([u32(id), this.#deflater.deflate(encodeHeaderBlock(headers))])));
  }

  /** sendReset writes RST_STREAM (used by SpdyStream). */
  sendReset(id: number, status: number): void {
    this.#write(encodeControl(frameTypes.rstStream, 0, u32(id, status)));
  }

  /** sendData writes DATA frames and calls cb once the socket can take more (used by SpdyStream). */
  sendData(id: number, flags: number, data: Buffer, cb: (err?: Error | null) => void): void {
    if (this.#closed) {
      cb(new Error('SPDY session closed'));
      return;
    }
    let ok = true;
    if (data.length === 0) ok = this.#write(encodeData(id, flags, data));
    for (let off = 0; off < data.length; off += maxDataPayload) {
      const last = off + maxDataPayload >= data.length;
      ok = this.#write(encodeData(id, last ? flags : 0, data.subarray(off, off + maxDataPayload)));
    }
    if (ok) {
      cb();
      return;
    }
    const done = (): void => {
      this.#socket.off('drain', done);
      this.#socket.off('close', done);
      cb();
    };
    this.#socket.on('drain', done);
    this.#socket.on('close', done);
  }

  /** unblock resumes reading the connection once no stream's reader is full (used by SpdyStream). */
  unblock(s: SpdyStream): void {
    if (this.#blocked.delete(s) && this.#blocked.size === 0 && !this.#closed) this.#socket.resume();
  }

  /** forget drops a destroyed stream (used by SpdyStream). */
  forget(s: SpdyStream): void {
    this.#streams.delete(s.id);
    this.unblock(s);
  }

  #write(b: Buffer): boolean {
    if (this.#closed || this.#socket.destroyed) return false;
    return this.#socket.write(b);
  }

  async #onFrame(f: Frame): Promise<void> {
    if (this.#closed) return;
    if (f.kind === 'data') {
      const s = this.#streams.get(f.streamId);
      if (!s || s.destroyed) return;
      if (f.payload.length > 0 && !s.push(f.payload)) {
        this.#blocked.add(s);
        this.#socket.pause();
      }
      if (f.flags & flagFin) s.push(null);
      return;
    }
    if (f.version !== 3) throw new Error(`unsupported SPDY version ${f.version}`);
    const p = f.payload;
    switch (f.type) {
      case frameTypes.synStream: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        // Stream id (4), associated id (4), priority and slot (2), then the compressed header block.
        const headers = decodeHeaderBlock(await this.#inflateBlock(p.subarray(10)));
        this.#lastStreamId = id;
        const s = new SpdyStream(this, id, headers);
        this.#streams.set(id, s);
        if (f.flags & flagFin) s.push(null);
        this.emit('stream', s);
        return;
      }
      case frameTypes.synReply: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        await this.#inflateBlock(p.subarray(4));
        this.#replies.get(id)?.();
        this.#replies.delete(id);
        if (f.flags & flagFin) this.#streams.get(id)?.push(null);
        return;
      }
      case frameTypes.rstStream:
        this.#streams.get(p.readUInt32BE(0) & 0x7fffffff)?.destroy();
        return;
      case frameTypes.ping:
        // The peer's pings are echoed: odd ids come from a client, even ones from a server. We send none.
        if ((p.readUInt32BE(0) & 1) === (this.#client ? 0 : 1)) this.#write(encodeControl(frameTypes.ping, 0, p));
        return;
      case frameTypes.goaway:
        this.#socket.end();
        this.#teardown();
        return;
      case frameTypes.headers:
        // Nothing to do with them, but the shared zlib context must see every block.
        await this.#inflateBlock(p.subarray(4));
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: flow control is not enforced (see above).
        return;
    }
  }

  #inflateBlock(input: Buffer): Promise<Buffer> {
    return inflateChunk(this.#inflate, input);
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    const e = err instanceof Error ? err : new Error(String(err));
    if (this.listenerCount('error') > 0) this.emit('error', e);
    this.#write(encodeControl(frameTypes.goaway, 0, u32(this.#lastStreamId, 1)));
    this.#socket.destroy();
    this.#teardown();
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#streams.values()]) s.destroy();
    this.#streams.clear();
    this.#inflate.close();
    this.emit('close');
  }
}

/**
 * inflateChunk runs one input through a long-lived inflater and returns what it produced. Output is
 * drained while the chunk is processed: a Transform holds the write callback while its readable side
 * is full, so reading only after the callback would deadlock on large blocks.
 */
export function inflateChunk(inflate: Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const drain = (): void => {
      for (let c = inflate.read() as Buffer | null; c !== null; c = inflate.read() as Buffer | null) out.push(c);
    };
    inflate.on('readable', drain);
    inflate.write(input, (err) => {
      inflate.off('readable', drain);
      if (err) {
        reject(err);
        return;
      }
      drain();
      resolve(Buffer.concat(out));
    });
  });
}
