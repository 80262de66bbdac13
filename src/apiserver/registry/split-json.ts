// An object's JSON without its resourceVersion, kept in pieces so the revision a write gets can be spliced in
// afterwards. A write used to serialize the same object three times: for the store (no resourceVersion),
// for the watch cache and for the response (with it); a pod create spent about a twentieth of its CPU there.
import type { ApiObject } from '../../api/object.ts';

/**
 * SplitJson is `{<before>,"metadata":{<meta>},<after>}` with each part possibly empty; `whole` is set instead
 * for an object without a metadata object (nothing to splice into).
 */
export interface SplitJson {
  before: string;
  meta: string;
  after: string;
  whole?: string;
}

/** splitJson serializes `obj` without metadata.resourceVersion, split around the metadata's members. */
export function splitJson(obj: ApiObject): SplitJson {
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return { before: '', meta: '', after: '', whole: JSON.stringify(obj) };
  }
  const rv = metadata.resourceVersion;
  delete metadata.resourceVersion;
  try {
    let before = '';
    let after = '';
    let meta = '';
    let seen = false;
    const rec = obj as unknown as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      const value = rec[key];
      if (key === 'metadata') {
        seen = true;
        meta = JSON.stringify(value).slice(1, -1);
        continue;
      }
      // As JSON.stringify does: members whose value has no JSON form are left out.
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
      const member = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      if (seen) after += `,${member}`;
      else before += `${member},`;
    }
    return { before, meta, after };
  } finally {
    if (rv !== undefined) metadata.resourceVersion = rv;
  }
}

/** joinJson is the object's JSON, with `resourceVersion` first in its metadata when given. */
export function joinJson(s: SplitJson, resourceVersion?: string): string {
  if (s.whole !== undefined) return s.whole;
  const rv = resourceVersion === undefined ? '' : `"resourceVersion":${JSON.stringify(resourceVersion)}${s.meta ? ',' : ''}`;
  return `{${s.before}"metadata":{${rv}${s.meta}}${s.after}}`;
}

// The JSON of an object a write just returned, for its response. A symbol-keyed property: JSON.stringify,
// structuredClone and object spreads leave it behind, so a copy or a changed object is serialized afresh.
const writtenJson = Symbol('berth.writtenJson');

/** rememberJson attaches an object's JSON to it, for the response that returns it right away. */
export function rememberJson(obj: ApiObject, json: string): void {
  Object.defineProperty(obj, writtenJson, { value: json, enumerable: false, configurable: true, writable: true });
}

/** takeJson returns (once) the JSON rememberJson attached, or undefined. */
export function takeJson(obj: ApiObject): string | undefined {
  const rec = obj as unknown as Record<symbol, string | undefined>;
  const json = rec[writtenJson];
  if (json !== undefined) rec[writtenJson] = undefined;
  return json;
}
