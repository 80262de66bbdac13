import { Buffer } from 'node:buffer';
import protobuf from 'protobufjs/minimal.js';
import type { FieldPlan, MessagePlan, ValueKind } from './plan.ts';
import { parseDuration, parseRFC3339 } from './wellknown.ts';
import { wireType } from './wire.ts';

type Writer = protobuf.Writer;

/** EncodeError is a JSON object that does not fit its message (wrong value type, bad timestamp ...). */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

/** encodeMessageBytes writes a JSON object as the message of the given plan (no envelope). */
export function encodeMessageBytes(plan: MessagePlan, obj: Record<string, unknown>): Uint8Array {
  const w = protobuf.Writer.create();
  encodeMessage(plan, obj, w);
  return w.finish();
}

function tag(id: number, wt: number): number {
  return ((id << 3) | wt) >>> 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Fields go out in field-number order and map keys sorted, as gogo writes them, so equal objects encode equally.
function encodeMessage(plan: MessagePlan, obj: Record<string, unknown>, w: Writer): void {
  for (const f of plan.fields) {
    if (f.inline) {
      w.uint32(tag(f.id, wireType.bytes)).fork();
      encodeMessage(f.message as MessagePlan, obj, w);
      w.ldelim();
      continue;
    }
    const v = obj[f.json];
    if (v === undefined || v === null) continue;
    if (f.map) {
      if (!isRecord(v)) throw mismatch(plan, f, 'an object');
      for (const key of Object.keys(v).sort()) {
        w.uint32(tag(f.id, wireType.bytes)).fork();
        w.uint32(tag(1, wireType.bytes)).string(key);
        const value = v[key];
        if (value !== undefined && value !== null) writeValue(plan, f, 2, value, w);
        w.ldelim();
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw mismatch(plan, f, 'an array');
      for (const item of v as unknown[]) writeValue(plan, f, f.id, item ?? zeroOf(f.kind), w);
    } else {
      writeValue(plan, f, f.id, v, w);
    }
  }
}

function zeroOf(kind: ValueKind): unknown {
  if (kind === 'string' || kind === 'bytes') return '';
  if (kind === 'int32' || kind === 'int64') return 0;
  if (kind === 'bool') return false;
  return {};
}

function mismatch(plan: MessagePlan, f: FieldPlan, want: string): EncodeError {
  return new EncodeError(`${plan.name}.${f.json}: expected ${want}`);
}

function writeValue(plan: MessagePlan, f: FieldPlan, id: number, v: unknown, w: Writer): void {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw mismatch(plan, f, 'a string');
      w.uint32(tag(id, wireType.bytes)).string(v);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw mismatch(plan, f, 'a boolean');
      w.uint32(tag(id, wireType.varint)).bool(v);
      return;
    case 'int32':
    case 'int64':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw mismatch(plan, f, 'an integer');
      if (f.kind === 'int32') w.uint32(tag(id, wireType.varint)).int32(v);
      else w.uint32(tag(id, wireType.varint)).int64(v);
      return;
    case 'bytes':
      if (typeof v !== 'string') throw mismatch(plan, f, 'a base64 string');
      w.uint32(tag(id, wireType.bytes)).bytes(Buffer.from(v, 'base64'));
      return;
    case 'message':
      if (!isRecord(v)) throw mismatch(plan, f, 'an object');
      w.uint32(tag(id, wireType.bytes)).fork();
      encodeMessage(f.message as MessagePlan, v, w);
      w.ldelim();
      return;
    default:
      w.uint32(tag(id, wireType.bytes)).fork();
      writeSpecial(plan, f, v, w);
      w.ldelim();
  }
}

// writeSpecial writes the body of an apimachinery type from its JSON form.
function writeSpecial(plan: MessagePlan, f: FieldPlan, v: unknown, w: Writer): void {
  switch (f.kind) {
    case 'time':
    case 'microTime': {
      const ts = typeof v === 'string' ? parseRFC3339(v) : undefined;
      if (!ts) throw mismatch(plan, f, 'an RFC3339 timestamp');
      // Upstream writes only whole seconds for Time (its JSON has no fraction); MicroTime keeps microseconds.
      const nanos = f.kind === 'time' ? 0 : Math.floor(ts.nanos / 1000) * 1000;
      w.uint32(tag(1, wireType.varint)).int64(ts.seconds).uint32(tag(2, wireType.varint)).int32(nanos);
      return;
    }
    case 'duration': {
      const ns = typeof v === 'string' ? parseDuration(v) : undefined;
      if (ns === undefined) throw mismatch(plan, f, 'a duration such as "1m30s"');
      w.uint32(tag(1, wireType.varint)).int64(ns);
      return;
    }
    case 'intOrString':
      if (typeof v === 'number' && Number.isInteger(v)) {
        w.uint32(tag(1, wireType.varint)).int64(0).uint32(tag(2, wireType.varint)).int32(v).uint32(tag(3, wireType.bytes)).string('');
      } else if (typeof v === 'string') {
        w.uint32(tag(1, wireType.varint)).int64(1).uint32(tag(2, wireType.varint)).int32(0).uint32(tag(3, wireType.bytes)).string(v);
      } else throw mismatch(plan, f, 'an integer or a string');
      return;
    case 'quantity':
      // Go's Quantity also accepts a JSON number; its wire form is always the string.
      if (typeof v !== 'string' && typeof v !== 'number') throw mismatch(plan, f, 'a quantity string');
      w.uint32(tag(1, wireType.bytes)).string(String(v));
      return;
    case 'raw':
      w.uint32(tag(1, wireType.bytes)).bytes(Buffer.from(JSON.stringify(v), 'utf8'));
      return;
    case 'items':
      if (!Array.isArray(v)) throw mismatch(plan, f, 'an array of strings');
      for (const item of v as unknown[]) {
        if (typeof item !== 'string') throw mismatch(plan, f, 'an array of strings');
        w.uint32(tag(1, wireType.bytes)).string(item);
      }
      return;
    default:
      throw new EncodeError(`${plan.name}.${f.json}: unexpected value kind ${f.kind}`);
  }
}
