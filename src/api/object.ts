import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** Mutable strips kubernetes-types' readonly markers: the server is the one party that sets those fields. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Meta is ObjectMeta as the server writes it. */
export type Meta = Mutable<ObjectMeta>;

/** ApiObject is any Kubernetes object as plain JSON data. */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  [field: string]: unknown;
}

/** isPlainObject tells whether a JSON value is an object (not an array or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metaOf returns an object's metadata, creating it when absent. */
export function metaOf(obj: ApiObject): Meta {
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as Meta;
}

/** objectKey is "namespace/name", or "name" for cluster-scoped objects, as informers key them. */
export function objectKey(obj: ApiObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** deepEqualJson compares two JSON values structurally. */
export function deepEqualJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqualJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqualJson(ao[k], bo[k])) return false;
  return true;
}
