// Kubernetes strategic merge patch, as the API server applies it (StrategicMergeMapPatch in
// k8s.io/apimachinery/pkg/util/strategicpatch, with MergeParallelList and IgnoreUnmatchedNulls set).
//
// It is a JSON merge patch whose lists follow the field's metadata (schema.ts): a list with the "merge"
// strategy merges its maps on the merge key (or takes the union of its scalars); any other list is
// replaced. On top come the directives: $patch (replace/delete on a map, replace/delete on a list item),
// $retainKeys, $deleteFromPrimitiveList/<field> and $setElementOrder/<field>. A null deletes a field.
//
// The algorithm is upstream's, step for step, including the order in which items land (an item new to a
// list goes before the live items after it unless $setElementOrder says otherwise); it works on copies of
// the document and the patch, so neither input changes. Errors follow upstream's classification
// (patch-errors.ts). Two differences, both because Berth keeps plain JSON where upstream has Go types:
//   - a field the schema does not know merges as a map or is replaced as a list, where upstream's struct
//     lookup would fail (its typed objects never hold unknown fields, so that path is a 500 there);
//   - directive keys inside a value taken whole are dropped here (takeWhole), as upstream's decode into
//     Go types drops them afterwards.
import { cloneJson, goFormat, hasOwn, isJsonObject, jsonKind, setOwn } from './json.ts';
import type { JsonObject } from './json.ts';
import { customResourcePatchTypes } from './media-types.ts';
import { patchBadRequest, patchFailed, unsupportedPatchType } from './patch-errors.ts';
import type { PatchSchema } from './schema.ts';
import {
  applyRetainKeys,
  deleteFromPrimitiveListPrefix,
  fieldOfDirective,
  mapDirective,
  patchStrategyOf,
  setElementOrderPrefix,
  takeWhole,
  withoutDirectives,
} from './strategic-directives.ts';
import { badArgType, directiveMarker, elementKind, mergeSlice, normalizeElementOrder, noMergeKey, partitionMaps, partitionScalars, splitDeletions } from './strategic-lists.ts';

/**
 * applyStrategicMergePatch applies a strategic merge patch to doc using the kind's patch schema; a kind
 * without one (schemaForKind gave undefined: a custom resource) gets upstream's 415.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema | undefined): unknown {
  if (!schema) throw unsupportedPatchType(customResourcePatchTypes);
  // A JSON null decodes to an empty map in Go, which changes nothing.
  if (patch === null || patch === undefined) return cloneJson(doc);
  if (!isJsonObject(patch)) throw patchBadRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  if (!isJsonObject(doc)) throw patchBadRequest('invalid JSON document');
  return mergeMap(cloneJson(doc), cloneJson(patch), schema);
}

// mergeMap merges patch into original; it owns both and may change them, and returns the merged map.
function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (hasOwn(patch, directiveMarker)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const isDeleteList = key.startsWith(deleteFromPrimitiveListPrefix);
    const k = isDeleteList ? fieldOfDirective(key, deleteFromPrimitiveListPrefix) : key;
    if (value === null) {
      delete original[k];
      continue;
    }
    const cur = hasOwn(original, k) ? original[k] : undefined;
    const kind = valueKind(cur);
    if (cur === undefined || kind !== valueKind(value)) {
      // A deletion list for a field that is absent (or not a list) has nothing to delete.
      if (!isDeleteList) setWhole(original, k, value);
      continue;
    }
    const field = schema?.field(k);
    if (kind === 'map') {
      const merged = patchStrategyOf(field) === 'replace' ? (value as JsonObject) : mergeMap(cur as JsonObject, value as JsonObject, field);
      setOwn(original, k, merged);
    } else if (kind === 'list') {
      setOwn(original, k, mergeList(cur as unknown[], value as unknown[], field, isDeleteList));
    } else {
      setOwn(original, k, value);
    }
  }
  return original;
}

function setWhole(original: JsonObject, k: string, value: unknown): void {
  const v = takeWhole(value);
  if (v === undefined) delete original[k];
  else setOwn(original, k, v);
}

// mergeList merges a list field: merge strategy (or a deletion list) merges, anything else replaces.
function mergeList(original: unknown[], patch: unknown[], field: PatchSchema | undefined, isDeleteList: boolean): unknown[] {
  if (patchStrategyOf(field) !== 'merge' && !isDeleteList) return patch;
  return mergeSlice(original, patch, field?.items(), field?.mergeKey ?? '', isDeleteList, mergeMap);
}

/**
 * mergeOrderedLists handles each $setElementOrder/<field>: it merges the field's patch list (if any) into
 * the live list, then orders the result: items named in the order list in that order, the others where
 * the live list had them. The field's patch list is consumed here so the main loop skips it.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const name = fieldOfDirective(key, setElementOrderPrefix);
    const live = hasOwn(original, name) ? listValue(original[name]) : undefined;
    const patched = hasOwn(patch, name) ? listValue(patch[name]) : undefined;
    const field = schema?.field(name);
    const mergeKey = field?.mergeKey ?? '';
    checkOrderList(patched ?? [], order, mergeKey);
    let merged: unknown[];
    if (live && patched) merged = mergeList(live, patched, field, false);
    else if (patched) merged = withoutDirectives(patched) as unknown[];
    else if (live) merged = live;
    else continue;
    const [inOrder, serverOnly] = mergeKey === '' ? partitionScalars(merged, order) : partitionMaps(merged, order, mergeKey);
    const kind = elementKind(live ?? [], patched ?? []);
    setOwn(original, name, normalizeElementOrder(inOrder, serverOnly, order, live ?? [], mergeKey, kind));
    delete patch[name];
  }
}

function listValue(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badArgType('[]interface {}', v);
  return v;
}

// checkOrderList verifies that the patch list's items (deletions aside) appear in the order list, in the
// same relative order: upstream's validatePatchWithSetOrderList.
function checkOrderList(patched: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patched.length === 0) return;
  const items = mergeKey === '' ? patched : splitDeletions(patched).kept;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isJsonObject(item) && hasOwn(item, directiveMarker)) {
      p++;
      continue;
    }
    if (sameKey(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw patchFailed(`The order in patch list:\n${goFormat(patched)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}

function sameKey(a: unknown, b: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return a === b;
  if (!isJsonObject(a)) throw badArgType('map[string]interface {}', a);
  if (!isJsonObject(b)) throw badArgType('map[string]interface {}', b);
  if (!hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}

type ValueKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null' | 'absent';

// valueKind stands for the Go type of a decoded value: fields of different kinds replace each other.
function valueKind(v: unknown): ValueKind {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return typeof v as 'string' | 'number' | 'boolean';
}
