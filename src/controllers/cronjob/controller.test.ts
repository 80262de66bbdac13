import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { CronJobController, scheduledTimestampAnnotation } from './controller.ts';

describe('CronJobController against a control plane', () => {
  let h: ControllerHarness;
  let ctrl: CronJobController;
  const clock = new FakeClock();

  before(async () => {
    h = await startHarness(clock);
    ctrl = new CronJobController(h.deps);
    h.run(ctrl);
  });
  after(async () => h.stop());

  const cronJobs = () => h.client.resource('batch/v1', 'cronjobs');
  const jobsApi = () => h.client.resource('batch/v1', 'jobs');
  const getCronJob = async (name: string) => (await cronJobs().get('default', name)) as unknown as CronJob;
  async function ownedJobs(cj: string): Promise<Job[]> {
    const list = await jobsApi().list('default');
    return (list.items as unknown as Job[]).filter((j) => j.metadata?.ownerReferences?.some((r) => r.name === cj) && !j.metadata?.deletionTimestamp);
  }
  async function reasons(name: string): Promise<string[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
    return (list.items as unknown as Event[]).map((e) => e.reason ?? '');
  }
  async function createCronJob(name: string, spec: Partial<CronJob['spec']>): Promise<void> {
    const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
    await cronJobs().create({ metadata: { name, namespace: 'default' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } }, ...spec } } as ApiObject);
    const created = await waitFor('cronjob cached', async () => { const c = await getCronJob(name); return c.metadata?.uid ? c : undefined; });
    // Schedules count from the server's creationTimestamp (the real clock): a fake clock left behind it (a slow start
    // on a loaded machine) would never reach the next start time.
    const behind = Date.parse(created.metadata?.creationTimestamp ?? '') + 1_000 - clock.now();
    if (behind > 0) clock.step(behind);
  }
  // tick moves the clock a minute on and asks the controller to look again, as its requeue timer would.
  function tick(name: string): void {
    clock.step(60_000);
    ctrl.queue.add(`default/${name}`);
  }
  async function complete(job: Job): Promise<void> {
    const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = [
      { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now, lastTransitionTime: now },
      { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now, lastTransitionTime: now },
    ];
    await jobsApi().patch('default', job.metadata?.name ?? '', 'merge', { status: { startTime: now, completionTime: now, succeeded: 1, conditions } }, { subresource: 'status' });
  }

  it('creates a Job when the schedule fires and honours Forbid', async () => {
    await createCronJob('nightly', { concurrencyPolicy: 'Forbid' });
    tick('nightly');
    const [first] = await waitFor('first job', async () => { const js = await ownedJobs('nightly'); return js.length ? js : undefined; });
    assert.ok(first);
    const scheduled = Date.parse(first.metadata?.annotations?.[scheduledTimestampAnnotation] ?? '');
    assert.equal(first.metadata?.name, `nightly-${scheduled / 60_000}`);
    const cj = await waitFor('active recorded', async () => { const c = await getCronJob('nightly'); return c.status?.active?.length ? c : undefined; });
    assert.equal(cj.status?.active?.[0]?.name, first.metadata?.name);
    assert.equal(Date.parse(cj.status?.lastScheduleTime ?? ''), scheduled);

    tick('nightly');
    await waitFor('forbid event', async () => ((await reasons('nightly')).includes('JobAlreadyActive') ? true : undefined));
    assert.equal((await ownedJobs('nightly')).length, 1);

    await complete(first);
    // The start Forbid held back is still due, so it runs as soon as the first Job is seen complete.
    const done = await waitFor('completed seen', async () => {
      const c = await getCronJob('nightly');
      return c.status?.lastSuccessfulTime && c.status.active?.length === 1 && c.status.active[0]?.name !== first.metadata?.name ? c : undefined;
    });
    assert.ok(done.status?.lastSuccessfulTime);
    assert.equal((await ownedJobs('nightly')).length, 2);
    const r = await reasons('nightly');
    assert.ok(r.includes('SuccessfulCreate') && r.includes('SawCompletedJob'), r.join(','));
  });

  it('replaces the running Job under Replace and prunes history', async () => {
    // Earlier tests moved the fake clock past the API server's creationTimestamp, so a new CronJob may start a Job for
    // a missed minute at once: each step waits for the Job of the clock's own minute.
    const jobOfThisMinute = () => `rep-${Math.floor(clock.now() / 60_000)}`;
    const activeIs = async (name: string) => ((await getCronJob('rep')).status?.active ?? []).map((a) => a.name).join() === name;
    await createCronJob('rep', { concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 0 });
    tick('rep');
    const first = jobOfThisMinute();
    await waitFor('the first Job active', async () => ((await activeIs(first)) ? true : undefined));
    tick('rep');
    const second = jobOfThisMinute();
    await waitFor('the first Job replaced by the second', async () => {
      const names = (await ownedJobs('rep')).map((j) => j.metadata?.name).join();
      return names === second && (await activeIs(second)) ? true : undefined;
    });
    await complete((await jobsApi().get('default', second)) as unknown as Job);
    await waitFor('history pruned', async () => ((await ownedJobs('rep')).length === 0 ? true : undefined));
    const r = await reasons('rep');
    assert.ok(r.includes('SuccessfulDelete') && r.includes('SawCompletedJob'), r.join(','));
  });

  it('creates nothing while suspended', async () => {
    await createCronJob('paused', { suspend: true });
    tick('paused');
    tick('paused');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await ownedJobs('paused')).length, 0);
  });

  it('skips a start missed by more than startingDeadlineSeconds, and runs one within it', async () => {
    await createCronJob('late', { startingDeadlineSeconds: 10, schedule: '@hourly' });
    clock.step(2 * 3_600_000);
    ctrl.queue.add('default/late');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await ownedJobs('late')).length, 0);
    // Five seconds after the next full hour the start is within the deadline.
    clock.step(3_600_000 - (clock.now() % 3_600_000) + 5_000);
    ctrl.queue.add('default/late');
    const [job] = await waitFor('job within deadline', async () => { const js = await ownedJobs('late'); return js.length ? js : undefined; });
    assert.equal(Date.parse(job?.metadata?.annotations?.[scheduledTimestampAnnotation] ?? '') % 3_600_000, 0);
  });
});
