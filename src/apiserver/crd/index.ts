// What a CustomResourceDefinition's schema does to custom objects, and the CRD's own validation and status.
export { compileSchema, type CompiledSchema } from './compiled.ts';
export type { SchemaNode } from './compile.ts';
export { defaultCrd } from './crd-defaults.ts';
export { crdStatus, type CrdStatusOptions, type NameClaims } from './crd-status.ts';
export { validateCrd, validateCrdStatusUpdate, validateCrdUpdate } from './crd-validation.ts';
export { validateEmbeddedResource } from './embedded.ts';
export { unknownFieldMessage } from './prune.ts';
export { applyScale, scaleOf, validateScaleSpec, validateScaleStatus } from './scale.ts';
export type { Schema } from './schema.ts';
