import { adler32, spdyDictionary } from './dictionary.ts';

// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 and the 3.1 additions), the subset a server for
// kubectl's moby/spdystream client needs. Every frame has an 8-byte header: control frames carry
// version 3 and a type, data frames a 31-bit stream id; both end with 8 bits of flags and a 24-bit length.

/** frameTypes are the SPDY/3 control frame types. */
export const frameTypes = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
/** flagFin ends a stream's direction (SYN_STREAM, SYN_REPLY, DATA, HEADERS). */
export const flagFin = 1;
/** maxDataPayload is the largest DATA payload we send; SPDY allows 2^24-1, 64 KiB keeps latency even. */
export const maxDataPayload = 64 * 1024;
/** rstCancel and rstProtocolError are RST_STREAM status codes. */
export const rstProtocolError = 1;
export const rstCancel = 5;

/** Frame is one parsed frame header with its payload. */
export type Frame =
  | { kind: 'data'; streamId: number; flags: number; payload: Buffer }
  | { kind: 'control'; version: number; type: number; flags: number; payload: Buffer };

/** SpdyHeaders are a stream's name/value pairs; names are lowercase. */
export type SpdyHeaders = Record<string, string>;

/** FrameReader cuts a byte stream into frames; feed() may be given any split of the input. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  /** feed appends bytes and returns every frame now complete. */
  feed(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Frame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUIntBE(5, 3);
      if (this.#buf.length < 8 + len) break;
      const head = this.#buf.subarray(0, 8);
      // Copied so a frame does not pin the whole read buffer, and a later concat cannot alias it.
      const payload = Buffer.from(this.#buf.subarray(8, 8 + len));
      this.#buf = this.#buf.subarray(8 + len);
      const flags = head[4] ?? 0;
      if ((head[0] ?? 0) & 0x80) out.push({ kind: 'control', version: head.readUInt16BE(0) & 0x7fff, type: head.readUInt16BE(2), flags, payload });
      else out.push({ kind: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, flags, payload });
    }
    return out;
  }
}

/** encodeControl builds a SPDY/3 control frame. */
export function encodeControl(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([h, body]);
}

/** encodeData builds one DATA frame. */
export function encodeData(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return data.length > 0 ? Buffer.concat([h, data]) : h;
}

/** u32 renders a 32-bit big-endian integer. */
export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** encodeHeaderBlock renders a name/value block before compression (SPDY/3: 32-bit counts and lengths). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    for (const s of [k.toLowerCase(), v]) {
      const b = Buffer.from(s, 'utf8');
      parts.push(u32(b.length), b);
    }
  }
  return Buffer.concat(parts);
}

/** decodeHeaderBlock parses an inflated name/value block; repeated values (NUL-separated) keep the first. */
export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  const h: SpdyHeaders = {};
  if (b.length < 4) throw new Error('SPDY header block too short');
  let off = 4;
  const need = (n: number): void => {
    if (off + n > b.length) throw new Error('SPDY header block truncated');
  };
  for (let n = b.readUInt32BE(0); n > 0; n--) {
    need(4);
    const kl = b.readUInt32BE(off);
    need(4 + kl);
    const k = b.toString('utf8', off + 4, off + 4 + kl).toLowerCase();
    off += 4 + kl;
    need(4);
    const vl = b.readUInt32BE(off);
    need(4 + vl);
    const v = b.toString('utf8', off + 4, off + 4 + vl);
    off += 4 + vl;
    h[k] = v.split('\0')[0] ?? '';
  }
  return h;
}

const syncFlushMarker = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/**
 * StoredBlockDeflater writes header blocks as one zlib stream of deflate *stored* blocks: valid input
 * for the peer's session-long inflater without a compressor. The first block carries the zlib header
 * naming the SPDY dictionary. Every block is followed by an empty stored block (the Z_SYNC_FLUSH
 * marker): Go's compress/flate hands out a stored block's bytes only once it reads the next block
 * header, so without it spdystream hits the frame's end first and drops the connection.
 */
export class StoredBlockDeflater {
  #started = false;

  /** deflate returns the compressed form of raw, continuing the session's zlib stream. */
  deflate(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.#started) {
      this.#started = true;
      // CMF 0x78 (deflate, 32K window), FLG 0x20 (FDICT); 0x7820 is a multiple of 31 as the header check wants.
      parts.push(Buffer.from([0x78, 0x20]), u32(adler32(spdyDictionary)));
    }
    for (let off = 0; off < raw.length; off += 0xffff) {
      const chunk = raw.subarray(off, off + 0xffff);
      const bh = Buffer.alloc(5);
      bh.writeUInt16LE(chunk.length, 1);
      bh.writeUInt16LE(chunk.length ^ 0xffff, 3);
      parts.push(bh, chunk);
    }
    parts.push(syncFlushMarker);
    return Buffer.concat(parts);
  }
}
