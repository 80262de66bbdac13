// An object's JSON without its resourceVersion, with where the revision a write gets is spliced in
// afterwards. A write used to serialize the same object three times: for the store (no resourceVersion),
// for the watch cache and for the response (with it); a pod create spent about a twentieth of its CPU there.
import type { ApiObject } from '../../api/object.ts';

// `{` and `"metadata":{`: what precedes the metadata's members besides the members before it.
const metaOpen = '{'.length + '"metadata":{'.length;

/**
 * EncodedJson is an object's stored form (UTF-8 JSON without its resourceVersion) and the same JSON with a
 * revision spliced in as bytes: the watch cache and the write's response share that one buffer, where each used
 * to join and encode the text again (two 2 KB strings and encodes per pod write).
 */
export class EncodedJson {
  /** bytes is the object's JSON without metadata.resourceVersion, in UTF-8: what the store keeps. */
  readonly bytes: Buffer;
  // Byte offset just inside the metadata's opening brace; -1 when there is no metadata object to splice into.
  readonly #at: number;
  readonly #emptyMeta: boolean;
  #rv: string | undefined;
  #withRv: Uint8Array | undefined;

  private constructor(text: string, at: number, emptyMeta: boolean) {
    // Buffer.from takes small buffers from Node's shared pool; TextEncoder gives each its own ArrayBuffer, whose
    // allocation and tracking cost more than the encoding.
    this.bytes = Buffer.from(text);
    this.#at = at;
    this.#emptyMeta = emptyMeta;
  }

  /**
   * of serializes `obj` without metadata.resourceVersion (the store's revision supplies it). The object is
   * serialized whole, once; where its metadata starts comes from the members before it (apiVersion and kind,
   * as a rule), which JSON.stringify writes the same way on their own.
   */
  static of(obj: ApiObject): EncodedJson {
    const metadata = obj.metadata as Record<string, unknown> | undefined;
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return new EncodedJson(JSON.stringify(obj), -1, false);
    const rv = metadata.resourceVersion;
    delete metadata.resourceVersion;
    try {
      let before = 0;
      const rec = obj as unknown as Record<string, unknown>;
      for (const key of Object.keys(rec)) {
        if (key === 'metadata') break;
        const value = rec[key];
        if (hasJsonForm(value)) before += Buffer.byteLength(`${JSON.stringify(key)}:${JSON.stringify(value)},`);
      }
      let emptyMeta = true;
      for (const key in metadata) {
        if (hasJsonForm(metadata[key])) {
          emptyMeta = false;
          break;
        }
      }
      return new EncodedJson(JSON.stringify(obj), metaOpen + before, emptyMeta);
    } finally {
      if (rv !== undefined) metadata.resourceVersion = rv;
    }
  }

  /** withResourceVersion is the JSON with `resourceVersion` first in its metadata, in UTF-8; the last revision's buffer is kept and handed out again. */
  withResourceVersion(rv: string): Uint8Array {
    if (this.#rv === rv && this.#withRv) return this.#withRv;
    let out: Uint8Array;
    if (this.#at < 0) out = this.bytes;
    else {
      const member = `"resourceVersion":${JSON.stringify(rv)}${this.#emptyMeta ? '' : ','}`;
      const size = Buffer.byteLength(member);
      const buf = Buffer.allocUnsafe(this.bytes.byteLength + size);
      // Buffer.copy rather than set(subarray(...)): a Buffer's subarray is a new Buffer object each time.
      this.bytes.copy(buf, 0, 0, this.#at);
      buf.write(member, this.#at);
      this.bytes.copy(buf, this.#at + size, this.#at);
      out = buf;
    }
    this.#rv = rv;
    this.#withRv = out;
    return out;
  }
}

/** hasJsonForm says whether JSON.stringify writes an object member with this value (it leaves the others out). */
function hasJsonForm(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

// The JSON of an object a write just returned, for its response. A symbol-keyed property: JSON.stringify,
// structuredClone and object spreads leave it behind, so a copy or a changed object is serialized afresh.
const writtenJson = Symbol('berth.writtenJson');

/** rememberJson attaches an object's JSON (text or UTF-8) to it, for the response that returns it right away. */
export function rememberJson(obj: ApiObject, json: string | Uint8Array): void {
  Object.defineProperty(obj, writtenJson, { value: json, enumerable: false, configurable: true, writable: true });
}

/** takeJson returns (once) the JSON rememberJson attached, or undefined. */
export function takeJson(obj: ApiObject): string | Uint8Array | undefined {
  const rec = obj as unknown as Record<symbol, string | Uint8Array | undefined>;
  const json = rec[writtenJson];
  if (json !== undefined) rec[writtenJson] = undefined;
  return json;
}
