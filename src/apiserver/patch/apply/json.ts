// JSON value helpers shared by the field-set walkers: the objects they see are decoded JSON, never classes.

import { deepEqualJson } from '../../../api/object.ts';
import { cloneJson, isJsonObject, setOwn, type JsonObject } from '../json.ts';

// The generic JSON helpers live in ../json.ts (and deep equality in src/api/object.ts); the field-set code
// knows them by these names.
export { cloneJson, deepEqualJson as deepEqual, setOwn as setKey, type JsonObject };
/** isObject tells whether a JSON value is an object (isJsonObject). */
export const isObject = isJsonObject;

/** isEmptyContainer tells whether v is null, undefined, [] or {}: upstream treats these alike for lists and maps. */
export function isEmptyContainer(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) {
    for (const k in v) if (v[k] !== undefined) return false;
    return true;
  }
  return false;
}

/** own reads o[k] only when it is o's own property, so keys such as "constructor" never reach Object.prototype. */
export function own(o: JsonObject | undefined, k: string): unknown {
  return o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined;
}




// Go's encoding/json escapes these for HTML safety; upstream's serialised keys and annotations carry them so.
const goEscapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** goJsonString quotes s as Go's encoding/json does (HTML-safe escapes included). */
export function goJsonString(s: string): string {
  const q = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(q) ? q.replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c] ?? c) : q;
}

/** goJson encodes v as Go's encoding/json encodes decoded JSON: object keys sorted, HTML-safe string escapes. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goJsonString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
      const o = v as JsonObject;
      const parts: string[] = [];
      for (const k of Object.keys(o).sort()) {
        if (o[k] === undefined) continue;
        parts.push(`${goJsonString(k)}:${goJson(o[k])}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isObject(v)) return 4;
  return 5;
}

/** compareJson orders JSON values as upstream's value.Compare: numbers, strings, booleans, lists, maps, then null. */
export function compareJson(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < la.length && i < lb.length; i++) {
        const c = compareJson(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
    }
    case 4: {
      const oa = a as JsonObject;
      const ob = b as JsonObject;
      const keys = [...new Set([...Object.keys(oa), ...Object.keys(ob)])].sort();
      for (const k of keys) {
        if (!Object.hasOwn(oa, k)) return 1;
        if (!Object.hasOwn(ob, k)) return -1;
        const c = compareJson(oa[k], ob[k]);
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return 0;
  }
}
