import type { Namespace, NamespaceStatus } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { invalidEach } from '../validation/field.ts';
import { isQualifiedName } from '../validation/names.ts';
import { validateKubeFinalizerNames, validateNamespaceName, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';

// Namespace defaulting and validation (SetDefaults_Namespace, SetDefaults_NamespaceStatus, ValidateNamespace) and
// the namespace strategy's create-time preparation.

/** defaultNamespace labels the namespace with its name and sets status.phase Active. */
export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (name) {
    const meta = (ns.metadata ??= {});
    meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': name };
  }
  const status = ((ns as { status?: NamespaceStatus }).status ??= {});
  if (!status.phase) status.phase = 'Active';
}

/**
 * prepareNamespaceForCreate adds the "kubernetes" finalizer and resets status, as the namespace strategy does on
 * create only (the namespace controller removes the finalizer later, so it must not be a default).
 */
export function prepareNamespaceForCreate(ns: Namespace): void {
  const spec = (ns.spec ??= {});
  const finalizers = spec.finalizers ?? [];
  if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  (ns as { status?: NamespaceStatus }).status = { phase: 'Active' };
}

function validateSpecFinalizers(ns: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ns.spec?.finalizers ?? []) {
    errs.push(...invalidEach('spec.finalizers', f, isQualifiedName(f)));
    // Upstream checks each spec finalizer against the list's path, without an index.
    errs.push(...validateKubeFinalizerNames([f], 'spec.finalizers').map((e) => ({ ...e, field: 'spec.finalizers' })));
  }
  return errs;
}

/** validateNamespace is upstream's ValidateNamespace: a DNS-label name and valid spec finalizers. */
export function validateNamespace(ns: Namespace): FieldError[] {
  return [...validateObjectMeta(ns.metadata, { namespaced: false, nameValidator: validateNamespaceName }), ...validateSpecFinalizers(ns)];
}

/** validateNamespaceUpdate is upstream's ValidateNamespaceUpdate (metadata only). */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

/** validateNamespaceFinalizeUpdate checks an update through the finalize subresource. */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    errs.push(...invalidEach(`spec.finalizers[${i}]`, f, isQualifiedName(f)));
    errs.push(...validateKubeFinalizerNames([f], `spec.finalizers[${i}]`).map((e) => ({ ...e, field: `spec.finalizers[${i}]` })));
  });
  return errs;
}
