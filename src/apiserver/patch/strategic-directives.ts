// The directives of a strategic merge patch that are not list merging itself: $patch on a map,
// $retainKeys, the "$prefix/field" parallel keys, and the clean-up of values that are taken whole.
import { goFormat, hasOwn, isJsonObject, setOwn } from './json.ts';
import type { JsonObject } from './json.ts';
import { patchBadRequest, patchFailed } from './patch-errors.ts';
import type { PatchSchema } from './schema.ts';
import { directiveMarker, goString } from './strategic-lists.ts';

/** retainKeysDirective lists the only members a map keeps ($retainKeys). */
export const retainKeysDirective = '$retainKeys';
/** deleteFromPrimitiveListPrefix starts a parallel list of scalars to remove from a field. */
export const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
/** setElementOrderPrefix starts a parallel list giving the final order of a field's items. */
export const setElementOrderPrefix = '$setElementOrder';

/** mapDirective applies $patch on a map: "replace" takes the patch as the map, "delete" empties it. */
export function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[directiveMarker];
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === 'delete') return {};
  // Upstream refuses "merge" here too: only lists know that directive, and it refuses it there.
  throw patchFailed(`unknown patch type: ${goString(directive)} in map: ${goFormat(patch)}`);
}

/**
 * applyRetainKeys removes from original every member missing from the patch's $retainKeys list, after
 * checking that the patch sets nothing outside that list (400 otherwise, as upstream).
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw patchBadRequest('invalid patch format of retainKeys');
  const retained = new Set<unknown>(list);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!retained.has(k)) throw patchBadRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/** fieldOfDirective returns the field a "$prefix/field" key names, or the 400 upstream gives for a malformed key. */
export function fieldOfDirective(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw patchBadRequest(prefix === deleteFromPrimitiveListPrefix ? 'invalid patch format of primitive list' : 'invalid patch format of setElementOrder list');
  }
  return key.slice(slash + 1);
}

/** patchStrategyOf returns the field's strategy other than retainKeys ('merge', 'replace' or ''). */
export function patchStrategyOf(schema: PatchSchema | undefined): string {
  const s = schema?.strategies ?? [];
  if (s.length === 0) return '';
  if (s.length === 1) return s[0] === 'retainKeys' ? '' : (s[0] as string);
  if (s.length === 2 && s[0] === 'retainKeys') return s[1] as string;
  if (s.length === 2 && s[1] === 'retainKeys') return s[0] as string;
  throw patchFailed(`unexpected patch strategy: [${s.join(' ')}]`);
}

/**
 * takeWhole prepares a patch value that replaces or adds a field as it is: null members go (they can only
 * mean "absent" in a new value), and so do maps carrying $patch. Upstream leaves the other directive keys
 * ($retainKeys, $setElementOrder/…, $deleteFromPrimitiveList/…) for its typed decoder to drop as unknown
 * fields; Berth has no typed decoder, so they go here. Returns undefined when the value itself goes.
 */
export function takeWhole(v: unknown): unknown {
  discardNulls(v);
  return withoutDirectives(v);
}

/** withoutDirectives removes directive members and $patch maps from a value; undefined when the value is one. */
export function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      const kept = withoutDirectives(item);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (!isJsonObject(v)) return v;
  if (hasOwn(v, directiveMarker)) return undefined;
  for (const k of Object.keys(v)) {
    if (isDirectiveKey(k)) {
      delete v[k];
      continue;
    }
    const kept = withoutDirectives(v[k]);
    if (kept === undefined) delete v[k];
    else setOwn(v, k, kept);
  }
  return v;
}

function isDirectiveKey(k: string): boolean {
  return k === retainKeysDirective || k.startsWith(setElementOrderPrefix) || k.startsWith(deleteFromPrimitiveListPrefix);
}

function discardNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const item of v) discardNulls(item);
  } else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}
