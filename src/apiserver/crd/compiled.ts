import type { FieldError } from '../../api/errors.ts';
import { compileNode, type SchemaNode } from './compile.ts';
import { defaultObject } from './defaulting.ts';
import { validateEmbeddedTree } from './embedded.ts';
import { validateListRules } from './list-type.ts';
import type { RawError } from './openapi-errors.ts';
import { toFieldErrors } from './openapi-errors.ts';
import { validateValue } from './openapi-validate.ts';
import { pruneObject } from './prune.ts';
import type { Schema } from './schema.ts';

/** CompiledSchema is a CRD version's schema prepared once and applied to many custom objects. */
export interface CompiledSchema {
  readonly root: SchemaNode;
  /** prune drops unknown fields in place and returns their paths ("spec.foo", "spec.items[0].bar"), sorted. */
  prune(obj: unknown): string[];
  /** applyDefaults fills schema defaults in place (missing fields, non-nullable nulls, array items, map values). */
  applyDefaults(obj: unknown): void;
  /**
   * validate checks obj as upstream's custom resource strategy does apart from root metadata and CEL:
   * the OpenAPI schema, embedded resources' apiVersion/kind/metadata, and list-type set/map uniqueness.
   */
  validate(obj: unknown): FieldError[];
  /** validateValue checks a value against the root schema only, reporting paths under base (null: none). */
  validateValue(value: unknown, base: string | null): FieldError[];
}

/** compileSchema prepares an openAPIV3Schema for pruning, defaulting and validating custom objects. */
export function compileSchema(openAPIV3Schema: Schema): CompiledSchema {
  const root = compileNode(openAPIV3Schema);
  const schemaErrors = (value: unknown, base: string | null): FieldError[] => {
    const raw: RawError[] = [];
    validateValue(root, value, '', raw);
    return raw.length === 0 ? [] : toFieldErrors(raw, base);
  };
  return {
    root,
    prune: (obj) => pruneObject(root, obj),
    applyDefaults: (obj) => defaultObject(root, obj),
    validate: (obj) => {
      const errs = schemaErrors(obj, null);
      validateEmbeddedTree(root, obj, errs);
      validateListRules(root, obj, errs);
      return errs;
    },
    validateValue: schemaErrors,
  };
}
