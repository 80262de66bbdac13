import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { typedDefaulter, typedValidator, type GroupRegistry } from '../validation/registry.ts';
import { defaultCronJob, defaultJob } from './defaults.ts';
import { validateJob, validateJobUpdate } from './job-validation.ts';
import { validateCronJob, validateCronJobUpdate } from './cronjob-validation.ts';

// The batch API group: Jobs and CronJobs.

export { defaultJob, defaultCronJob, generateJobSelector, controllerUidLabel, jobNameLabel, legacyControllerUidLabel, legacyJobNameLabel } from './defaults.ts';
export { validateJob, validateJobUpdate, validateJobSpecCommon } from './job-validation.ts';
export { validateCronJob, validateCronJobUpdate } from './cronjob-validation.ts';
export { cronScheduleError, isValidTimeZone } from './cron.ts';

/** group is the API group these tables serve. */
export const group = 'batch';

/** defaults maps each batch kind to its SetDefaults function. */
export const defaults: GroupRegistry['defaults'] = {
  Job: typedDefaulter<Job>(defaultJob),
  CronJob: typedDefaulter<CronJob>(defaultCronJob),
};

/** validators maps each batch kind to its create and update validation. */
export const validators: GroupRegistry['validators'] = {
  Job: typedValidator<Job>(validateJob, validateJobUpdate),
  CronJob: typedValidator<CronJob>(validateCronJob, validateCronJobUpdate),
};
