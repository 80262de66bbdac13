import { stringify as toYaml } from 'yaml';
import { ApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { takeJson } from './registry/split-json.ts';
import type { CachedObject } from './watchcache/index.ts';
import { bytesResponse, jsonResponse, type ApiResponse, type ResponseHeaders } from './message.ts';
import { jsonType, protobufType, yamlType, type Negotiated } from './negotiate.ts';

const decoder = new TextDecoder();

/** TableRenderer turns objects into a meta.k8s.io/v1 Table (supplied per resource). */
export type TableRenderer = (objects: ApiObject[], listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number }, includeObject: string) => ApiObject;

/** ProtobufEncoder renders an object in Kubernetes protobuf. */
export type ProtobufEncoder = (obj: ApiObject) => Uint8Array<ArrayBuffer>;

/** RenderOptions carry the renderers a response may need. */
export interface RenderOptions {
  table?: TableRenderer;
  protobuf?: ProtobufEncoder;
  includeObject?: string;
  warnings?: string[];
}

/** headersWith builds response headers: the content type plus any Warning headers. */
function headersWith(type: string, warnings: string[] | undefined): ResponseHeaders {
  const h: ResponseHeaders = { 'content-type': type };
  if (warnings && warnings.length > 0) h.warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  return h;
}

/** textResponse renders JSON text (or YAML of it) with a status code. */
function textResponse(code: number, json: string | Uint8Array, neg: Negotiated, warnings?: string[]): ApiResponse {
  if (neg.encoding === 'yaml') return bytesResponse(code, toYaml(JSON.parse(typeof json === 'string' ? json : decoder.decode(json)) as unknown), headersWith(yamlType, warnings));
  return bytesResponse(code, json, headersWith(jsonType, warnings));
}

/** partialMetadata is a PartialObjectMetadata of an object. */
export function partialMetadata(obj: ApiObject): ApiObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

/** renderObject answers with one object in the negotiated representation. */
export function renderObject(obj: ApiObject, neg: Negotiated, code: number, opts: RenderOptions = {}): ApiResponse {
  if (neg.as === 'Table') {
    if (!opts.table) throw new ApiError('NotAcceptable', 'the resource does not support Table output');
    const rv = obj.metadata?.resourceVersion;
    return textResponse(code, JSON.stringify(opts.table([obj], rv === undefined ? {} : { resourceVersion: rv }, opts.includeObject ?? 'Metadata')), neg, opts.warnings);
  }
  if (neg.as === 'PartialObjectMetadata' || neg.as === 'PartialObjectMetadataList') {
    return textResponse(code, JSON.stringify(partialMetadata(obj)), neg, opts.warnings);
  }
  if (neg.encoding === 'protobuf' && opts.protobuf) {
    return bytesResponse(code, opts.protobuf(obj), headersWith(protobufType, opts.warnings));
  }
  return textResponse(code, takeJson(obj) ?? JSON.stringify(obj), neg, opts.warnings);
}

/** renderCached answers with a cached object, reusing its JSON bytes when plain JSON was asked for. */
export function renderCached(o: CachedObject, neg: Negotiated, opts: RenderOptions = {}): ApiResponse {
  if (neg.as === 'object' && neg.encoding === 'json') return bytesResponse(200, o.bytes, headersWith(jsonType, opts.warnings));
  return renderObject(o.obj, neg, 200, opts);
}

const comma = Buffer.from(',');
const listEnd = Buffer.from(']}');

/** listParts is a list's JSON in order: its head, each item's cached bytes with commas between, its end. */
function listParts(head: Uint8Array, items: readonly CachedObject[]): { parts: Uint8Array[]; size: number } {
  const parts: Uint8Array[] = [head];
  let size = head.byteLength + listEnd.byteLength;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) {
      parts.push(comma);
      size += 1;
    }
    const bytes = (items[i] as CachedObject).bytes;
    parts.push(bytes);
    size += bytes.byteLength;
  }
  parts.push(listEnd);
  return { parts, size };
}

/** chunkBytes is the piece a large list is sent in; below glibc's mmap threshold, so its memory is reused. */
const chunkBytes = 64 * 1024;

/**
 * chunkCursor copies parts into chunks of up to `chunk` bytes, one chunk per call, each byte copied once;
 * null once all are out. A list of 10,000 pods spliced into one 14 MB buffer spent most of its server CPU in
 * that fresh allocation's page faults, which 64 KiB pieces, freed as they are written, do not have.
 */
function chunkCursor(parts: readonly Uint8Array[], size: number, chunk: number): () => Buffer | null {
  let k = 0;
  let off = 0;
  let left = size;
  return () => {
    if (left === 0) return null;
    const out = Buffer.allocUnsafe(Math.min(chunk, left));
    let at = 0;
    while (at < out.byteLength) {
      const part = parts[k] as Uint8Array;
      const n = Math.min(part.byteLength - off, out.byteLength - at);
      out.set(off === 0 && n === part.byteLength ? part : part.subarray(off, off + n), at);
      at += n;
      off += n;
      if (off === part.byteLength) {
        k++;
        off = 0;
      }
    }
    left -= at;
    return out;
  };
}

/** joinParts copies parts into one buffer of `size` bytes. */
function joinParts(parts: readonly Uint8Array[], size: number): Buffer {
  return chunkCursor(parts, size, size)() ?? Buffer.alloc(0);
}

/** listBody is a spliced JSON list: one buffer when small, else a stream of chunks produced as they are read. */
function listBody(head: Uint8Array, items: readonly CachedObject[], type: string, warnings: string[] | undefined): ApiResponse {
  const { parts, size } = listParts(head, items);
  const headers = headersWith(type, warnings);
  if (size <= 4 * chunkBytes) return bytesResponse(200, joinParts(parts, size), headers);
  const next = chunkCursor(parts, size, chunkBytes);
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        const piece = next();
        if (piece) c.enqueue(piece);
        else c.close();
      },
    },
    { highWaterMark: 0 },
  );
  headers['content-length'] = String(size);
  return { status: 200, headers, body };
}

/** ListInfo is what a list response needs besides its items. */
export interface ListInfo {
  apiVersion: string;
  listKind: string;
  rv: number;
  continue?: string;
  remainingItemCount?: number;
}

/** renderList answers with a list; JSON lists are spliced from each cached object's JSON bytes. */
export function renderList(items: readonly CachedObject[], info: ListInfo, neg: Negotiated, opts: RenderOptions = {}): ApiResponse {
  const listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(info.rv) };
  if (info.continue) listMeta.continue = info.continue;
  if (info.remainingItemCount !== undefined) listMeta.remainingItemCount = info.remainingItemCount;
  if (neg.as === 'Table') {
    if (!opts.table) throw new ApiError('NotAcceptable', 'the resource does not support Table output');
    return textResponse(200, JSON.stringify(opts.table(items.map((o) => o.obj), listMeta, opts.includeObject ?? 'Metadata')), neg, opts.warnings);
  }
  if (neg.as === 'PartialObjectMetadata' || neg.as === 'PartialObjectMetadataList') {
    const list = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: items.map((o) => partialMetadata(o.obj)) };
    return textResponse(200, JSON.stringify(list), neg, opts.warnings);
  }
  if (neg.encoding === 'protobuf' && opts.protobuf) {
    const list: ApiObject = { kind: info.listKind, apiVersion: info.apiVersion, metadata: listMeta, items: items.map((o) => o.obj) };
    return bytesResponse(200, opts.protobuf(list), headersWith(protobufType, opts.warnings));
  }
  const head = `{"kind":${JSON.stringify(info.listKind)},"apiVersion":${JSON.stringify(info.apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`;
  if (neg.encoding === 'yaml') {
    const { parts, size } = listParts(Buffer.from(head), items);
    return textResponse(200, joinParts(parts, size).toString(), neg, opts.warnings);
  }
  return listBody(Buffer.from(head), items, jsonType, opts.warnings);
}

/** statusResponse renders an error as a Status with its HTTP code. */
export function statusResponse(err: ApiError): ApiResponse {
  const res = jsonResponse(err.code, err.toStatus());
  const retry = err.details?.retryAfterSeconds;
  if (retry) res.headers['retry-after'] = String(retry);
  return res;
}

/** successStatus is the Status upstream returns for some deletes. */
export function successStatus(details: Record<string, unknown>): ApiObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
