import { compareJson, goJson, goJsonString, isObject } from './json.ts';

/** KeyField is one key of a map-list item: the key field's name and its value. */
export type KeyField = readonly [name: string, value: unknown];

// `id` is the upstream fieldsV1 spelling ("f:spec", `k:{"name":"app"}`), canonical, so two elements are equal
// exactly when their ids are.
/** PathElement selects a child: a field or map key, a map-list item by keys, a set item by value, an index. */
export type PathElement =
  | { readonly kind: 'field'; readonly id: string; readonly name: string }
  | { readonly kind: 'key'; readonly id: string; readonly fields: readonly KeyField[] }
  | { readonly kind: 'value'; readonly id: string; readonly value: unknown }
  | { readonly kind: 'index'; readonly id: string; readonly index: number };

/** FieldPath is a path from the object's root. */
export type FieldPath = readonly PathElement[];

/** fieldElement names a struct field or a map key. */
export function fieldElement(name: string): PathElement {
  return { kind: 'field', id: `f:${name}`, name };
}

/** keyElement selects a map-list item by its key fields; the fields are sorted by name, as upstream does. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  const sorted = [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const body = sorted.map(([n, v]) => `${goJsonString(n)}:${goJson(v)}`).join(',');
  return { kind: 'key', id: `k:{${body}}`, fields: sorted };
}

/** valueElement selects a set item by its value. */
export function valueElement(value: unknown): PathElement {
  return { kind: 'value', id: `v:${goJson(value)}`, value };
}

/** indexElement selects an item by position. */
export function indexElement(index: number): PathElement {
  return { kind: 'index', id: `i:${index}`, index };
}

// An unknown prefix yields null, as upstream drops those so that newer formats survive older readers.
/** parsePathElement reads one fieldsV1 key, throwing for a malformed one. */
export function parsePathElement(s: string): PathElement | null {
  if (s.length < 2 || s[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(s)}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldElement(body);
    case 'v':
      return valueElement(JSON.parse(body));
    case 'k': {
      const parsed: unknown = JSON.parse(body);
      if (!isObject(parsed)) throw new Error(`invalid key path element ${JSON.stringify(s)}`);
      return keyElement(Object.entries(parsed));
    }
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new Error(`invalid index path element ${JSON.stringify(s)}`);
      return indexElement(Number(body));
    }
    default:
      return null;
  }
}

/**
 * sortInPlace sorts by insertion when the array is short, as most of a field set's nodes are: for a handful of
 * items Array.prototype.sort's set-up costs more than the comparisons (managedFields are rendered on every write).
 */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): void {
  if (items.length > 16) {
    items.sort(compare);
    return;
  }
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    for (; j >= 0 && compare(items[j] as T, item) > 0; j--) items[j + 1] = items[j] as T;
    items[j + 1] = item;
  }
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** comparePathElements orders elements as upstream: fields, then keys, then values, then indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return kindRank[a.kind] - kindRank[b.kind];
  switch (a.kind) {
    case 'field': {
      const bn = (b as typeof a).name;
      return a.name < bn ? -1 : a.name > bn ? 1 : 0;
    }
    case 'key': {
      const bf = (b as typeof a).fields;
      for (let i = 0; i < a.fields.length && i < bf.length; i++) {
        const [an, av] = a.fields[i] as KeyField;
        const [bn, bv] = bf[i] as KeyField;
        if (an !== bn) return an < bn ? -1 : 1;
        const c = compareJson(av, bv);
        if (c !== 0) return c;
      }
      return a.fields.length - bf.length;
    }
    case 'value':
      return compareJson(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** valueString renders a value as upstream's value.ToString, used in conflict paths. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join(',')}}`;
  return String(v);
}

/** pathElementString renders one element as upstream's PathElement.String: `.name`, `[name="app"]`, `[="x"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
    default: {
      const never: never = pe;
      return never;
    }
  }
}

/** pathString renders a path as conflict messages show it: `.spec.containers[name="app"].image`. */
export function pathString(path: FieldPath): string {
  let s = '';
  for (const pe of path) s += pathElementString(pe);
  return s;
}
