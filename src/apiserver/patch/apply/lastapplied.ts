// Interplay with client-side apply's annotation, for `kubectl apply --server-side` after `kubectl apply`
// (upstream's lastappliedmanager.go and lastappliedupdater.go).
import { compareObjects } from './compare.ts';
import type { FieldSet } from './fieldset.ts';
import { goJson, isObject, type JsonObject } from './json.ts';
import type { Schema } from './schema.ts';
import { fieldSetOf } from './typed.ts';

/** lastAppliedAnnotation is where client-side apply keeps the configuration it applied last. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

// Upstream's limit on the total size of an object's annotations (TotalAnnotationSizeLimitB).
const annotationsSizeLimit = 256 * 1024;

function annotationsOf(obj: JsonObject): JsonObject | undefined {
  const meta = obj.metadata;
  return isObject(meta) && isObject(meta.annotations) ? meta.annotations : undefined;
}

/** hasLastApplied tells whether obj carries a non-empty client-side apply annotation. */
export function hasLastApplied(obj: JsonObject): boolean {
  const v = annotationsOf(obj)?.[lastAppliedAnnotation];
  return typeof v === 'string' && v.length > 0;
}

/** buildLastApplied encodes an apply configuration as the annotation's value, without the annotation itself. */
export function buildLastApplied(applied: JsonObject): string {
  const copy = structuredClone(applied);
  const annotations = annotationsOf(copy);
  if (annotations) delete annotations[lastAppliedAnnotation];
  // Go's json.Encoder, which upstream uses, ends the document with a newline; kubectl's own value does too.
  return `${goJson(copy)}\n`;
}

/** setLastApplied stores the annotation on obj, or leaves it out when it would overflow the annotation size limit. */
export function setLastApplied(obj: JsonObject, value: string): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata as JsonObject;
  const annotations: JsonObject = isObject(meta.annotations) ? { ...meta.annotations } : {};
  annotations[lastAppliedAnnotation] = value;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > annotationsSizeLimit) delete annotations[lastAppliedAnnotation];
  meta.annotations = annotations;
}

// Those are the fields the client-side annotation says kubectl applied and that still hold the values it applied;
// there is no set when there is no usable annotation.
/** allowedConflicts is the set of fields a `kubectl` server-side apply may take over from client-side apply. */
export function allowedConflicts(live: JsonObject, schema: Schema, apiVersion: string): FieldSet | undefined {
  const raw = annotationsOf(live)?.[lastAppliedAnnotation];
  if (typeof raw !== 'string' || raw === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  let set: FieldSet;
  try {
    set = fieldSetOf(lastApplied, schema, true);
  } catch {
    return undefined;
  }
  const c = compareObjects(lastApplied, live, schema);
  return set.difference(c.modified).difference(c.added).difference(c.removed);
}
