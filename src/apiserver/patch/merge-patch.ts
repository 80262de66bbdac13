// RFC 7386 JSON Merge Patch, as the Kubernetes API server applies it (evanphx/json-patch v4 MergePatch).
// Hand-written for the same reason as json-patch.ts: nothing suitable is installed, and upstream's
// library differs from the RFC where clients can see it, which we mirror:
//   - a patch of null, or of a string/number/bool, is refused with 400 "Invalid JSON Patch" (the RFC would
//     replace the whole document with it);
//   - an array patch replaces the document, with null members of objects inside it pruned;
//   - a value added where the document had no member (or null) has its null members pruned recursively,
//     arrays keep their null elements but objects inside them are pruned;
//   - a value that replaces a non-object is pruned the same way; a non-object that replaces an object
//     is taken as it is.
import { cloneJson, getOwn, hasOwn, isJsonObject, setOwn } from './json.ts';
import type { JsonObject } from './json.ts';
import { patchBadRequest, patchFailed } from './patch-errors.ts';

/** applyMergePatch applies an RFC 7386 merge patch to doc and returns the new document. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  // Upstream checks the document before the patch; a null document is not a client error there.
  if (doc === null || doc === undefined) throw patchFailed('Invalid JSON Document');
  if (Array.isArray(patch)) return pruneArrayNulls(cloneJson(patch));
  if (!isJsonObject(patch)) throw patchBadRequest('Invalid JSON Patch');
  if (!isJsonObject(doc)) return pruneObjectNulls(cloneJson(patch));
  return mergeObjects(cloneJson(doc), patch);
}

// mergeObjects merges patch into doc, which it owns and changes; patch is read only.
function mergeObjects(doc: JsonObject, patch: JsonObject): JsonObject {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = getOwn(doc, k);
    if (!hasOwn(doc, k) || cur === null) setOwn(doc, k, pruneNulls(cloneJson(v)));
    else setOwn(doc, k, mergeValue(cur, v));
  }
  return doc;
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isJsonObject(cur)) return pruneNulls(cloneJson(patch));
  if (!isJsonObject(patch)) return cloneJson(patch);
  return mergeObjects(cur, patch);
}

function pruneNulls(v: unknown): unknown {
  if (isJsonObject(v)) return pruneObjectNulls(v);
  if (Array.isArray(v)) return pruneArrayNulls(v);
  return v;
}

function pruneObjectNulls(obj: JsonObject): JsonObject {
  for (const k of Object.keys(obj)) {
    if (obj[k] === null) delete obj[k];
    else pruneNulls(obj[k]);
  }
  return obj;
}

function pruneArrayNulls(arr: unknown[]): unknown[] {
  for (const v of arr) if (v !== null) pruneNulls(v);
  return arr;
}
