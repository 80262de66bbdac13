import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, invalidValue, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { validateAlwaysRestartingTemplate, validateRequiredSelector } from './workload-validation.ts';

// Deployment and ReplicaSet validation (ValidateDeployment, ValidateReplicaSet and their updates; apps/v1 also
// makes the selector immutable in the registry strategy, which is folded into the update functions here).

function validateStrategy(strategy: DeploymentStrategy | undefined, path: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [forbidden(childPath(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(childPath(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
      const p = childPath(path, 'rollingUpdate');
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, childPath(p, 'maxUnavailable')), ...validatePositiveIntOrPercent(ru.maxSurge, childPath(p, 'maxSurge'))];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidValue(childPath(p, 'maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      return [...errs, ...isNotMoreThan100Percent(ru.maxUnavailable, childPath(p, 'maxUnavailable'))];
    }
    default:
      return [notSupported(path, s, ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(d: Deployment): FieldError[] {
  const spec = d.spec;
  const errs = validateNonnegativeField(spec?.replicas ?? 0, 'spec.replicas');
  const sel = validateRequiredSelector(spec?.selector, 'spec.selector', 'deployment');
  errs.push(...sel.errs);
  if (!sel.matcher) errs.push(invalidValue('spec.selector', spec?.selector ?? null, 'invalid label selector'));
  else errs.push(...validateAlwaysRestartingTemplate(spec?.template, sel.matcher, 'spec.template', 'ReplicaSet'));
  errs.push(...validateStrategy(spec?.strategy, 'spec.strategy'));
  errs.push(...validateNonnegativeField(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec?.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = spec?.progressDeadlineSeconds;
  if (pds !== undefined) {
    errs.push(...validateNonnegativeField(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (spec?.minReadySeconds ?? 0)) errs.push(invalidValue('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** validateDeployment is upstream's ValidateDeployment. */
export function validateDeployment(d: Deployment): FieldError[] {
  return [...validateObjectMeta(d.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateDeploymentSpec(d)];
}

/** validateDeploymentUpdate is upstream's ValidateDeploymentUpdate plus apps/v1's immutable selector. */
export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentSpec(d),
    ...validateImmutableField(d.spec?.selector, old.spec?.selector, 'spec.selector'),
  ];
}

function validateReplicaSetSpec(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec;
  const errs = [...validateNonnegativeField(spec?.replicas ?? 0, 'spec.replicas'), ...validateNonnegativeField(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds')];
  // Upstream's ReplicaSet shares the Deployment's wording for an empty selector.
  const sel = validateRequiredSelector(spec?.selector, 'spec.selector', 'deployment');
  errs.push(...sel.errs);
  if (!sel.matcher) errs.push(invalidValue('spec.selector', spec?.selector ?? null, 'invalid label selector'));
  else errs.push(...validateAlwaysRestartingTemplate(spec?.template, sel.matcher, 'spec.template', 'ReplicaSet'));
  return errs;
}

/** validateReplicaSet is upstream's ValidateReplicaSet. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  return [...validateObjectMeta(rs.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateReplicaSetSpec(rs)];
}

/** validateReplicaSetUpdate is upstream's ValidateReplicaSetUpdate plus apps/v1's immutable selector. */
export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetSpec(rs),
    ...validateImmutableField(rs.spec?.selector, old.spec?.selector, 'spec.selector'),
  ];
}
