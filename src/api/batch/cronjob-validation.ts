import type { CronJob, CronJobSpec } from 'kubernetes-types/batch/v1.js';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../validation/field.ts';
import { nameIsDNSSubdomain, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { cronScheduleError, isValidTimeZone } from './cron.ts';
import { validateJobSpecCommon } from './job-validation.ts';

// CronJob validation (ValidateCronJobCreate, ValidateCronJobUpdate).

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];

function validateTimeZone(tz: string | undefined): FieldError[] {
  if (tz === undefined) return [];
  if (tz === '') return [invalidValue('spec.timeZone', tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return [invalidValue('spec.timeZone', tz, `unknown time zone ${tz}`)];
  }
  if (tz.toLowerCase() === 'local') return [invalidValue('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  return isValidTimeZone(tz) ? [] : [invalidValue('spec.timeZone', tz, `unknown time zone ${tz}`)];
}

function validateCronJobSpec(spec: CronJobSpec | undefined, oldSpec: CronJobSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = spec?.schedule ?? '';
  if (!schedule) errs.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalidValue('spec.schedule', schedule, err));
    // Existing objects that already used TZ in their schedule keep being accepted.
    const allowTZ = oldSpec?.schedule?.includes('TZ') ?? false;
    if (allowTZ && schedule.includes('TZ') && spec?.timeZone !== undefined) errs.push(invalidValue('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) errs.push(invalidValue('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  if (spec?.startingDeadlineSeconds !== undefined) errs.push(...validateNonnegativeField(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || oldSpec.timeZone !== spec?.timeZone) errs.push(...validateTimeZone(spec?.timeZone));
  const cp = spec?.concurrencyPolicy ?? '';
  if (!cp) errs.push(required('spec.concurrencyPolicy'));
  else if (!concurrencyPolicies.includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, concurrencyPolicies));
  const jobSpec = spec?.jobTemplate?.spec;
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec?.selector) errs.push(invalidValue('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'));
  if (jobSpec?.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) {
    if (spec?.[f] !== undefined) errs.push(...validateNonnegativeField(spec[f], `spec.${f}`));
  }
  return errs;
}

/** validateCronJob is upstream's ValidateCronJobCreate, including the 52-character name limit (jobs get an 11-character suffix). */
export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  errs.push(...validateCronJobSpec(cj.spec, undefined));
  const name = cj.metadata?.name ?? '';
  if (name.length > 52) errs.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

/** validateCronJobUpdate is upstream's ValidateCronJobUpdate (no name-length rule, so old long names stay updatable). */
export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj.spec, old.spec)];
}
