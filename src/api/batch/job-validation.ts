import type { Job, JobSpec, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, indexPath, invalidValue, notSupported, required, tooMany } from '../validation/field.ts';
import { labelSelectorAsMatcher, selectorMatches, validateLabelSelector } from '../validation/label-selector.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { validatePodTemplateSpec } from '../core/index.ts';
import { controllerUidLabel, jobNameLabel, legacyControllerUidLabel, legacyJobNameLabel } from './defaults.ts';

// Job validation (ValidateJob, ValidateJobUpdate and the job-spec rules CronJob templates share).

function validateHasLabel(meta: ObjectMeta | undefined, path: string, key: string, expected: string): FieldError[] {
  const labels = meta?.labels ?? {};
  const p = `${childPath(path, 'labels')}[${key}]`;
  if (!Object.hasOwn(labels, key)) return [required(p, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [invalidValue(p, labels, `must be '${expected}'`)];
}

function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec;
  if (spec?.manualSelector === true || !spec?.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  const tmeta = spec.template?.metadata;
  errs.push(...validateHasLabel(tmeta, 'spec.template.metadata', legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(tmeta, 'spec.template.metadata', legacyJobNameLabel, name));
  errs.push(...validateHasLabel(tmeta, 'spec.template.metadata', controllerUidLabel, uid));
  errs.push(...validateHasLabel(tmeta, 'spec.template.metadata', jobNameLabel, name));
  const m = labelSelectorAsMatcher(spec.selector);
  const expected = { [controllerUidLabel]: uid, [jobNameLabel]: name, [legacyControllerUidLabel]: uid, [legacyJobNameLabel]: name };
  if (!('error' in m) && !selectorMatches(m, expected)) errs.push(invalidValue('spec.selector', spec.selector, '`selector` not auto-generated'));
  return errs;
}

function validatePodFailureRule(spec: JobSpec, rule: PodFailurePolicyRule, path: string, containers: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
  if (!rule.action) errs.push(required(childPath(path, 'action'), `valid values: [${actions.map((a) => JSON.stringify(a)).join(' ')}]`));
  else if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) errs.push(invalidValue(childPath(path, 'action'), rule.action, 'requires the backoffLimitPerIndex to be set'));
  else if (!actions.includes(rule.action)) errs.push(notSupported(childPath(path, 'action'), rule.action, actions));
  const codes = rule.onExitCodes;
  if (codes) {
    const cp = childPath(path, 'onExitCodes');
    if (!codes.operator) errs.push(required(childPath(cp, 'operator'), 'valid values: ["In" "NotIn"]'));
    else if (!['In', 'NotIn'].includes(codes.operator)) errs.push(notSupported(childPath(cp, 'operator'), codes.operator, ['In', 'NotIn']));
    if (codes.containerName !== undefined && !containers.has(codes.containerName)) {
      errs.push(invalidValue(childPath(cp, 'containerName'), codes.containerName, 'must be one of the container or initContainer names in the pod template'));
    }
    const values = codes.values ?? [];
    if (values.length === 0) errs.push(invalidValue(childPath(cp, 'values'), values, 'at least one value is required'));
    else if (values.length > 255) errs.push(tooMany(childPath(cp, 'values'), values.length, 255));
    values.forEach((v, i) => {
      if (codes.operator === 'In' && v === 0) errs.push(invalidValue(indexPath(childPath(cp, 'values'), i), v, 'must not be 0 for the In operator'));
    });
    if (values.some((v, i) => i > 0 && (values[i - 1] ?? 0) > v)) errs.push(invalidValue(childPath(cp, 'values'), values, 'must be ordered'));
  }
  const conds = rule.onPodConditions ?? [];
  if (codes && conds.length > 0) errs.push(invalidValue(path, null, 'specifying both OnExitCodes and OnPodConditions is not supported'));
  if (!codes && conds.length === 0) errs.push(invalidValue(path, null, 'specifying one of OnExitCodes and OnPodConditions is required'));
  return errs;
}

/** validateJobSpecCommon is upstream's validateJobSpec: counts, completion mode, policies, and an OnFailure/Never template. */
export function validateJobSpecCommon(spec: JobSpec | undefined, path: string): FieldError[] {
  const s: JobSpec = spec ?? { template: {} };
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    if (s[f] !== undefined) errs.push(...validateNonnegativeField(s[f], childPath(path, f)));
  }
  if (s.maxFailedIndexes !== undefined && s.backoffLimitPerIndex === undefined) errs.push(required(childPath(path, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  const mode = s.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(childPath(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (s.completions === undefined) errs.push(required(childPath(path, 'completions'), 'when completion mode is Indexed'));
    if ((s.parallelism ?? 0) > 100000) errs.push(invalidValue(childPath(path, 'parallelism'), s.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
    if (s.completions !== undefined && s.maxFailedIndexes !== undefined && s.maxFailedIndexes > s.completions) errs.push(invalidValue(childPath(path, 'maxFailedIndexes'), s.maxFailedIndexes, 'must be less than or equal to completions'));
  } else {
    if (s.backoffLimitPerIndex !== undefined) errs.push(invalidValue(childPath(path, 'backoffLimitPerIndex'), s.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (s.maxFailedIndexes !== undefined) errs.push(invalidValue(childPath(path, 'maxFailedIndexes'), s.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (s.podFailurePolicy) {
    const rules = s.podFailurePolicy.rules ?? [];
    const rp = childPath(path, 'podFailurePolicy', 'rules');
    if (rules.length > 20) errs.push(tooMany(rp, rules.length, 20));
    const containers = new Set([...(s.template?.spec?.containers ?? []), ...(s.template?.spec?.initContainers ?? [])].map((c) => c.name));
    rules.forEach((r, i) => errs.push(...validatePodFailureRule(s, r, indexPath(rp, i), containers)));
  }
  if (s.successPolicy && mode !== 'Indexed') errs.push(invalidValue(childPath(path, 'successPolicy'), s.successPolicy, 'requires indexed completion mode'));
  if (s.podReplacementPolicy !== undefined) {
    const allowed = s.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(s.podReplacementPolicy)) errs.push(notSupported(childPath(path, 'podReplacementPolicy'), s.podReplacementPolicy, allowed));
  }
  errs.push(...validatePodTemplateSpec(s.template, childPath(path, 'template')));
  const policy = s.template?.spec?.restartPolicy ?? '';
  const rpPath = childPath(path, 'template', 'spec', 'restartPolicy');
  if (policy === 'Always' || policy === '') errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (policy !== 'OnFailure' && policy !== 'Never') errs.push(notSupported(rpPath, policy, ['OnFailure', 'Never']));
  else if (s.podFailurePolicy && policy !== 'Never') errs.push(invalidValue(rpPath, policy, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(spec: JobSpec | undefined, path: string): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!spec?.selector) errs.push(required(childPath(path, 'selector')));
  else errs.push(...validateLabelSelector(spec.selector, childPath(path, 'selector')));
  const m = labelSelectorAsMatcher(spec?.selector);
  if (!('error' in m) && !selectorMatches(m, spec?.template?.metadata?.labels)) {
    errs.push(invalidValue(childPath(path, 'template', 'metadata', 'labels'), spec?.template?.metadata?.labels ?? null, '`selector` does not match template `labels`'));
  }
  return errs;
}

/** validateJob is upstream's ValidateJob (expects the selector generated, unless manualSelector is true). */
export function validateJob(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSpec(job.spec, 'spec'));
  const completions = job.spec?.completions;
  if (job.spec?.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const host = `${job.metadata?.name ?? ''}-${completions - 1}`;
    if (isDNS1123Label(host).length > 0) errs.push(invalidValue('metadata.name', job.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
  }
  return errs;
}

/** validateJobUpdate is upstream's ValidateJobUpdate: selector, template and most policies are fixed. */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJobSpec(job.spec, 'spec')];
  const spec = job.spec;
  const prev = old.spec;
  // Indexed jobs may change completions together with parallelism (elastic indexed jobs).
  if (spec?.completionMode === 'Indexed' && spec.completions !== undefined && spec.completions !== prev?.completions) {
    if (spec.completions !== spec.parallelism) errs.push(invalidValue('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  } else {
    errs.push(...validateImmutableField(spec?.completions, prev?.completions, 'spec.completions'));
  }
  errs.push(...validateImmutableField(spec?.selector, prev?.selector, 'spec.selector'));
  // A suspended job that never started may still change where its pods will run.
  const oldTemplate = structuredClone(prev?.template ?? {});
  if (prev?.suspend === true && !old.status?.startTime) {
    const t = spec?.template;
    if (oldTemplate.spec && t?.spec) {
      oldTemplate.spec.nodeSelector = t.spec.nodeSelector;
      oldTemplate.spec.tolerations = t.spec.tolerations;
      oldTemplate.spec.affinity = t.spec.affinity;
      oldTemplate.spec.schedulingGates = t.spec.schedulingGates;
    }
    oldTemplate.metadata = { ...oldTemplate.metadata, labels: t?.metadata?.labels, annotations: t?.metadata?.annotations };
  }
  errs.push(...validateImmutableField(spec?.template, oldTemplate, 'spec.template'));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    errs.push(...validateImmutableField(spec?.[f], prev?.[f], `spec.${f}`));
  }
  return errs;
}
