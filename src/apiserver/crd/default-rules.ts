import { deepEqualJson } from '../../api/object.ts';
import type { FieldError } from '../../api/errors.ts';
import { compileNode } from './compile.ts';
import { validateEmbeddedTree } from './embedded.ts';
import { type RawError, toFieldErrors } from './openapi-errors.ts';
import { validateValue } from './openapi-validate.ts';
import { pruneObject } from './prune.ts';
import { childPath, cloneJson, keyPath, metaFields, type Schema } from './schema.ts';

// A default must itself be a valid, already-pruned value of its schema (upstream's defaulting.ValidateDefaults).

/** validateDefaults checks every default in a version's openAPIV3Schema; path is the schema's field path. */
export function validateDefaults(path: string, root: Schema): FieldError[] {
  const out: FieldError[] = [];
  walk(root, path, true, false, out);
  return out;
}

function walk(s: Schema, path: string, isRoot: boolean, insideMeta: boolean, out: FieldError[]): void {
  const embedded = isRoot || s['x-kubernetes-embedded-resource'] === true;
  if (embedded) insideMeta = false;
  if (s.default !== undefined) checkDefault(s, path, embedded, insideMeta, out);
  // additionalProperties is not followed: upstream forbids defaults there only inside metadata, and never checks them.
  if (s.items !== undefined && !Array.isArray(s.items)) walk(s.items, childPath(path, 'items'), false, insideMeta, out);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    walk(p, keyPath(childPath(path, 'properties'), k), false, insideMeta || (embedded && metaFields.has(k)), out);
  }
}

function checkDefault(s: Schema, path: string, embedded: boolean, insideMeta: boolean, out: FieldError[]): void {
  const at = childPath(path, 'default');
  const node = compileNode(embedded ? { ...s, 'x-kubernetes-embedded-resource': true } : s);
  if (!insideMeta) {
    const pruned = cloneJson(s.default);
    pruneObject(node, pruned, embedded);
    if (!deepEqualJson(pruned, s.default)) out.push({ type: 'FieldValueInvalid', field: at, value: s.default, detail: 'must not have unknown fields' });
    const metaErrs: FieldError[] = [];
    validateEmbeddedTree(node, s.default, metaErrs, at, true);
    if (metaErrs.length > 0) {
      out.push(...metaErrs);
      return;
    }
  }
  const raw: RawError[] = [];
  validateValue(node, s.default, '', raw);
  if (raw.length > 0) out.push(...toFieldErrors(raw, at));
}
