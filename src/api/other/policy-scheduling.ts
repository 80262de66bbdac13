import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../validation/int-or-percent.ts';

// policy/v1 PodDisruptionBudget, scheduling.k8s.io/v1 PriorityClass and coordination.k8s.io/v1 Lease.

/** validatePodDisruptionBudget is upstream's ValidatePodDisruptionBudget (the spec stays mutable on update). */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const errs = validateObjectMeta(pdb.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    if (spec[f] === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`), ...isNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !['AlwaysAllow', 'IfHealthyBudget'].includes(policy)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  return errs;
}

/** validatePodDisruptionBudgetUpdate re-validates after the metadata update rules. */
export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudget, old: PodDisruptionBudget): FieldError[] {
  return [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validatePodDisruptionBudget(pdb)];
}

/** defaultPriorityClass sets preemptionPolicy PreemptLowerPriority. */
export function defaultPriorityClass(pc: PriorityClass): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

const systemClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
const highestUserPriority = 1000000000;

/** validatePriorityClass is upstream's ValidatePriorityClass: "system-" names are reserved, user values capped at 1e9. */
export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, { namespaced: false, nameValidator: nameIsDNSSubdomain });
  const name = pc.metadata?.name ?? '';
  if (name.startsWith('system-')) {
    const known = systemClasses[name];
    const problem = known === undefined ? `${name} is not a known system priority class`
      : pc.value !== known ? `value of ${name} PriorityClass must be ${known}`
        : pc.globalDefault ? `globalDefault of ${name} PriorityClass must be false` : undefined;
    if (problem) errs.push(forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
  } else if (pc.value > highestUserPriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserPriority}`));
  }
  if (pc.preemptionPolicy !== undefined) {
    if (!pc.preemptionPolicy) errs.push(required('preemptionPolicy'));
    else if (!['PreemptLowerPriority', 'Never'].includes(pc.preemptionPolicy)) errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

/** validatePriorityClassUpdate: value and preemptionPolicy never change. */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  return [...errs, ...validateImmutableField(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy')];
}

/** validateLease is upstream's ValidateLease: a positive duration and non-negative transition count. */
export function validateLease(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (spec.leaseTransitions !== undefined) errs.push(...validateNonnegativeField(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}

/** validateLeaseUpdate re-validates after the metadata update rules. */
export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateLease(lease)];
}
