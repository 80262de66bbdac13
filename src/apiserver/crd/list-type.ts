import type { FieldError } from '../../api/errors.ts';
import { additionalSchema, type SchemaNode } from './compile.ts';
import { canonicalJson } from './gofmt.ts';
import { childPath, indexPath, isObject, keyPath } from './schema.ts';

// x-kubernetes-list-type "set" and "map" uniqueness, as upstream's listtype.ValidateListSetsAndMaps.

/** validateListRules reports duplicate set items and map keys in obj, walking only subtrees that have such lists. */
export function validateListRules(root: SchemaNode, obj: unknown, out: FieldError[]): void {
  if (root.subtreeHasListRules && isObject(obj)) walkObject(root, obj, '', out);
}

function walkObject(n: SchemaNode, obj: Record<string, unknown>, path: string, out: FieldError[]): void {
  const add = additionalSchema(n);
  if (add?.subtreeHasListRules) for (const [k, v] of Object.entries(obj)) walkValue(add, v, keyPath(path, k), out);
  if (n.properties) {
    for (const [k, v] of Object.entries(obj)) {
      const p = n.properties.get(k);
      if (p?.subtreeHasListRules) walkValue(p, v, childPath(path, k), out);
    }
  }
}

function walkValue(n: SchemaNode, v: unknown, path: string, out: FieldError[]): void {
  if (Array.isArray(v)) walkArray(n, v, path, out);
  else if (isObject(v)) walkObject(n, v, path, out);
}

function walkArray(n: SchemaNode, arr: unknown[], path: string, out: FieldError[]): void {
  if (n.listType === 'set') {
    for (const i of repeatedIndices(arr.map(identity))) out.push({ type: 'FieldValueDuplicate', field: indexPath(path, i), value: arr[i], detail: '' });
  } else if (n.listType === 'map') {
    validateListMap(n, arr, path, out);
  }
  if (n.items?.subtreeHasListRules) for (let i = 0; i < arr.length; i++) walkValue(n.items, arr[i], indexPath(path, i), out);
}

function validateListMap(n: SchemaNode, arr: unknown[], path: string, out: FieldError[]): void {
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x !== null && x !== undefined && !isObject(x)) {
      out.push({ type: 'FieldValueInvalid', field: indexPath(path, i), value: x, detail: 'must be an object for an array of list-type map' });
      return;
    }
  }
  if (arr.length <= 1) return;
  const keyFields = n.listMapKeys;
  // The key of an item is the object of its key fields; an absent key field is "unspecified", not null.
  const keys = arr.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObject(x)) for (const f of keyFields) if (Object.hasOwn(x, f)) key[f] = x[f];
    return key;
  });
  const ids = keys.map((k) => (keyFields.length === 1 ? (Object.keys(k).length === 0 ? 'u' : identity(k[keyFields[0] as string])) : identity(k)));
  for (const i of repeatedIndices(ids)) out.push({ type: 'FieldValueDuplicate', field: indexPath(path, i), value: keys[i], detail: '' });
}

/** identity is a string equal for two JSON values exactly when upstream's set comparison finds them equal. */
function identity(x: unknown): string {
  if (x === null || x === undefined) return 'n';
  if (typeof x === 'object') return `c${canonicalJson(x)}`;
  return `${typeof x}:${String(x)}`;
}

/** repeatedIndices returns the index of each value's second appearance, as upstream reports one error per repeated value. */
function repeatedIndices(ids: readonly string[]): number[] {
  if (ids.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  ids.forEach((id, i) => {
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}
