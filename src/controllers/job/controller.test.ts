import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { JobController } from './controller.ts';
import { startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { completionIndexKey, formatIndexes, jobTrackingFinalizer, parseIndexes } from './pods.ts';

describe('completed indexes', () => {
  const cases = [
    { name: 'empty', set: [] as number[], want: '' },
    { name: 'single', set: [3], want: '3' },
    { name: 'runs', set: [0, 1, 2, 5, 7, 8], want: '0-2,5,7-8' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(formatIndexes(new Set(c.set)), c.want);
      assert.deepEqual([...parseIndexes(c.want, 100)].sort((a, b) => a - b), c.set);
    });
  }
});

describe('JobController against a control plane', () => {
  let h: ControllerHarness;
  // The fake clock follows real time unless a test moves it ahead.
  let offset = 0;
  const liveClock = { now: () => Date.now() + offset, step: (ms: number) => { offset += ms; } };

  before(async () => {
    h = await startHarness(liveClock);
    h.run(new JobController(h.deps, { backoffBaseMs: 20, backoffMaxMs: 200 }));
  });
  after(async () => h.stop());

  const jobs = () => h.client.resource('batch/v1', 'jobs');
  const podsApi = () => h.client.resource('v1', 'pods');
  const getJob = async (name: string) => (await jobs().get('default', name)) as unknown as Job;
  async function jobPods(name: string): Promise<Pod[]> {
    const list = await podsApi().list('default', { labelSelector: `batch.kubernetes.io/job-name=${name}` });
    return list.items as unknown as Pod[];
  }
  async function createJob(name: string, spec: Partial<Job['spec']>): Promise<void> {
    await jobs().create({ metadata: { name, namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec } } as ApiObject);
  }
  async function setPhase(p: Pod, phase: 'Succeeded' | 'Failed', exitCode?: number): Promise<void> {
    const status: Record<string, unknown> = { phase };
    if (exitCode !== undefined) status.containerStatuses = [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: new Date().toISOString() } } }];
    await podsApi().patch('default', p.metadata?.name ?? '', 'merge', { status }, { subresource: 'status' });
  }
  const running = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
  const cond = (j: Job, type: string) => (j.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
  async function reasons(name: string): Promise<string[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
    return (list.items as unknown as Event[]).map((e) => e.reason ?? '');
  }

  it('runs completions 10 with parallelism 3 to Complete, replacing failed pods', async () => {
    await createJob('work', { completions: 10, parallelism: 3, backoffLimit: 6 });
    let failures = 0;
    const handled = new Set<string>();
    await waitFor('job complete', async () => {
      const j = await getJob('work');
      if (cond(j, 'Complete')) return j;
      const pods = await jobPods('work');
      const active = pods.filter(running);
      assert.ok(active.length <= 3, `at most 3 active pods, saw ${active.length}`);
      for (const p of active) {
        const n = p.metadata?.name ?? '';
        if (handled.has(n)) continue;
        handled.add(n);
        assert.ok(p.metadata?.finalizers?.includes(jobTrackingFinalizer));
        await setPhase(p, failures < 2 ? 'Failed' : 'Succeeded');
        failures++;
      }
      return undefined;
    }, 60_000);
    const j = await getJob('work');
    assert.equal(j.status?.succeeded, 10);
    assert.equal(j.status?.failed, 2);
    assert.equal(j.status?.active, 0);
    assert.ok(cond(j, 'SuccessCriteriaMet'));
    assert.equal(cond(j, 'Complete')?.reason, 'CompletionsReached');
    assert.ok(j.status?.completionTime && j.status.startTime);
    await waitFor('finalizers removed', async () => ((await jobPods('work')).every((p) => !p.metadata?.finalizers?.includes(jobTrackingFinalizer)) ? true : undefined));
    const r = await reasons('work');
    assert.ok(r.includes('SuccessfulCreate') && r.includes('Completed'), r.join(','));
  });

  it('fails the Job with BackoffLimitExceeded', async () => {
    await createJob('flaky', { backoffLimit: 1 });
    const failed = new Set<string>();
    const j = await waitFor('job failed', async () => {
      const job = await getJob('flaky');
      if (cond(job, 'Failed')) return job;
      for (const p of (await jobPods('flaky')).filter(running)) {
        if (failed.has(p.metadata?.name ?? '')) continue;
        failed.add(p.metadata?.name ?? '');
        await setPhase(p, 'Failed');
      }
      return undefined;
    });
    assert.equal(j.status?.failed, 2);
    assert.equal(cond(j, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(cond(j, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.ok((await reasons('flaky')).includes('BackoffLimitExceeded'));
  });

  it('runs an Indexed Job with one pod per index', async () => {
    await createJob('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed' });
    const j = await waitFor('indexed complete', async () => {
      const job = await getJob('idx');
      if (cond(job, 'Complete')) return job;
      const active = (await jobPods('idx')).filter(running);
      assert.ok(active.length <= 2);
      for (const p of active) {
        const idx = p.metadata?.annotations?.[completionIndexKey];
        assert.equal(p.metadata?.labels?.[completionIndexKey], idx);
        assert.equal(p.spec?.hostname, `idx-${idx}`);
        await setPhase(p, 'Succeeded');
      }
      return undefined;
    });
    assert.equal(j.status?.completedIndexes, '0-2');
    assert.equal(j.status?.succeeded, 3);
  });

  it('fails on a FailJob pod failure policy rule', async () => {
    await createJob('pfp', { backoffLimit: 5, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } });
    const p = await waitFor('pod', async () => (await jobPods('pfp')).find(running));
    await setPhase(p, 'Failed', 42);
    const j = await waitFor('failed', async () => { const job = await getJob('pfp'); return cond(job, 'Failed') ? job : undefined; });
    assert.equal(cond(j, 'Failed')?.reason, 'PodFailurePolicy');
    assert.match(cond(j, 'Failed')?.message ?? '', /failed with exit code 42 matching FailJob rule at index 0/);
  });

  it('fails with DeadlineExceeded once activeDeadlineSeconds pass', async () => {
    await createJob('slow', { activeDeadlineSeconds: 30 });
    await waitFor('pod', async () => (await jobPods('slow')).find(running));
    liveClock.step(60_000);
    // Any change to the Job requeues it; the controller then reads the moved clock.
    await jobs().patch('default', 'slow', 'merge', { metadata: { annotations: { poke: '1' } } });
    const j = await waitFor('deadline', async () => { const job = await getJob('slow'); return cond(job, 'Failed') ? job : undefined; });
    assert.equal(cond(j, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(j.status?.active, 0);
  });

  it('creates no pods while suspended', async () => {
    await createJob('sus', { suspend: true });
    const j = await waitFor('suspended', async () => { const job = await getJob('sus'); return cond(job, 'Suspended') ? job : undefined; });
    assert.equal(j.status?.startTime, undefined);
    assert.equal((await jobPods('sus')).length, 0);
    await jobs().patch('default', 'sus', 'merge', { spec: { suspend: false } });
    await waitFor('pod after resume', async () => (await jobPods('sus')).find(running));
  });

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    await createJob('ttl', { ttlSecondsAfterFinished: 0 });
    const p = await waitFor('pod', async () => (await jobPods('ttl')).find(running));
    await setPhase(p, 'Succeeded');
    await waitFor('job deleted', async () => {
      try {
        await getJob('ttl');
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
