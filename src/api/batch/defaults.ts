import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { defaultPodTemplateSpec } from '../core/index.ts';

// batch/v1 defaulting (SetDefaults_Job, SetDefaults_CronJob) and the Job strategy's selector generation.

/** controllerUidLabel and jobNameLabel are the labels a generated Job selector relies on (with their legacy twins). */
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
/** jobNameLabel names the job on its pods. */
export const jobNameLabel = 'batch.kubernetes.io/job-name';
/** legacyControllerUidLabel is the unprefixed controller-uid label still set for compatibility. */
export const legacyControllerUidLabel = 'controller-uid';
/** legacyJobNameLabel is the unprefixed job-name label still set for compatibility. */
export const legacyJobNameLabel = 'job-name';

/** defaultJob: completions/parallelism 1, backoffLimit 6, NonIndexed, suspend false, podReplacementPolicy, manualSelector false. */
export function defaultJob(job: Job): void {
  const spec = (job.spec ??= { template: {} });
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata?.labels ?? {}).length === 0) (job.metadata ??= {}).labels = { ...labels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule.onPodConditions ?? []) if (!p.status) p.status = 'True';
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplateSpec(spec.template);
}

/** defaultCronJob: concurrencyPolicy Allow, suspend false, history limits 3 and 1, and the job template's pod defaults. */
export function defaultCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= { schedule: '', jobTemplate: {} });
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplateSpec(spec.jobTemplate?.spec?.template);
}

/**
 * generateJobSelector is the Job strategy's create step when manualSelector is not true: it labels the template with
 * the job's name and uid and selects on the uid. The object must already have its uid.
 */
export function generateJobSelector(job: Job): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true) return;
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  // Labels the user already set win; validation then reports any conflict.
  for (const key of [legacyJobNameLabel, jobNameLabel]) if (!Object.hasOwn(labels, key)) labels[key] = name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) if (!Object.hasOwn(labels, key)) labels[key] = uid;
  const matchLabels = ((spec.selector ??= {}).matchLabels ??= {});
  if (!Object.hasOwn(matchLabels, controllerUidLabel)) matchLabels[controllerUidLabel] = uid;
  // Upstream re-applies defaults whenever it decodes the stored Job, so an unlabelled Job shows the generated
  // template labels as its own from the first read; copying them now gives the same result.
  if (Object.keys(job.metadata?.labels ?? {}).length === 0) (job.metadata ??= {}).labels = { ...labels };
}
