import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabels } from '../validation/label-selector.ts';
import { nameIsDNSLabel, validateAnnotations, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { semanticEqual } from '../validation/equality.ts';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';
import { selectorMismatch, validateRequiredSelector, validateRestartAlways } from './workload-validation.ts';

// StatefulSet validation (ValidateStatefulSet, ValidateStatefulSetUpdate). Upstream does not validate the pod spec of
// a StatefulSet's template (its volume mounts may name claim templates), only its labels and annotations.

function validateRetention(value: string | undefined, path: string): FieldError[] {
  return value === 'Retain' || value === 'Delete' ? [] : [notSupported(path, value ?? '', ['Retain', 'Delete'])];
}

function validateStatefulSetSpec(sts: StatefulSet): FieldError[] {
  const spec = sts.spec;
  const errs: FieldError[] = [];
  const pmp = spec?.podManagementPolicy ?? '';
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalidValue('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = spec?.updateStrategy ?? {};
  switch (strategy.type ?? '') {
    case '':
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate) errs.push(invalidValue('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) break;
      errs.push(...validateNonnegativeField(ru.partition ?? 0, 'spec.updateStrategy.rollingUpdate.partition'));
      if (ru.maxUnavailable !== undefined) {
        const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalidValue(p, ru.maxUnavailable, 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p));
      }
      break;
    }
    default:
      errs.push(invalidValue('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec?.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    errs.push(...validateRetention(retention.whenDeleted, 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted'));
    errs.push(...validateRetention(retention.whenScaled, 'spec.persistentVolumeClaimRetentionPolicy.whenScaled'));
  }
  errs.push(...validateNonnegativeField(spec?.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateNonnegativeField(spec?.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec?.ordinals) errs.push(...validateNonnegativeField(spec.ordinals.start ?? 0, 'spec.ordinals.start'));
  const sel = validateRequiredSelector(spec?.selector, 'spec.selector', 'statefulset');
  errs.push(...sel.errs);
  if (!sel.matcher) errs.push(invalidValue('spec.selector', spec?.selector ?? null, ''));
  else {
    errs.push(...selectorMismatch(sel.matcher, spec?.template, 'spec.template'));
    errs.push(...validateLabels(spec?.template?.metadata?.labels, 'spec.template.labels'));
    errs.push(...validateAnnotations(spec?.template?.metadata?.annotations, 'spec.template.annotations'));
  }
  errs.push(...validateRestartAlways(spec?.template, 'spec.template', 'StatefulSet'));
  return errs;
}

/** validateStatefulSet is upstream's ValidateStatefulSet (names are DNS labels: pods are named <set>-<ordinal>). */
export function validateStatefulSet(sts: StatefulSet): FieldError[] {
  return [...validateObjectMeta(sts.metadata, { namespaced: true, nameValidator: nameIsDNSLabel }), ...validateStatefulSetSpec(sts)];
}

const mutableFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;

/** validateStatefulSetUpdate allows changing only replicas, ordinals, template, updateStrategy, retention policy and minReadySeconds. */
export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sts.metadata, old.metadata), ...validateStatefulSetSpec(sts)];
  const next: Record<string, unknown> = { ...sts.spec };
  const prev: Record<string, unknown> = { ...old.spec };
  for (const f of mutableFields) {
    delete next[f];
    delete prev[f];
  }
  if (!semanticEqual(next, prev)) {
    errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}
