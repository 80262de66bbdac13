import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultCronJob, defaultJob, generateJobSelector } from './defaults.ts';
import { validateJob, validateJobUpdate } from './job-validation.ts';
import { validateCronJob } from './cronjob-validation.ts';
import { cronScheduleError } from './cron.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);
const podTemplate = (restartPolicy = 'Never') => ({ spec: { restartPolicy, containers: [{ name: 'pi', image: 'perl' }] } });

function newJob(spec: Partial<JobSpec> = {}, name = 'pi'): Job {
  const job: Job = { metadata: { name, namespace: 'default', uid: 'u-1', resourceVersion: '1' }, spec: { template: podTemplate(), ...spec } };
  defaultJob(job);
  generateJobSelector(job);
  return job;
}

describe('defaultJob', () => {
  it('matches upstream for a minimal job', () => {
    const job = newJob();
    const { template, ...rest } = job.spec ?? { template: {} };
    assert.deepEqual(rest, {
      backoffLimit: 6, completionMode: 'NonIndexed', completions: 1, manualSelector: false, parallelism: 1, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } }, suspend: false,
    });
    const generated = { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' };
    assert.deepEqual(template.metadata?.labels, generated);
    assert.deepEqual(job.metadata?.labels, generated);
  });
  it('only parallelism set leaves completions unset', () => {
    const job = newJob({ parallelism: 3 });
    assert.equal(job.spec?.completions, undefined);
    assert.equal(job.spec?.parallelism, 3);
  });
  it('defaults a CronJob', () => {
    const cj: CronJob = { metadata: { name: 'c', namespace: 'default' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } } } };
    defaultCronJob(cj);
    assert.equal(cj.spec?.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec?.suspend, false);
    assert.equal(cj.spec?.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec?.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec?.jobTemplate.spec?.backoffLimit, undefined);
    assert.equal(cj.spec?.jobTemplate.spec?.template.spec?.dnsPolicy, 'ClusterFirst');
  });
});

describe('validateJob', () => {
  const cases: { name: string; job: Job; want: string[] }[] = [
    { name: 'valid', job: newJob(), want: [] },
    { name: 'restart policy Always', job: newJob({ template: podTemplate('Always') }), want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'] },
    { name: 'negative parallelism', job: newJob({ parallelism: -1 }), want: ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0'] },
    { name: 'indexed without completions', job: newJob({ completionMode: 'Indexed', parallelism: 2 }), want: ['spec.completions: Required value: when completion mode is Indexed'] },
    { name: 'bad completion mode', job: newJob({ completionMode: 'Sometimes' }), want: ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'] },
    {
      name: 'manual selector mismatch', job: newJob({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }),
      want: ['spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateJob(c.job)), c.want));
  it('template is immutable', () => {
    const old = newJob();
    const next = structuredClone(old);
    if (next.spec?.template.spec?.containers[0]) next.spec.template.spec.containers[0].image = 'perl:2';
    const errs = fmt(validateJobUpdate(next, old));
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec.template: Invalid value: {') && errs[0].endsWith('}: field is immutable'));
  });
  it('a suspended job may change its node selector', () => {
    const old = newJob({ suspend: true });
    const next = structuredClone(old);
    if (next.spec?.template.spec) next.spec.template.spec.nodeSelector = { zone: 'a' };
    assert.deepEqual(validateJobUpdate(next, old), []);
  });
});

describe('CronJob', () => {
  const newCronJob = (schedule: string, name = 'hello'): CronJob => {
    const cj: CronJob = { metadata: { name, namespace: 'default' }, spec: { schedule, jobTemplate: { spec: { template: podTemplate('OnFailure') } } } };
    defaultCronJob(cj);
    return cj;
  };
  const cases: { name: string; cj: CronJob; want: string[] }[] = [
    { name: 'valid', cj: newCronJob('*/1 * * * *'), want: [] },
    { name: 'descriptor', cj: newCronJob('@hourly'), want: [] },
    { name: 'empty schedule', cj: newCronJob(''), want: ['spec.schedule: Required value'] },
    { name: 'four fields', cj: newCronJob('* * * *'), want: ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'] },
    { name: 'TZ in schedule', cj: newCronJob('TZ=UTC 0 * * * *'), want: ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'] },
    { name: 'long name', cj: newCronJob('@daily', 'a'.repeat(53)), want: [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateCronJob(c.cj)), c.want));
  it('rejects bad concurrency policy and template selector', () => {
    const cj = newCronJob('@daily');
    if (cj.spec) {
      cj.spec.concurrencyPolicy = 'Sometimes';
      cj.spec.jobTemplate.spec = { ...cj.spec.jobTemplate.spec, template: cj.spec.jobTemplate.spec?.template ?? {}, selector: { matchLabels: { a: 'b' } } };
    }
    assert.deepEqual(fmt(validateCronJob(cj)), [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
    ]);
  });
});

describe('cronScheduleError', () => {
  const cases: { spec: string; want: string | undefined }[] = [
    { spec: '0 0 * * 0', want: undefined },
    { spec: '0 0 1 jan MON-FRI', want: undefined },
    { spec: '*/15 0-6,22-23 ? * *', want: undefined },
    { spec: '@every 1h30m', want: undefined },
    { spec: '@every 5x', want: 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"' },
    { spec: '@fortnightly', want: 'unrecognized descriptor: @fortnightly' },
    { spec: '60 * * * *', want: 'end of range (60) above maximum (59): 60' },
    { spec: '* * 0 * *', want: 'beginning of range (0) below minimum (1): 0' },
    { spec: '5-1 * * * *', want: 'beginning of range (5) beyond end of range (1): 5-1' },
    { spec: '*/0 * * * *', want: 'step of range should be a positive number: */0' },
    { spec: 'x * * * *', want: 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax' },
    { spec: '1-2-3 * * * *', want: 'too many hyphens: 1-2-3' },
    { spec: '', want: 'empty spec string' },
  ];
  for (const c of cases) it(JSON.stringify(c.spec), () => assert.equal(cronScheduleError(c.spec), c.want));
});
