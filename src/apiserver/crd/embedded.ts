import type { FieldError } from '../../api/errors.ts';
import { additionalSchema, type SchemaNode } from './compile.ts';
import { isDns1035Label, isValidPathSegmentName, parseGroupVersionError } from './names.ts';
import { childPath, indexPath, isObject, keyPath } from './schema.ts';

// x-kubernetes-embedded-resource values are objects in their own right: upstream (objectmeta.Validate)
// requires apiVersion and kind and checks their metadata. The root object's metadata is the caller's.

/** validateEmbeddedResource checks one embedded object's apiVersion, kind and metadata; path is where it sits. */
export function validateEmbeddedResource(obj: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const at = (f: string): string => childPath(path, f);
  if (!Object.hasOwn(obj, 'apiVersion')) errs.push({ type: 'FieldValueRequired', field: at('apiVersion'), detail: '' });
  if (!Object.hasOwn(obj, 'kind')) errs.push({ type: 'FieldValueRequired', field: at('kind'), detail: '' });
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion') {
      if (typeof v !== 'string') errs.push({ type: 'FieldValueInvalid', field: at(k), value: v, detail: 'must be a string' });
      else if (v === '') errs.push({ type: 'FieldValueRequired', field: at(k), detail: '' });
      else {
        const bad = parseGroupVersionError(v);
        if (bad) errs.push({ type: 'FieldValueInvalid', field: at(k), value: v, detail: bad });
      }
    } else if (k === 'kind') {
      if (typeof v !== 'string') errs.push({ type: 'FieldValueInvalid', field: at(k), value: v, detail: 'must be a string' });
      else if (v === '') errs.push({ type: 'FieldValueRequired', field: at(k), detail: '' });
      else {
        const bad = isDns1035Label(v.toLowerCase());
        if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: at(k), value: v, detail: `may have mixed case, but should otherwise match: ${bad.join(',')}` });
      }
    } else if (k === 'metadata') {
      errs.push(...validateEmbeddedMeta(v, at(k)));
    }
  }
  return errs;
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function validateEmbeddedMeta(v: unknown, path: string): FieldError[] {
  if (v === null) return [];
  if (!isObject(v)) return [{ type: 'FieldValueInvalid', field: path, value: v, detail: `json: cannot unmarshal ${goJsonType(v)} into Go value of type v1.ObjectMeta` }];
  const errs: FieldError[] = [];
  for (const f of ['name', 'generateName'] as const) {
    const name = v[f];
    if (typeof name !== 'string' || name === '') continue;
    for (const msg of isValidPathSegmentName(name)) errs.push({ type: 'FieldValueInvalid', field: childPath(path, f), value: name, detail: msg });
  }
  return errs;
}

/**
 * validateEmbeddedTree runs validateEmbeddedResource on every embedded resource in obj, reporting paths
 * under base; the root itself counts only when includeRoot (a custom object's root metadata is the caller's).
 */
export function validateEmbeddedTree(root: SchemaNode, obj: unknown, out: FieldError[], base = '', includeRoot = false): void {
  if (!root.subtreeHasEmbedded || !isObject(obj)) return;
  if (includeRoot && root.embedded) out.push(...validateEmbeddedResource(obj, base));
  walkChildren(root, obj, base, out);
}

function walk(n: SchemaNode | null, x: unknown, path: string, out: FieldError[]): void {
  if (n === null || !n.subtreeHasEmbedded) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) walk(n.items, x[i], indexPath(path, i), out);
  } else if (isObject(x)) {
    if (n.embedded) out.push(...validateEmbeddedResource(x, path));
    walkChildren(n, x, path, out);
  }
}

function walkChildren(n: SchemaNode, x: Record<string, unknown>, path: string, out: FieldError[]): void {
  for (const [k, v] of Object.entries(x)) {
    const p = n.properties?.get(k);
    if (p) walk(p, v, childPath(path, k), out);
    else walk(additionalSchema(n), v, keyPath(path, k), out);
  }
}
