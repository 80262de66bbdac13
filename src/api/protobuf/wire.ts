import { Buffer } from 'node:buffer';

/** WireError is a malformed-input failure inside the reader; the envelope turns it into a 400. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** wireType names the protobuf wire types a Kubernetes message can carry (groups are not among them). */
export const wireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const two32 = 4294967296;

/**
 * WireReader reads protobuf primitives from one buffer. It is hand-written rather than protobufjs's
 * Reader so int64 comes back as a plain number (no Long objects) and every overrun is a WireError.
 */
export class WireReader {
  readonly buf: Buffer;
  pos: number;

  constructor(bytes: Uint8Array) {
    // A Buffer view (no copy) gives native utf8Slice/base64 for strings and bytes.
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  /** varint32 reads a varint and keeps its low 32 bits, as protobuf does for int32/uint32/tags. */
  varint32(): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 32; shift += 7) {
      const b = buf[this.pos++];
      if (b === undefined) throw new WireError('unexpected end of data in varint');
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    // Negative int32 values are sign-extended to ten bytes; the high bytes carry no information.
    for (let i = 0; i < 5; i++) {
      const b = buf[this.pos++];
      if (b === undefined) throw new WireError('unexpected end of data in varint');
      if (b < 0x80) return value >>> 0;
    }
    throw new WireError('varint is longer than ten bytes');
  }

  /** int32 reads a varint-encoded int32. */
  int32(): number {
    return this.varint32() | 0;
  }

  /** int64 reads a varint-encoded int64 as a number (exact up to 2^53, like JSON clients see it). */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b: number | undefined;
    for (let i = 0; i < 4; i++) {
      b = buf[this.pos++];
      if (b === undefined) throw new WireError('unexpected end of data in varint');
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
      if (b < 0x80) return lo;
    }
    b = buf[this.pos++];
    if (b === undefined) throw new WireError('unexpected end of data in varint');
    lo = (lo | ((b & 0x7f) << 28)) >>> 0;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let i = 0; ; i++) {
        if (i === 5) throw new WireError('varint is longer than ten bytes');
        b = buf[this.pos++];
        if (b === undefined) throw new WireError('unexpected end of data in varint');
        hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
        if (b < 0x80) break;
      }
    }
    if (hi >>> 31) {
      // Two's complement negative: negate both halves with carry.
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nlo + nhi * two32);
    }
    return lo + hi * two32;
  }

  /** bool reads a varint as a boolean. */
  bool(): boolean {
    return this.varint32() !== 0;
  }

  /** length reads a length prefix and checks that many bytes remain before end. */
  length(end: number): number {
    const n = this.varint32();
    if (n > end - this.pos) throw new WireError(`length ${n} overruns the message (${end - this.pos} bytes left)`);
    return n;
  }

  /** string reads a length-delimited UTF-8 string. */
  string(end: number): string {
    const n = this.length(end);
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('utf8', start, this.pos);
  }

  /** bytes reads a length-delimited byte string as a view into the input. */
  bytes(end: number): Uint8Array {
    const n = this.length(end);
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, this.pos);
  }

  /** base64 reads a length-delimited byte string as standard base64, how Go's JSON renders []byte. */
  base64(end: number): string {
    const n = this.length(end);
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('base64', start, this.pos);
  }

  /** skip passes over one field's value of the given wire type, so unknown fields are ignored. */
  skip(wt: number, end: number): void {
    switch (wt) {
      case wireType.varint:
        this.int64();
        break;
      case wireType.fixed64:
        this.pos += 8;
        break;
      case wireType.bytes: {
        // Read the length first: `this.pos += this.length()` would add to the position before the prefix.
        const n = this.length(end);
        this.pos += n;
        break;
      }
      case wireType.fixed32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wt}`);
    }
    if (this.pos > end) throw new WireError('unexpected end of data');
  }
}
