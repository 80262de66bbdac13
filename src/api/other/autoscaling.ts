import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricTarget } from 'kubernetes-types/autoscaling/v2.js';
import type { HorizontalPodAutoscaler as HorizontalPodAutoscalerV1 } from 'kubernetes-types/autoscaling/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { isValidPathSegmentName } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { parseQuantity } from '../validation/quantity.ts';

// autoscaling HorizontalPodAutoscaler: v2 defaults and validation (v1 objects only need their own defaults).

const scaleUpDefaults = (): HPAScalingRules => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
const scaleDownDefaults = (): HPAScalingRules => ({ stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function fillRules(rules: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (!rules) return defaults;
  return {
    ...rules,
    stabilizationWindowSeconds: rules.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: rules.selectPolicy ?? defaults.selectPolicy,
    policies: rules.policies ?? defaults.policies,
  };
}

/** defaultHorizontalPodAutoscaler (v2): minReplicas 1, an 80% CPU metric when none, and behavior rules filled in when behavior is set. */
export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } });
  spec.minReplicas ??= 1;
  if ((spec.metrics ?? []).length === 0) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

/** defaultHorizontalPodAutoscalerV1 (autoscaling/v1): minReplicas 1. */
export function defaultHorizontalPodAutoscalerV1(hpa: HorizontalPodAutoscalerV1): void {
  if (hpa.spec) hpa.spec.minReplicas ??= 1;
}

function validateTarget(t: MetricTarget | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type ?? '';
  if (!type) errs.push(required(childPath(path, 'type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(invalidValue(childPath(path, 'type'), type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue'] as const) {
    const raw = t?.[f];
    if (raw === undefined) continue;
    const q = parseQuantity(raw);
    if (!q.ok) errs.push(invalidValue(childPath(path, f), raw, q.error));
    else if (q.quantity.nanos <= 0n) errs.push(invalidValue(childPath(path, f), raw, 'must be positive'));
  }
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) errs.push(invalidValue(childPath(path, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  return errs;
}

const sourceFields: Record<string, keyof MetricSpec> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function validateMetric(m: MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.type) errs.push(required(childPath(path, 'type'), 'must specify a metric source type'));
  if (!metricTypes.includes(m.type)) errs.push(notSupported(childPath(path, 'type'), m.type ?? '', metricTypes));
  const present = Object.values(sourceFields).filter((f) => m[f] !== undefined);
  for (const f of ['resource', 'containerResource'] as const) {
    const src = m[f];
    if (!src || present.length !== 1) continue;
    const sp = childPath(path, f);
    if (!src.name) errs.push(required(childPath(sp, 'name'), 'must specify a resource name'));
    errs.push(...validateTarget(src.target, childPath(sp, 'target')));
    if (src.target?.averageUtilization === undefined && src.target?.averageValue === undefined) errs.push(required(childPath(sp, 'target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
    if (src.target?.averageUtilization !== undefined && src.target.averageValue !== undefined) errs.push(forbidden(childPath(sp, 'target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
  }
  const expected = sourceFields[m.type];
  if (expected === undefined) errs.push(notSupported(childPath(path, 'type'), m.type ?? '', metricTypes));
  else if (m[expected] === undefined) errs.push(required(childPath(path, expected), 'must populate information for the given metric source'));
  if (present.length !== 1) for (const f of present.filter((p) => p !== expected)) errs.push(forbidden(childPath(path, f), 'must populate the given metric source only'));
  return errs;
}

function validateRules(rules: HPAScalingRules | undefined, path: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && window < 0) errs.push(invalidValue(childPath(path, 'stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (window !== undefined && window > 3600) errs.push(invalidValue(childPath(path, 'stabilizationWindowSeconds'), window, 'must be less than or equal to 3600'));
  if (rules.selectPolicy !== undefined && !['Disabled', 'Max', 'Min'].includes(rules.selectPolicy)) errs.push(notSupported(childPath(path, 'selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  const policies = rules.policies ?? [];
  if (policies.length === 0) errs.push(required(childPath(path, 'policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = indexPath(childPath(path, 'policies'), i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(childPath(pp, 'type'), p.type ?? '', ['Percent', 'Pods']));
    if (!(p.value > 0)) errs.push(invalidValue(childPath(pp, 'value'), p.value ?? 0, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(invalidValue(childPath(pp, 'periodSeconds'), p.periodSeconds ?? 0, 'must be greater than zero'));
    if (p.periodSeconds > 1800) errs.push(invalidValue(childPath(pp, 'periodSeconds'), p.periodSeconds, 'must be less than or equal to 1800'));
  });
  return errs;
}

/** validateHorizontalPodAutoscaler is upstream's ValidateHorizontalPodAutoscaler (v2 fields). */
export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  const errs = validateObjectMeta(hpa.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const spec = hpa.spec;
  const min = spec?.minReplicas;
  const max = spec?.maxReplicas ?? 0;
  if (min !== undefined && min < 1) errs.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const ref = spec?.scaleTargetRef;
  if (!ref?.kind) errs.push(required('spec.scaleTargetRef.kind'));
  else errs.push(...invalidEach('spec.scaleTargetRef.kind', ref.kind, isValidPathSegmentName(ref.kind)));
  if (!ref?.name) errs.push(required('spec.scaleTargetRef.name'));
  else errs.push(...invalidEach('spec.scaleTargetRef.name', ref.name, isValidPathSegmentName(ref.name)));
  (spec?.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, indexPath('spec.metrics', i))));
  errs.push(...validateRules(spec?.behavior?.scaleUp, 'spec.behavior.scaleUp'));
  errs.push(...validateRules(spec?.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

/** validateHorizontalPodAutoscalerUpdate re-validates after the metadata update rules. */
export function validateHorizontalPodAutoscalerUpdate(hpa: HorizontalPodAutoscaler, old: HorizontalPodAutoscaler): FieldError[] {
  return [...validateObjectMetaUpdate(hpa.metadata, old.metadata), ...validateHorizontalPodAutoscaler(hpa)];
}
