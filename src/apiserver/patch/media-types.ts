// The PATCH content types, as upstream's types.PatchType names them.

/** jsonPatchType is RFC 6902 JSON Patch. */
export const jsonPatchType = 'application/json-patch+json';
/** mergePatchType is RFC 7386 JSON Merge Patch. */
export const mergePatchType = 'application/merge-patch+json';
/** strategicMergePatchType is Kubernetes' strategic merge patch. */
export const strategicMergePatchType = 'application/strategic-merge-patch+json';
/** applyPatchType is server-side apply (YAML or JSON body). */
export const applyPatchType = 'application/apply-patch+yaml';

/** builtinPatchTypes are the content types a built-in resource accepts on PATCH, in upstream's order. */
export const builtinPatchTypes: readonly string[] = [jsonPatchType, mergePatchType, strategicMergePatchType, applyPatchType];

/** customResourcePatchTypes are the content types a custom resource accepts (no strategic merge: no Go types). */
export const customResourcePatchTypes: readonly string[] = [jsonPatchType, mergePatchType, applyPatchType];
