// Plain-JSON helpers shared by the three patch types. Patches arrive from clients, so every dynamic key
// goes through hasOwn/setOwn: a key such as "__proto__" or "constructor" must read and write an own
// property, never the prototype.

import { isPlainObject } from '../../api/object.ts';

/** JsonObject is a JSON object value. */
export type JsonObject = Record<string, unknown>;

/** isJsonObject tells whether a JSON value is an object (not an array, not null); it is src/api/object.ts's isPlainObject. */
export const isJsonObject: (v: unknown) => v is JsonObject = isPlainObject;

/** hasOwn tells whether obj has its own member key. */
export function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** getOwn reads obj's own member key, undefined when absent (never an inherited member). */
export function getOwn(obj: JsonObject, key: string): unknown {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

/** setOwn writes obj's own member key, also when the key is "__proto__". */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** cloneJson deep-copies a JSON value; far cheaper than structuredClone for plain data. */
export function cloneJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) setOwn(out, k, cloneJson((v as JsonObject)[k]));
  return out as T;
}

/** jsonEqual compares two JSON values structurally (object member order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** jsonKind names a value's JSON type the way Go's encoding/json does in "cannot unmarshal X" errors. */
export function jsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** goTypeName names the Go type a decoded JSON value has, as reflect.TypeOf prints it in upstream errors. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      // The API server decodes patches preserving integers, so whole numbers are int64 there.
      return Number.isInteger(v) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'map[string]interface {}';
  }
}

/** goFormat renders a JSON value as Go's fmt %v does (maps with sorted keys), for upstream-shaped messages. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}
