import { additionalSchema, type SchemaNode } from './compile.ts';
import { isObject, metaFields } from './schema.ts';

// Pruning as upstream's pruning.PruneWithOptions plus the ObjectMeta coercion that drops unknown
// metadata fields: unknown fields are deleted in place and their paths returned, so the caller can
// answer fieldValidation=Strict with an error, Warn with warnings, or Ignore silently.

const objectMetaFields: ReadonlySet<string> = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** unknownFieldMessage is how upstream words one pruned field in a Strict error or a Warn warning. */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path}"`;
}

/**
 * pruneObject drops the fields of obj its schema does not specify and returns their paths, sorted.
 * At a resource root (the default) apiVersion, kind and metadata belong to the server and are kept.
 */
export function pruneObject(root: SchemaNode | null, obj: unknown, isResourceRoot = true): string[] {
  const unknown: string[] = [];
  prune(obj, root, '', unknown, isResourceRoot);
  return unknown.sort();
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function prune(x: unknown, s: SchemaNode | null, path: string, out: string[], forceEmbedded = false): void {
  if (s !== null && s.preserveUnknown) {
    skipPrune(x, s, path, out, forceEmbedded);
    return;
  }
  if (Array.isArray(x)) {
    const items = s === null ? null : s.items;
    for (let i = 0; i < x.length; i++) prune(x[i], items, `${path}[${i}]`, out);
    return;
  }
  if (!isObject(x)) return;
  if (s === null) {
    for (const k of Object.keys(x)) {
      out.push(join(path, k));
      delete x[k];
    }
    return;
  }
  const embedded = forceEmbedded || s.embedded;
  if (embedded) coerceMetadata(x, path, out);
  for (const k of Object.keys(x)) {
    if (embedded && metaFields.has(k)) continue;
    const p = s.properties?.get(k);
    if (p) prune(x[k], p, join(path, k), out);
    // Boolean additionalProperties keep the key but, having no schema, empty any object under it (as upstream).
    else if (s.additional !== null) prune(x[k], additionalSchema(s), join(path, k), out);
    else {
      if (!metaFields.has(k) || path !== '') out.push(join(path, k));
      delete x[k];
    }
  }
}

function skipPrune(x: unknown, s: SchemaNode | null, path: string, out: string[], forceEmbedded = false): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) skipPrune(x[i], s.items, `${path}[${i}]`, out);
    return;
  }
  if (!isObject(x)) return;
  const embedded = forceEmbedded || s.embedded;
  if (embedded) coerceMetadata(x, path, out);
  for (const k of Object.keys(x)) {
    if (embedded && metaFields.has(k)) continue;
    const p = s.properties?.get(k);
    if (p) prune(x[k], p, join(path, k), out);
    else if (s.additional !== null) prune(x[k], additionalSchema(s), join(path, k), out);
  }
}

/** coerceMetadata drops metadata fields ObjectMeta does not have, as decoding into ObjectMeta does upstream. */
function coerceMetadata(x: Record<string, unknown>, path: string, out: string[]): void {
  const meta = x.metadata;
  if (!isObject(meta)) return;
  for (const k of Object.keys(meta)) {
    if (objectMetaFields.has(k)) continue;
    out.push(join(join(path, 'metadata'), k));
    delete meta[k];
  }
}
