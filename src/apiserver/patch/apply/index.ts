// Server-side apply and managedFields: the public surface of src/apiserver/patch/apply.
export { FieldSet, type FieldsV1 } from './fieldset.ts';
export {
  fieldElement,
  keyElement,
  valueElement,
  indexElement,
  parsePathElement,
  pathString,
  type PathElement,
  type FieldPath,
  type KeyField,
} from './pathelement.ts';
export type { Schema, ScalarSchema, ListSchema, MapSchema, DeducedSchema, UntypedSchema } from './schema.ts';
export { scalarSchema, deducedSchema, untypedSchema } from './schema.ts';
export {
  builtinSchemaRegistry,
  loadBuiltinDefinitions,
  newSchemaRegistry,
  type GroupVersionKind,
  type SchemaRegistry,
} from './openapi.ts';
export { fieldSetOf } from './typed.ts';
export { decodeManagedFields, type ManagedState } from './managed.ts';
export { lastAppliedAnnotation } from './lastapplied.ts';
export {
  serverSideApply,
  updateManagedFields,
  managerFromUserAgent,
  type ApplyOptions,
  type UpdateOptions,
  type ManagedResult,
} from './fieldmanager.ts';
