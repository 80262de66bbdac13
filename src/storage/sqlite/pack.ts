// A batch of writes packed into one buffer for the worker thread. Structured-cloning the writes (an object and a
// typed array each) cost the API server's thread about a twentieth of a pod create; one buffer is copied into
// once and shared with the worker (SqliteStore reuses one SharedArrayBuffer) or moved to it without a copy.
import type { Write } from './engine.ts';

const kinds = ['create', 'update', 'delete', 'revoke', 'compact'] as const;
const kindCode: Record<Write['kind'], number> = { create: 0, update: 1, delete: 2, revoke: 3, compact: 4 };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** packedSize is how many bytes packInto needs for writes. */
export function packedSize(writes: readonly Write[]): number {
  let size = 0;
  for (const w of writes) size += 1 + (w.kind === 'update' ? 16 : 8) + ('key' in w ? 4 + Buffer.byteLength(w.key) : 0) + ('value' in w ? 4 + w.value.byteLength : 0);
  return size;
}

/** packWrites packs writes into a buffer of their own (see packInto). */
export function packWrites(writes: readonly Write[]): ArrayBuffer {
  const buf = new ArrayBuffer(packedSize(writes));
  packInto(writes, buf);
  return buf;
}

/**
 * packInto lays writes out from the start of buf (at least packedSize(writes) long) as [kind u8][key: u32
 * length, UTF-8][value: u32 length, bytes][numbers f64], and returns the length used.
 */
export function packInto(writes: readonly Write[], buf: ArrayBuffer | SharedArrayBuffer): number {
  const u8 = new Uint8Array(buf);
  const dv = new DataView(buf);
  let at = 0;
  const key = (k: string): void => {
    const { written } = encoder.encodeInto(k, u8.subarray(at + 4));
    dv.setUint32(at, written, true);
    at += 4 + written;
  };
  const bytes = (v: Uint8Array): void => {
    dv.setUint32(at, v.byteLength, true);
    u8.set(v, at + 4);
    at += 4 + v.byteLength;
  };
  const num = (n: number): void => {
    dv.setFloat64(at, n, true);
    at += 8;
  };
  for (const w of writes) {
    u8[at++] = kindCode[w.kind];
    switch (w.kind) {
      case 'create':
        key(w.key);
        bytes(w.value);
        num(w.lease);
        break;
      case 'update':
        key(w.key);
        bytes(w.value);
        num(w.expected);
        num(w.lease);
        break;
      case 'delete':
        key(w.key);
        // NaN stands for "any revision".
        num(w.expected ?? Number.NaN);
        break;
      case 'revoke':
        num(w.lease);
        break;
      case 'compact':
        num(w.revision);
        break;
      default: {
        const never: never = w;
        throw new Error(`unknown write ${JSON.stringify(never)}`);
      }
    }
  }
  return at;
}

/** unpackWrites reads back the first `length` bytes packed into buf; values are views into it. */
export function unpackWrites(buf: ArrayBuffer | SharedArrayBuffer, length = buf.byteLength): Write[] {
  const u8 = new Uint8Array(buf, 0, length);
  const dv = new DataView(buf);
  const out: Write[] = [];
  let at = 0;
  const key = (): string => {
    const n = dv.getUint32(at, true);
    const k = decoder.decode(u8.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    return k;
  };
  const bytes = (): Uint8Array => {
    const n = dv.getUint32(at, true);
    const v = u8.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return v;
  };
  const num = (): number => {
    const n = dv.getFloat64(at, true);
    at += 8;
    return n;
  };
  while (at < u8.byteLength) {
    const kind = kinds[u8[at++] as number];
    switch (kind) {
      case 'create':
        out.push({ kind, key: key(), value: bytes(), lease: num() });
        break;
      case 'update':
        out.push({ kind, key: key(), value: bytes(), expected: num(), lease: num() });
        break;
      case 'delete': {
        const k = key();
        const expected = num();
        out.push({ kind, key: k, expected: Number.isNaN(expected) ? undefined : expected });
        break;
      }
      case 'revoke':
        out.push({ kind, lease: num() });
        break;
      case 'compact':
        out.push({ kind, revision: num() });
        break;
      case undefined:
        throw new Error(`packed writes: unknown kind at byte ${at - 1}`);
      default: {
        const never: never = kind;
        throw new Error(`unknown write ${String(never)}`);
      }
    }
  }
  return out;
}
