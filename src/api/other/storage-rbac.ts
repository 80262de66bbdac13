import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidEach, invalidValue, notSupported, required, tooLong } from '../validation/field.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { isValidPathSegmentName, isValidPathSegmentPrefix } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName, type NameValidator } from '../validation/meta.ts';
import { semanticEqual } from '../validation/equality.ts';

// storage.k8s.io/v1 StorageClass and rbac.authorization.k8s.io/v1 roles and bindings.

/** defaultStorageClass sets reclaimPolicy Delete and volumeBindingMode Immediate. */
export function defaultStorageClass(sc: StorageClass): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

/** validateStorageClass is upstream's ValidateStorageClass. */
export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, { namespaced: false, nameValidator: nameIsDNSSubdomain });
  const provisioner = sc.provisioner ?? '';
  if (!provisioner) errs.push(required('provisioner'));
  else errs.push(...validateQualifiedName(provisioner.toLowerCase(), 'provisioner'));
  const size = Object.entries(sc.parameters ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size > 256 * 1024) errs.push(tooLong('parameters', 256 * 1024));
  if (sc.reclaimPolicy !== undefined && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

/** validateStorageClassUpdate: parameters, provisioner, reclaimPolicy and volumeBindingMode are fixed. */
export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  return [...errs, ...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode')];
}

const rbacGroup = 'rbac.authorization.k8s.io';

/** nameIsRBACName is upstream's ValidateRBACName: any name usable as a URL path segment. */
export const nameIsRBACName: NameValidator = (name, prefix) => (prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name));

function validateRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0) errs.push(required(childPath(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(invalidValue(childPath(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length + (rule.resources ?? []).length + (rule.resourceNames ?? []).length > 0) {
      errs.push(invalidValue(childPath(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(required(childPath(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errs.push(required(childPath(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

/** validateRole validates a Role (namespaced rules may not name non-resource URLs). */
export function validateRole(role: Role): FieldError[] {
  const errs = validateObjectMeta(role.metadata, { namespaced: true, nameValidator: nameIsRBACName });
  (role.rules ?? []).forEach((r, i) => errs.push(...validateRule(r, true, indexPath('rules', i))));
  return errs;
}

/** validateClusterRole validates a ClusterRole and its aggregation rule. */
export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = validateObjectMeta(role.metadata, { namespaced: false, nameValidator: nameIsRBACName });
  (role.rules ?? []).forEach((r, i) => errs.push(...validateRule(r, false, indexPath('rules', i))));
  const agg = role.aggregationRule;
  if (agg) {
    const selectors = agg.clusterRoleSelectors ?? [];
    if (selectors.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, indexPath('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(childPath(path, 'name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(childPath(path, 'name'), s.name, nameIsDNSSubdomain(s.name, false)));
      if (s.apiGroup) errs.push(notSupported(childPath(path, 'apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(childPath(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(notSupported(childPath(path, 'apiGroup'), s.apiGroup ?? '', [rbacGroup]));
      break;
    default:
      errs.push(notSupported(childPath(path, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(b.metadata, { namespaced, nameValidator: nameIsRBACName });
  const ref = b.roleRef ?? { apiGroup: '', kind: '', name: '' };
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else errs.push(...invalidEach('roleRef.name', ref.name, nameIsRBACName(ref.name, false)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, indexPath('subjects', i))));
  return errs;
}

/** validateRoleBinding validates a RoleBinding (roleRef to a Role or ClusterRole). */
export function validateRoleBinding(b: RoleBinding): FieldError[] {
  return validateBinding(b, true);
}

/** validateClusterRoleBinding validates a ClusterRoleBinding (roleRef to a ClusterRole; service accounts need a namespace). */
export function validateClusterRoleBinding(b: ClusterRoleBinding): FieldError[] {
  return validateBinding(b, false);
}

/** validateBindingUpdate: a binding's roleRef never changes. */
export function validateBindingUpdate<T extends RoleBinding | ClusterRoleBinding>(b: T, old: T, namespaced: boolean): FieldError[] {
  const errs = [...validateObjectMetaUpdate(b.metadata, old.metadata), ...validateBinding(b, namespaced)];
  if (!semanticEqual(b.roleRef, old.roleRef)) errs.push(invalidValue('roleRef', b.roleRef, 'cannot change roleRef'));
  return errs;
}

/** defaultRoleBinding fills roleRef.apiGroup and each subject's apiGroup (SetDefaults_RoleBinding, _Subject). */
export function defaultRoleBinding(b: RoleBinding | ClusterRoleBinding): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) {
    if (s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = rbacGroup;
  }
}
