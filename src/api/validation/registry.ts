import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from './meta.ts';

// The shape of each group's defaulting and validation table: the API server looks up a kind's entry by group and
// kind and calls it on decoded (structurally typed) objects.

/** ApiObject is any decoded API object: plain data with optional type and object metadata. */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Defaulter fills in a kind's defaults in place, as upstream's SetDefaults_* functions do. */
export type Defaulter = (obj: ApiObject) => void;

/** KindValidator validates a kind on create and on update (against the stored object). */
export interface KindValidator {
  create(obj: ApiObject): FieldError[];
  update(obj: ApiObject, old: ApiObject): FieldError[];
}

/** GroupRegistry is one API group's tables, keyed by kind name. */
export interface GroupRegistry {
  defaults: Record<string, Defaulter>;
  validators: Record<string, KindValidator>;
}

/** typedDefaulter adapts a typed SetDefaults function to the table's ApiObject signature. */
export function typedDefaulter<T extends ApiObject>(fn: (obj: T) => void): Defaulter {
  return (obj) => fn(obj as T);
}

/** typedValidator adapts typed create/update validation functions to the table's ApiObject signature. */
export function typedValidator<T extends ApiObject>(create: (obj: T) => FieldError[], update: (obj: T, old: T) => FieldError[]): KindValidator {
  return { create: (obj) => create(obj as T), update: (obj, old) => update(obj as T, old as T) };
}

/** metadataOnlyValidator validates only object metadata, for kinds without rules of their own. */
export function metadataOnlyValidator(namespaced: boolean, nameValidator: NameValidator): KindValidator {
  return {
    create: (obj) => validateObjectMeta(obj.metadata, { namespaced, nameValidator }),
    update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateObjectMeta(obj.metadata, { namespaced, nameValidator })],
  };
}
