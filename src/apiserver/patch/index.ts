// The classic PATCH types: RFC 6902 JSON patch, RFC 7386 merge patch and Kubernetes' strategic merge
// patch, on plain JSON values. Server-side apply lives in ./apply.
export { applyJsonPatch, maxJsonPatchCopyBytes, maxJsonPatchOperations } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic.ts';
export { createPatchSchemaIndex, schemaForKind } from './schema.ts';
export type { PatchSchema, PatchSchemaIndex } from './schema.ts';
export { applyPatchType, builtinPatchTypes, customResourcePatchTypes, jsonPatchType, mergePatchType, strategicMergePatchType } from './media-types.ts';
export { rejectedPatchMessage, unsupportedPatchType } from './patch-errors.ts';
