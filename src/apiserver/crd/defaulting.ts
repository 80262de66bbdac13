import { additionalSchema, fieldSchema, type SchemaNode } from './compile.ts';
import { cloneJson, isObject } from './schema.ts';

// Defaulting as upstream: first PruneNonNullableNullsWithoutDefaults (a null where the schema allows no
// null and gives no default is dropped), then Default (missing fields, and non-nullable nulls, take the
// schema default). Subtrees without any default are skipped.

/** defaultObject applies the schema's defaults to obj in place. */
export function defaultObject(root: SchemaNode, obj: unknown): void {
  pruneNulls(obj, root);
  if (root.subtreeHasDefaults) applyDefaults(obj, root);
}

function pruneNulls(x: unknown, s: SchemaNode | null): void {
  // Below a part of the object the schema does not describe there is nothing to decide.
  if (s === null) return;
  if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s.items);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    const schema = fieldSchema(s, k);
    const v = x[k];
    if (v === null && schema !== null && !schema.nullable && !schema.hasDefault) delete x[k];
    else pruneNulls(v, schema);
  }
}

function applyDefaults(x: unknown, s: SchemaNode): void {
  if (Array.isArray(x)) {
    const it = s.items;
    if (it === null) return;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null && !it.nullable && it.hasDefault) x[i] = cloneJson(it.defaultValue);
      if (it.subtreeHasDefaults) applyDefaults(x[i], it);
    }
    return;
  }
  if (!isObject(x)) return;
  if (s.properties) {
    for (const [k, p] of s.properties) {
      if (!p.hasDefault) continue;
      if (!Object.hasOwn(x, k) || (x[k] === null && !p.nullable)) x[k] = cloneJson(p.defaultValue);
    }
  }
  const add = additionalSchema(s);
  for (const k of Object.keys(x)) {
    const p = s.properties?.get(k);
    if (p) {
      if (p.subtreeHasDefaults) applyDefaults(x[k], p);
    } else if (add) {
      if (x[k] === null && !add.nullable && add.hasDefault) x[k] = cloneJson(add.defaultValue);
      if (add.subtreeHasDefaults) applyDefaults(x[k], add);
    }
  }
}
