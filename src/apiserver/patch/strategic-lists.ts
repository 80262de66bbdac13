// Strategic merge of lists, following k8s.io/apimachinery/pkg/util/strategicpatch (mergeSlice and the
// ordering helpers of the "preserve order" design): lists of maps merge item by item on their merge key,
// lists of scalars take the union (or lose the items of a $deleteFromPrimitiveList list), and the result
// is ordered by the patch's order for patched items and the live order for the rest.
import { getOwn, goFormat, goTypeName, hasOwn, isJsonObject } from './json.ts';
import type { JsonObject } from './json.ts';
import { patchFailed, patchRejected } from './patch-errors.ts';
import type { PatchSchema } from './schema.ts';

/** MapMerger merges a patch map into an original map (strategic.ts's mergeMap), passed in to break the recursion. */
export type MapMerger = (original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined) => JsonObject;

/** ElementKind is what a list holds: maps, or one kind of scalar. */
export type ElementKind = 'map' | 'string' | 'number' | 'boolean' | 'null';

/** directiveMarker is the member that carries a $patch directive. */
export const directiveMarker = '$patch';

/** noMergeKey is upstream's ErrNoMergeKey. */
export function noMergeKey(m: unknown, key: string): Error {
  return patchFailed(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

/** badArgType is upstream's ErrBadArgType: a value of the wrong JSON type where a map or list was expected. */
export function badArgType(expected: string, actual: unknown): Error {
  return patchFailed(`expected a ${expected}, but received a ${goTypeName(actual)}`);
}

/** elementKind returns the kind all items of the lists share, failing as upstream's sliceElementType does. */
export function elementKind(...lists: readonly unknown[][]): ElementKind {
  let kind: ElementKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) {
        if (kind === undefined) throw patchRejected('lists of lists are not supported');
        throw patchFailed(`list element types are not identical: ${goFormat(lists)}`);
      }
      const k: ElementKind = v === null ? 'null' : isJsonObject(v) ? 'map' : (typeof v as 'string' | 'number' | 'boolean');
      if (kind === undefined) kind = k;
      else if (kind !== k) throw patchFailed(`list element types are not identical: ${goFormat(lists)}`);
    }
  }
  if (kind === undefined) throw patchFailed('no elements in any of the given slices');
  return kind;
}

/** mergeSlice merges a patch list into an original list that has the merge strategy (or is a deletion list). */
export function mergeSlice(original: unknown[], patch: unknown[], items: PatchSchema | undefined, mergeKey: string, isDeleteList: boolean, mergeMap: MapMerger): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const gone = new Set(patch);
      return original.filter((v) => !gone.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw patchFailed(`cannot merge lists without merge key for ${items?.typeName ?? 'struct'}`);
    [original, patch] = applyListDirectives(original, patch, mergeKey);
    merged = mergeItems(original, patch, mergeKey, items, mergeMap);
  }
  const [patchItems, serverOnly] = mergeKey === '' ? partitionScalars(merged, patch) : partitionMaps(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

// applyListDirectives handles items carrying $patch: "delete" drops live items with that key, "replace"
// makes the patch's other items the whole list. It returns the live list and the patch without them.
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  if (!patch.some((v) => isJsonObject(v) && hasOwn(v, directiveMarker))) return [original, patch];
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasOwn(item, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const value = item[mergeKey];
      original = original.filter((o, i) => !matchesKey(o, i, mergeKey, value));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw patchFailed('merging lists cannot yet be specified in the patch');
    } else {
      throw patchFailed(`unknown patch type: ${goString(directive)} in map: ${goFormat(item)}`);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

// mergeItems merges each patch item into the live item with the same key, or appends it. Later patch
// items may match earlier appended ones, as upstream appends to the list it searches.
function mergeItems(original: unknown[], patch: unknown[], mergeKey: string, items: PatchSchema | undefined, mergeMap: MapMerger): unknown[] {
  const merged = original.slice();
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = findByKey(merged, mergeKey, item[mergeKey]);
    if (at < 0) {
      merged.push(item);
      continue;
    }
    const result = mergeMap(merged[at] as JsonObject, item, items);
    merged[at] = result;
    // Keep the live list in step: it is the order reference for the items that were not patched.
    if (at < original.length) original[at] = result;
  }
  return merged;
}

function matchesKey(o: unknown, i: number, mergeKey: string, value: unknown): boolean {
  if (!isJsonObject(o)) throw patchFailed(`value for key ${i} is not a map`);
  return hasOwn(o, mergeKey) && o[mergeKey] === value;
}

function findByKey(list: readonly unknown[], mergeKey: string, value: unknown): number {
  return list.findIndex((o, i) => matchesKey(o, i, mergeKey, value));
}

/** partitionScalars splits list into the items present in by and the others. */
export function partitionScalars(list: readonly unknown[], by: readonly unknown[]): [unknown[], unknown[]] {
  const present = new Set(by);
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) (present.has(v) ? inBy : rest).push(v);
  return [inBy, rest];
}

/** partitionMaps splits a list of maps into those whose merge key appears in by and the others. */
export function partitionMaps(list: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw badArgType('map[string]interface {}', v);
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/**
 * normalizeElementOrder sorts the patched items by patchOrder and the server-only items by serverOrder,
 * then interleaves them: a server-only item goes before a patched one only when the live list had it
 * first, so items new to the list come before the live items that follow them.
 */
export function normalizeElementOrder(patched: unknown[], serverOnly: unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const right = sortByOrder(patched, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const position = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = position(left[i]);
      const ri = position(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

// sortByOrder stably sorts items by their position in order; $patch: delete items go last.
function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    requireMergeKeys(items, mergeKey);
    requireMergeKeys(order, mergeKey);
    const split = splitDeletions(items);
    items = split.kept;
    toDelete = split.deleted;
  }
  if (items.length > 1) {
    const position = positions(order, mergeKey, kind);
    const keyed = items.map((v) => ({ v, at: position(v) }));
    keyed.sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : 0));
    items = keyed.map((e) => e.v);
  }
  return toDelete.length > 0 ? items.concat(toDelete) : items;
}

// positions indexes a list by merge-key value (maps) or by value (scalars); the first occurrence wins.
function positions(order: readonly unknown[], mergeKey: string, kind: ElementKind): (v: unknown) => number {
  const keyOf = kind === 'map' ? (v: unknown) => (isJsonObject(v) ? getOwn(v, mergeKey) : undefined) : (v: unknown) => v;
  const at = new Map<unknown, number>();
  order.forEach((v, i) => {
    const k = keyOf(v);
    if (!at.has(k)) at.set(k, i);
  });
  return (v) => at.get(keyOf(v)) ?? -1;
}

function requireMergeKeys(list: readonly unknown[], mergeKey: string): void {
  for (const v of list) {
    if (!isJsonObject(v)) throw badArgType('map[string]interface {}', v);
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
  }
}

/** splitDeletions separates the items carrying $patch: delete from the others. */
export function splitDeletions(list: readonly unknown[]): { kept: unknown[]; deleted: unknown[] } {
  const kept: unknown[] = [];
  const deleted: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw badArgType('map[string]interface {}', v);
    (getOwn(v, directiveMarker) === 'delete' ? deleted : kept).push(v);
  }
  return { kept, deleted };
}

/** goString renders a value as Go's %s verb does for a directive (strings bare, others flagged). */
export function goString(v: unknown): string {
  return typeof v === 'string' ? v : `%!s(${goTypeName(v)}=${goFormat(v)})`;
}
