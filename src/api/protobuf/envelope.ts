import protobuf from 'protobufjs/minimal.js';
import { ApiError, badRequest } from '../errors.ts';
import { decodeUnknownObject, hasMagic, protobufMagic, UnknownKindError } from './decode.ts';
import type { DecodedObject } from './decode.ts';
import { EncodeError, encodeMessageBytes } from './encode.ts';
import { messageForKind } from './gvk.ts';
import { planFor } from './plan.ts';
import { WireError, WireReader, wireType } from './wire.ts';

/** protobufContentType is the media type of Kubernetes protobuf bodies. */
export const protobufContentType = 'application/vnd.kubernetes.protobuf';

/** protobufStreamContentType is the media type of protobuf watch streams (length-delimited WatchEvent frames). */
export const protobufStreamContentType = 'application/vnd.kubernetes.protobuf;stream=watch';

/** decodeObject decodes a Kubernetes protobuf body (`k8s\0` + runtime.Unknown) into the object's JSON form; bad input is a 400. */
export function decodeObject(body: Uint8Array): DecodedObject {
  if (body.length === 0) throw badRequest('invalid protobuf body: empty body');
  if (!hasMagic(body)) throw badRequest('invalid protobuf body: it does not start with the Kubernetes protobuf prefix "k8s\\0"');
  try {
    return decodeUnknownObject(body);
  } catch (err) {
    throw decodeFailure(err);
  }
}

function decodeFailure(err: unknown): ApiError {
  if (err instanceof UnknownKindError) return badRequest(err.message);
  if (err instanceof WireError || err instanceof RangeError) return badRequest(`invalid protobuf body: ${err.message}`);
  return ApiError.fromUnknown(err);
}

/** isProtobufEncodable tells whether a type has a protobuf message; CRDs, Table and other JSON-only types do not. */
export function isProtobufEncodable(apiVersion: string, kind: string): boolean {
  return messageForKind(apiVersion, kind) !== undefined;
}

/** encodeObject writes an object as a Kubernetes protobuf body: `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function encodeObject(obj: { apiVersion?: string; kind?: string } & Record<string, unknown>): Uint8Array {
  const { apiVersion, kind } = obj;
  if (!apiVersion || !kind) throw new ApiError('InternalError', 'cannot encode an object without apiVersion and kind as protobuf');
  const name = messageForKind(apiVersion, kind);
  if (!name) throw new ApiError('NotAcceptable', `object ${apiVersion}, Kind=${kind} cannot be encoded as protobuf`);
  let raw: Uint8Array;
  try {
    raw = encodeMessageBytes(planFor(name), obj);
  } catch (err) {
    if (err instanceof EncodeError) throw new ApiError('InternalError', `cannot encode ${apiVersion}, Kind=${kind} as protobuf: ${err.message}`);
    throw err;
  }
  return wrapUnknown(apiVersion, kind, raw);
}

// wrapUnknown frames a message as upstream's protobuf serializer does, empty contentEncoding/contentType included.
function wrapUnknown(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  // Each magic byte is below 0x80, so writing it as a varint writes the byte itself.
  for (const b of protobufMagic) w.uint32(b);
  w.uint32((1 << 3) | wireType.bytes).fork();
  w.uint32((1 << 3) | wireType.bytes).string(apiVersion);
  w.uint32((2 << 3) | wireType.bytes).string(kind);
  w.ldelim();
  w.uint32((2 << 3) | wireType.bytes).bytes(raw);
  w.uint32((3 << 3) | wireType.bytes).string('');
  w.uint32((4 << 3) | wireType.bytes).string('');
  return w.finish();
}

/**
 * encodeWatchEvent writes one frame of a protobuf watch stream, as upstream's stream serializer does: a 4-byte
 * big-endian length, then a meta.v1.WatchEvent written raw (no prefix, no Unknown) whose object RawExtension
 * holds the full protobuf object (`k8s\0` + Unknown), which client-go decodes with its embedded decoder.
 */
export function encodeWatchEvent(type: string, object: { apiVersion?: string; kind?: string } & Record<string, unknown>): Uint8Array {
  const inner = encodeObject(object);
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | wireType.bytes).string(type);
  w.uint32((2 << 3) | wireType.bytes).fork();
  w.uint32((1 << 3) | wireType.bytes).bytes(inner);
  w.ldelim();
  const message = w.finish();
  const frame = new Uint8Array(4 + message.length);
  new DataView(frame.buffer).setUint32(0, message.length, false);
  frame.set(message, 4);
  return frame;
}

/** WatchFrameEvent is one decoded protobuf watch frame. */
export interface WatchFrameEvent {
  type: string;
  object: DecodedObject;
}

/** decodeWatchEvent reads one length-prefixed protobuf watch frame (the inverse of encodeWatchEvent). */
export function decodeWatchEvent(frame: Uint8Array): WatchFrameEvent {
  if (frame.length < 4) throw badRequest('invalid protobuf watch frame: shorter than its length prefix');
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  if (length !== frame.length - 4) throw badRequest(`invalid protobuf watch frame: length prefix ${length}, but ${frame.length - 4} bytes follow`);
  try {
    const r = new WireReader(frame.subarray(4));
    const end = length;
    let type = '';
    let inner: Uint8Array | undefined;
    while (r.pos < end) {
      const tag = r.varint32();
      if ((tag & 7) !== wireType.bytes) r.skip(tag & 7, end);
      else if (tag >>> 3 === 1) type = r.string(end);
      else if (tag >>> 3 === 2) inner = readRawExtension(r, r.length(end) + r.pos);
      else r.skip(wireType.bytes, end);
    }
    if (!inner) throw new WireError('watch event has no object');
    return { type, object: decodeUnknownObject(inner) };
  } catch (err) {
    throw decodeFailure(err);
  }
}

function readRawExtension(r: WireReader, end: number): Uint8Array | undefined {
  let raw: Uint8Array | undefined;
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === ((1 << 3) | wireType.bytes)) raw = r.bytes(end);
    else r.skip(tag & 7, end);
  }
  return raw;
}
