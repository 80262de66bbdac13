import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, immutableMessage, indexPath, invalidEach, invalidValue, negativeMessage, required, tooLong } from './field.ts';
import { validateLabelName, validateLabels } from './label-selector.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.ts';
import { semanticEqual } from './equality.ts';

// ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go) plus the finalizer-name rule that
// Kubernetes' core validation adds for the built-in kinds.

/** NameValidator checks a name (prefix: it is a generateName to which a suffix will be appended). */
export type NameValidator = (name: string, prefix: boolean) => string[];

// Upstream's maskTrailingDash replaces the last two characters with "a" (sic), so a trailing dash passes.
function maskTrailingDash(name: string): string {
  return name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** nameIsDNSSubdomain is upstream's NameIsDNSSubdomain (most kinds). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** nameIsDNSLabel is upstream's NameIsDNSLabel (namespaces, StatefulSets). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** nameIsDNS1035Label is upstream's NameIsDNS1035Label (Services). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** validateNamespaceName is upstream's ValidateNamespaceName: a DNS-1123 label. */
export const validateNamespaceName: NameValidator = nameIsDNSLabel;

/** TotalAnnotationSizeLimit is the 256 KiB cap on the sum of annotation keys and values. */
export const TotalAnnotationSizeLimit = 256 * 1024;

/** validateNonnegativeField is upstream's ValidateNonnegativeField. */
export function validateNonnegativeField(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [invalidValue(path, value, negativeMessage)] : [];
}

/** validateImmutableField reports "field is immutable" when a value changed (semantic deep equality). */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  return semanticEqual(newValue, oldValue) ? [] : [invalidValue(path, newValue ?? null, immutableMessage)];
}

/** validateAnnotations is upstream's ValidateAnnotations: qualified keys (any case) and a 256 KiB total. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > TotalAnnotationSizeLimit) errs.push(tooLong(path, TotalAnnotationSizeLimit));
  return errs;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** validateOwnerReferences is upstream's ValidateOwnerReferences, including the single-controller rule. */
export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const gv = parseGroupVersion(ref.apiVersion ?? '');
    if (!gv.version) errs.push(invalidValue(childPath(path, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalidValue(childPath(path, 'kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalidValue(childPath(path, 'name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalidValue(childPath(path, 'uid'), ref.uid ?? '', 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
      errs.push(invalidValue(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(invalidValue(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateFinalizers is upstream's ValidateFinalizers; kubeNames adds core's "standard or fully qualified" rule. */
export function validateFinalizers(finalizers: readonly string[] | undefined, path: string, kubeNames = true): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...invalidEach(path, f, isQualifiedName(f)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalidValue(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (kubeNames) errs.push(...validateKubeFinalizerNames(list, path));
  return errs;
}

/** validateKubeFinalizerNames is core's rule that a finalizer is a standard name or fully qualified ("example.com/x"). */
export function validateKubeFinalizerNames(finalizers: readonly string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (finalizers ?? []).forEach((f, i) => {
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(invalidValue(indexPath(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/** ObjectMetaOptions tells validateObjectMeta the kind's scope and name rule. */
export interface ObjectMetaOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
  /** kubeFinalizers applies core's finalizer-name rule (true for built-in kinds, false for CRDs). */
  kubeFinalizers?: boolean;
}

/** validateObjectMeta validates metadata on create: name/generateName, namespace vs scope, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) errs.push(...invalidEach(childPath(path, 'generateName'), m.generateName, opts.nameValidator(m.generateName, true)));
  if (!m.name) errs.push(required(childPath(path, 'name'), 'name or generateName is required'));
  else errs.push(...invalidEach(childPath(path, 'name'), m.name, opts.nameValidator(m.name, false)));
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(childPath(path, 'namespace')));
    else errs.push(...invalidEach(childPath(path, 'namespace'), m.namespace, validateNamespaceName(m.namespace, false)));
  } else if (m.namespace) {
    errs.push(forbidden(childPath(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation, childPath(path, 'generation')));
  errs.push(...validateCommonMeta(m, path, opts.kubeFinalizers ?? true));
  return errs;
}

function validateCommonMeta(m: ObjectMeta, path: string, kubeFinalizers: boolean): FieldError[] {
  return [
    ...validateLabels(m.labels, childPath(path, 'labels')),
    ...validateAnnotations(m.annotations, childPath(path, 'annotations')),
    ...validateOwnerReferences(m.ownerReferences, childPath(path, 'ownerReferences')),
    ...validateFinalizers(m.finalizers, childPath(path, 'finalizers'), kubeFinalizers),
  ];
}

/** validateObjectMetaUpdate validates metadata on update: identity fields immutable, generation monotonic, resourceVersion set. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, path = 'metadata', kubeFinalizers = true): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const old = new Set(o.finalizers ?? []);
    const extra = [...new Set((n.finalizers ?? []).filter((f) => !old.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(forbidden(childPath(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (!n.resourceVersion) errs.push(invalidValue(childPath(path, 'resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalidValue(childPath(path, 'generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(n.name ?? '', o.name ?? '', childPath(path, 'name')));
  errs.push(...validateImmutableField(n.namespace ?? '', o.namespace ?? '', childPath(path, 'namespace')));
  errs.push(...validateImmutableField(n.uid ?? '', o.uid ?? '', childPath(path, 'uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, childPath(path, 'creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, childPath(path, 'deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, childPath(path, 'deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, childPath(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, childPath(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, childPath(path, 'ownerReferences')));
  // On update upstream re-checks only core's finalizer naming rule, not the qualified-name and conflict rules.
  if (kubeFinalizers) errs.push(...validateKubeFinalizerNames(n.finalizers, childPath(path, 'finalizers')));
  return errs;
}

/** validateTemplateObjectMeta is upstream's ValidateTemplateObjectMeta: only labels and annotations may be set. */
export function validateTemplateObjectMeta(meta: ObjectMeta | undefined, path: string): FieldError[] {
  const m = meta ?? {};
  const errs = [...validateAnnotations(m.annotations, childPath(path, 'annotations')), ...validateLabels(m.labels, childPath(path, 'labels'))];
  for (const [k, v] of Object.entries(m)) {
    if (k !== 'labels' && k !== 'annotations' && v !== undefined && v !== null && v !== '') errs.push(forbidden(childPath(path, k), 'cannot be set'));
  }
  return errs;
}

/** validateQualifiedName is core's ValidateQualifiedName. */
export function validateQualifiedName(value: string, path: string): FieldError[] {
  return invalidEach(path, value, isQualifiedName(value));
}

export { validateLabelName };
