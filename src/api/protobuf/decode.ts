import { Buffer } from 'node:buffer';
import { messageForKind } from './gvk.ts';
import { planFor } from './plan.ts';
import type { FieldPlan, MessagePlan, ValueKind } from './plan.ts';
import { formatDuration, formatMicroTime, formatTime } from './wellknown.ts';
import { WireError, WireReader, wireType } from './wire.ts';

/** protobufMagic is the 4-byte prefix (`k8s\0`) of every Kubernetes protobuf body: what follows is a runtime.Unknown. */
export const protobufMagic = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

/** UnknownEnvelope is a decoded runtime.Unknown: the type and the object's own message bytes. */
export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** DecodedObject is an object in the form upstream's JSON encoding would render it, with its type. */
export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

// Objects nested in RawExtensions as protobuf (not JSON) recurse through decodeUnknownObject; bound it.
const maxEmbedding = 8;

/** hasMagic tells whether bytes start with the `k8s\0` prefix. */
export function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0x00;
}

/** readUnknown decodes a runtime.Unknown message (no magic): typeMeta (1), raw (2), contentEncoding (3), contentType (4). */
export function readUnknown(bytes: Uint8Array): UnknownEnvelope {
  const r = new WireReader(bytes);
  const env: UnknownEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.varint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id >= 1 && id <= 4 && wt !== wireType.bytes) throw new WireError(`runtime.Unknown field ${id} has wire type ${wt}`);
    if (id === 1) {
      const typeEnd = r.length(end) + r.pos;
      while (r.pos < typeEnd) {
        const t = r.varint32();
        if ((t & 7) !== wireType.bytes) r.skip(t & 7, typeEnd);
        else if (t >>> 3 === 1) env.apiVersion = r.string(typeEnd);
        else if (t >>> 3 === 2) env.kind = r.string(typeEnd);
        else r.skip(wireType.bytes, typeEnd);
      }
      if (r.pos !== typeEnd) throw new WireError('runtime.TypeMeta overruns its length');
    } else if (id === 2) env.raw = r.bytes(end);
    else if (id === 3) env.contentEncoding = r.string(end);
    else if (id === 4) env.contentType = r.string(end);
    else r.skip(wt, end);
  }
  return env;
}

/** decodeUnknownObject decodes magic + runtime.Unknown + the typed message into its JSON form. */
export function decodeUnknownObject(bytes: Uint8Array, embedding = 0): DecodedObject {
  if (!hasMagic(bytes)) throw new WireError('body does not start with the Kubernetes protobuf prefix "k8s\\0"');
  if (embedding > maxEmbedding) throw new WireError('objects are embedded too deeply');
  const env = readUnknown(bytes.subarray(4));
  if (!env.apiVersion || !env.kind) throw new WireError('runtime.Unknown has no apiVersion or kind');
  if (env.contentEncoding) throw new WireError(`unsupported contentEncoding ${JSON.stringify(env.contentEncoding)}`);
  if (env.contentType && env.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new WireError(`unsupported contentType ${JSON.stringify(env.contentType)}`);
  }
  const name = messageForKind(env.apiVersion, env.kind);
  if (!name) throw new UnknownKindError(env.apiVersion, env.kind);
  const object: Record<string, unknown> = { apiVersion: env.apiVersion, kind: env.kind };
  decodeMessage(planFor(name), new WireReader(env.raw), env.raw.length, object, embedding);
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}

/** UnknownKindError is a well-formed body whose type has no protobuf message (not built in, or no such kind). */
export class UnknownKindError extends Error {
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string) {
    super(`no kind "${kind}" is registered for version "${apiVersion}" in the protobuf codec`);
    this.name = 'UnknownKindError';
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** decodeMessageBytes decodes one message of the given plan into a fresh JSON object. */
export function decodeMessageBytes(plan: MessagePlan, bytes: Uint8Array): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  decodeMessage(plan, new WireReader(bytes), bytes.length, target, 0);
  return target;
}

function decodeMessage(plan: MessagePlan, r: WireReader, end: number, target: Record<string, unknown>, embedding: number): void {
  while (r.pos < end) {
    const tag = r.varint32();
    const wt = tag & 7;
    const f = plan.byId[tag >>> 3];
    if (f === undefined) {
      r.skip(wt, end);
      continue;
    }
    if (f.map) {
      expectWire(plan, f, wt, wireType.bytes);
      const entryEnd = r.length(end) + r.pos;
      readMapEntry(plan, f, r, entryEnd, mapOf(target, f.json), embedding);
    } else if (f.repeated) {
      const list = listOf(target, f.json);
      if (wt === wireType.bytes && (f.kind === 'int32' || f.kind === 'int64' || f.kind === 'bool')) {
        // Packed encoding: proto2 writers may pack repeated scalars; readers must accept both forms.
        const packedEnd = r.length(end) + r.pos;
        while (r.pos < packedEnd) list.push(readScalar(f.kind, r));
        if (r.pos !== packedEnd) throw new WireError('packed field overruns its length');
      } else {
        list.push(readValue(plan, f, f.kind, wt, r, end, embedding) ?? null);
      }
    } else if (f.inline) {
      expectWire(plan, f, wt, wireType.bytes);
      const subEnd = r.length(end) + r.pos;
      decodeMessage(f.message as MessagePlan, r, subEnd, target, embedding);
    } else if (f.kind === 'message') {
      expectWire(plan, f, wt, wireType.bytes);
      const subEnd = r.length(end) + r.pos;
      // A message field seen twice merges, as protobuf specifies.
      const existing = target[f.json];
      const sub = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
      decodeMessage(f.message as MessagePlan, r, subEnd, sub, embedding);
      target[f.json] = sub;
    } else {
      const v = readValue(plan, f, f.kind, wt, r, end, embedding);
      if (v === undefined || (!f.keepZero && isZero(v))) {
        if (f.json in target) delete target[f.json];
      } else {
        target[f.json] = v;
      }
    }
  }
  if (r.pos !== end) throw new WireError(`${plan.name} overruns its length`);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function listOf(target: Record<string, unknown>, key: string): unknown[] {
  const existing = target[key];
  if (Array.isArray(existing)) return existing as unknown[];
  const list: unknown[] = [];
  target[key] = list;
  return list;
}

function mapOf(target: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = target[key];
  if (typeof existing === 'object' && existing !== null) return existing as Record<string, unknown>;
  const map: Record<string, unknown> = {};
  target[key] = map;
  return map;
}

function expectWire(plan: MessagePlan, f: FieldPlan, got: number, want: number): void {
  if (got !== want) throw new WireError(`field ${f.id} (${f.json || 'inline'}) of ${plan.name} has wire type ${got}, expected ${want}`);
}

function readScalar(kind: ValueKind, r: WireReader): number | boolean {
  if (kind === 'bool') return r.bool();
  return kind === 'int64' ? r.int64() : r.int32();
}

// readMapEntry reads one {1: key, 2: value} entry. A missing value is the value type's zero, as in Go.
function readMapEntry(plan: MessagePlan, f: FieldPlan, r: WireReader, end: number, map: Record<string, unknown>, embedding: number): void {
  let key = '';
  let value: unknown;
  while (r.pos < end) {
    const tag = r.varint32();
    const wt = tag & 7;
    if (tag >>> 3 === 1) {
      if (wt !== wireType.bytes) throw new WireError(`map key of ${plan.name}.${f.json} has wire type ${wt}`);
      key = r.string(end);
    } else if (tag >>> 3 === 2) {
      value = f.kind === 'message' ? readSubMessage(plan, f, wt, r, end, embedding) : readValue(plan, f, f.kind, wt, r, end, embedding);
    } else r.skip(wt, end);
  }
  if (r.pos !== end) throw new WireError(`map entry of ${plan.name}.${f.json} overruns its length`);
  map[key] = value ?? zeroOf(f.kind);
}

function zeroOf(kind: ValueKind): unknown {
  switch (kind) {
    case 'string':
    case 'bytes':
      return '';
    case 'quantity':
      return '0';
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
    case 'items':
      return [];
    case 'message':
      return {};
    default:
      return null;
  }
}

function readSubMessage(plan: MessagePlan, f: FieldPlan, wt: number, r: WireReader, end: number, embedding: number): Record<string, unknown> {
  expectWire(plan, f, wt, wireType.bytes);
  const subEnd = r.length(end) + r.pos;
  const sub: Record<string, unknown> = {};
  decodeMessage(f.message as MessagePlan, r, subEnd, sub, embedding);
  return sub;
}

// readValue reads one value of a field; undefined means Go's JSON would render null (an empty Time or RawExtension).
function readValue(plan: MessagePlan, f: FieldPlan, kind: ValueKind, wt: number, r: WireReader, end: number, embedding: number): unknown {
  switch (kind) {
    case 'string':
      expectWire(plan, f, wt, wireType.bytes);
      return r.string(end);
    case 'bytes':
      expectWire(plan, f, wt, wireType.bytes);
      return r.base64(end);
    case 'bool':
    case 'int32':
    case 'int64':
      expectWire(plan, f, wt, wireType.varint);
      return readScalar(kind, r);
    case 'message':
      return readSubMessage(plan, f, wt, r, end, embedding);
    default: {
      expectWire(plan, f, wt, wireType.bytes);
      const subEnd = r.length(end) + r.pos;
      const v = readSpecial(kind, r, subEnd, embedding);
      if (r.pos !== subEnd) throw new WireError(`${plan.name}.${f.json} overruns its length`);
      return v;
    }
  }
}

// readSpecial reads the apimachinery types whose JSON form is not their message form.
function readSpecial(kind: ValueKind, r: WireReader, end: number, embedding: number): unknown {
  // Field 1 is seconds, duration or the IntOrString type; field 2 nanos or intVal.
  let first = 0;
  let second = 0;
  let text = '';
  let bytes: Uint8Array | undefined;
  const items: string[] = [];
  let seen = false;
  while (r.pos < end) {
    seen = true;
    const tag = r.varint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (wt === wireType.varint && id === 1) first = r.int64();
    else if (wt === wireType.varint && id === 2) second = r.int64();
    else if (wt === wireType.bytes && id === 1 && kind === 'raw') bytes = r.bytes(end);
    else if (wt === wireType.bytes && id === 1 && kind === 'items') items.push(r.string(end));
    else if (wt === wireType.bytes && ((id === 1 && kind === 'quantity') || (id === 3 && kind === 'intOrString'))) text = r.string(end);
    else r.skip(wt, end);
  }
  switch (kind) {
    case 'time':
      // Go marshals the zero Time as an empty message and renders it as null.
      return seen ? formatTime(first) : undefined;
    case 'microTime':
      return seen ? formatMicroTime(first, second) : undefined;
    case 'duration':
      return formatDuration(first);
    case 'intOrString':
      return first === 1 ? text : second | 0;
    case 'quantity':
      return text || '0';
    case 'items':
      return items;
    case 'raw':
      return bytes && bytes.length > 0 ? parseRaw(bytes, embedding) : undefined;
    default:
      throw new WireError(`unexpected value kind ${kind}`);
  }
}

// parseRaw reads a RawExtension: JSON in objects, or a whole protobuf object (magic prefix) in watch events.
function parseRaw(bytes: Uint8Array, embedding: number): unknown {
  if (hasMagic(bytes)) return decodeUnknownObject(bytes, embedding + 1).object;
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  } catch {
    throw new WireError('embedded raw object is neither JSON nor a Kubernetes protobuf object');
  }
}
