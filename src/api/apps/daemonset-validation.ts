import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../validation/field.ts';
import { isSelectorEmpty, labelSelectorAsMatcher, validateLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { validatePodTemplateSpec } from '../core/index.ts';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { selectorMismatch, validateRestartAlways } from './workload-validation.ts';

// DaemonSet and ControllerRevision validation (ValidateDaemonSet, ValidateControllerRevision and their updates).

function validateUpdateStrategy(ds: DaemonSet): FieldError[] {
  const strategy = ds.spec?.updateStrategy ?? {};
  if (strategy.type === 'OnDelete') return [];
  if (strategy.type !== 'RollingUpdate') return [notSupported('spec.updateStrategy', strategy, ['RollingUpdate', 'OnDelete'])];
  const ru = strategy.rollingUpdate;
  if (!ru) return [required('spec.updateStrategy.rollingUpdate')];
  const p = 'spec.updateStrategy.rollingUpdate';
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
    ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
  ];
  const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const surge = intOrPercentValue(ru.maxSurge) !== 0;
  if (unavailable && surge) errs.push(invalidValue(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!unavailable && !surge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateDaemonSetSpec(ds: DaemonSet): FieldError[] {
  const spec = ds.spec;
  const errs = validateLabelSelector(spec?.selector, 'spec.selector');
  const matcher = labelSelectorAsMatcher(spec?.selector);
  if (!('error' in matcher)) errs.push(...selectorMismatch(matcher, spec?.template, 'spec.template'));
  if (spec?.selector && isSelectorEmpty(spec.selector)) errs.push(invalidValue('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec?.template, 'spec.template'));
  errs.push(...validateRestartAlways(spec?.template, 'spec.template', 'DaemonSet'));
  errs.push(...validateNonnegativeField(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(ds));
  if (spec?.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** validateDaemonSet is upstream's ValidateDaemonSet. */
export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  return [...validateObjectMeta(ds.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateDaemonSetSpec(ds)];
}

/** validateDaemonSetUpdate is upstream's ValidateDaemonSetUpdate plus apps/v1's immutable selector. */
export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSetSpec(ds),
    ...validateImmutableField(ds.spec?.selector, old.spec?.selector, 'spec.selector'),
  ];
}

/** validateControllerRevision is upstream's ValidateControllerRevision. */
export function validateControllerRevision(rev: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(rev.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  if (rev.data === undefined || rev.data === null) errs.push(required('data', 'data is mandatory'));
  return [...errs, ...validateNonnegativeField(rev.revision ?? 0, 'revision')];
}

/** validateControllerRevisionUpdate: a revision's data never changes. */
export function validateControllerRevisionUpdate(rev: ControllerRevision, old: ControllerRevision): FieldError[] {
  return [...validateObjectMetaUpdate(rev.metadata, old.metadata), ...validateControllerRevision(rev), ...validateImmutableField(rev.data, old.data, 'data')];
}
