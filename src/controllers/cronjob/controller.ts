import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isValidTimeZone } from '../../api/batch/index.ts';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { LastWrites } from '../last-writes.ts';
import { formatInZone, jobNameFor, mostRecentScheduleTime, nextRequeueMs, parseSchedule } from './schedule.ts';

/** scheduledTimestampAnnotation records on a Job the time it was scheduled for. */
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type CronJobObj = CronJob & ApiObject;
type JobObj = Job & ApiObject;

/** CronJobController creates Jobs on a CronJob's schedule (upstream's cronjob ControllerV2): concurrency policy, starting deadline, history limits and status. */
export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  #cronJobs!: Informer<CronJobObj>;
  #jobs!: Informer<JobObj>;
  /** written holds each CronJob's last status write until the cache has caught up with it. */
  readonly #written = new LastWrites();

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#recorder = deps.recorder('cronjob-controller');
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#cronJobs = this.#deps.informers.informer<CronJobObj>('batch/v1', 'cronjobs');
    this.#jobs = this.#deps.informers.informer<JobObj>('batch/v1', 'jobs', { indexers: { cronjob: (j) => { const k = cronJobKeyOf(j); return k ? [k] : []; } } });
    const enqueue = (o: ApiObject): void => this.queue.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    this.#cronJobs.addHandler({ onAdd: enqueue, onUpdate: (_o, cj) => enqueue(cj), onDelete: enqueue });
    const enqueueOwner = (j: JobObj): void => {
      const k = cronJobKeyOf(j);
      if (k) this.queue.add(k);
    };
    this.#jobs.addHandler({ onAdd: enqueueOwner, onUpdate: (_o, j) => enqueueOwner(j), onDelete: enqueueOwner });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#cronJobs.synced, this.#jobs.synced]);
    await runWorkers(this.queue, 2, (k) => this.reconcile(k), (k, err) => this.#deps.log(`cronjob ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one CronJob: it tracks its Jobs, prunes history and starts the Job due now, then requeues for the next schedule. */
  async reconcile(key: string): Promise<void> {
    const cached = this.#cronJobs.store.get(key);
    if (!cached) {
      this.#written.forget(key);
      return;
    }
    // A status older than our last write would repeat what that write recorded (a second Job for the same time, a
    // Replace of the Job just started); the write's watch event queues the CronJob again.
    if (this.#written.behind(key, cached)) return;
    const cj = structuredClone(cached);
    const uid = cj.metadata?.uid ?? '';
    const children = this.#jobs.store.byIndex('cronjob', key).filter((j) => controllerUid(j) === uid);
    const before = structuredClone(cj.status ?? {});
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    cj.status = status;
    let active = [...(status.active ?? [])];
    const childUids = new Set(children.map((j) => j.metadata?.uid ?? ''));

    for (const j of children) {
      const found = active.some((a) => a.uid === j.metadata?.uid);
      const finished = finishedCondition(j);
      if (!found && !finished) {
        // Our cached CronJob may predate the status update that recorded this Job: compare with the server's copy first.
        const fresh = await this.#deps.client.resource<CronJobObj>('batch/v1', 'cronjobs').get(cj.metadata?.namespace, cj.metadata?.name ?? '');
        if (fresh.metadata?.resourceVersion !== cj.metadata?.resourceVersion) return;
        this.#recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name ?? ''}`);
      } else if (found && finished) {
        active = active.filter((a) => a.uid !== j.metadata?.uid);
        this.#recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${finished}`);
      }
      if (finished === 'Complete' && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    // Active references whose Job is gone from the cache are confirmed against the server before they are dropped.
    for (const a of [...active]) {
      if (childUids.has(a.uid ?? '')) continue;
      try {
        const j = await this.#deps.client.resource('batch/v1', 'jobs').get(a.namespace, a.name ?? '');
        if (j.metadata?.uid === a.uid) continue;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
      this.#recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${a.name ?? ''}`);
      active = active.filter((x) => x.uid !== a.uid);
    }
    setActive(status, active);

    if (!cj.metadata?.deletionTimestamp) await this.#cleanupFinishedJobs(cj, children);
    const requeue = cj.metadata?.deletionTimestamp || cj.spec?.suspend ? undefined : await this.#scheduleJob(cj, status);
    if (!deepEqualJson(before, status)) {
      this.#written.record(key, await this.#deps.client.resource<CronJobObj>('batch/v1', 'cronjobs').updateStatus({ ...cj, status }));
    }
    if (requeue !== undefined) this.queue.addAfter(key, requeue);
  }

  // scheduleJob starts the Job for the latest unmet scheduled time, if any is due; it returns when to look again.
  async #scheduleJob(cj: CronJobObj, status: CronJobStatus): Promise<number | undefined> {
    if (cj.spec?.timeZone && !isValidTimeZone(cj.spec.timeZone)) {
      this.#recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}`);
      return undefined;
    }
    const parsed = parseSchedule(cj);
    if (parsed.usedTzPrefix) {
      this.#recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec?.schedule ?? '')} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    if (!parsed.ok) {
      this.#recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${parsed.error}`);
      return undefined;
    }
    const sched = parsed.schedule;
    const now = this.#deps.clock.now();
    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.missed > 100) {
      this.#recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const scheduled = recent.mostRecent;
    const requeue = (): number | undefined => nextRequeueMs(cj, now, sched);
    if (scheduled === undefined) return requeue();
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
      this.#recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatInZone(scheduled, sched.timeZone)}`);
      return requeue();
    }
    const name = jobNameFor(cj, scheduled);
    if ((status.active ?? []).some((a) => a.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) return requeue();
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active ?? []).length > 0) {
      this.#recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (policy === 'Replace') {
      for (const a of [...(status.active ?? [])]) {
        await this.#deleteJob(cj, a.namespace ?? '', a.name ?? '');
        setActive(status, (status.active ?? []).filter((x) => x.uid !== a.uid));
      }
    }
    let job: JobObj;
    try {
      job = (await this.#deps.client.resource<JobObj>('batch/v1', 'jobs').create(jobFromTemplate(cj, scheduled, sched.timeZone))) as JobObj;
      this.#recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) {
        this.#recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      // Created earlier but not recorded (a crash or a stale cache): adopt it if it is ours.
      const existing = (await this.#deps.client.resource<JobObj>('batch/v1', 'jobs').get(cj.metadata?.namespace, name)) as JobObj;
      if (controllerUid(existing) !== cj.metadata?.uid) return requeue();
      job = existing;
    }
    setActive(status, [...(status.active ?? []).filter((a) => a.uid !== job.metadata?.uid), referenceTo(job)]);
    status.lastScheduleTime = new Date(scheduled).toISOString().replace('.000Z', 'Z');
    return requeue();
  }

  // cleanupFinishedJobs keeps the newest successfulJobsHistoryLimit Complete and failedJobsHistoryLimit Failed Jobs.
  async #cleanupFinishedJobs(cj: CronJobObj, children: JobObj[]): Promise<void> {
    const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
    for (const kind of ['Complete', 'Failed'] as const) {
      const limit = limits[kind];
      if (limit === undefined || limit === null) continue;
      const finished = children.filter((j) => finishedCondition(j) === kind && !j.metadata?.deletionTimestamp);
      finished.sort((a, b) => startOf(a) - startOf(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await this.#deleteJob(cj, j.metadata?.namespace ?? '', j.metadata?.name ?? '');
    }
  }

  async #deleteJob(cj: CronJobObj, namespace: string, name: string): Promise<void> {
    try {
      await this.#deps.client.resource('batch/v1', 'jobs').delete(namespace, name, { propagationPolicy: 'Background' });
      this.#recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) {
        this.#recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
  }
}

/** jobFromTemplate is upstream's getJobFromTemplate2: the template's Job, named for the scheduled minute, owned by the CronJob and annotated with the scheduled time. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number, zone: string | undefined): JobObj {
  const tpl = structuredClone(cj.spec?.jobTemplate ?? {});
  const annotations = { ...(tpl.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: formatInZone(scheduledMs, zone) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata?.namespace ?? 'default',
      ...(tpl.metadata?.labels ? { labels: { ...tpl.metadata.labels } } : {}),
      annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata?.name ?? '', uid: cj.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    ...(tpl.spec ? { spec: tpl.spec } : {}),
  };
}

function cronJobKeyOf(j: ApiObject): string | undefined {
  const ref = (j.metadata?.ownerReferences ?? []).find((r) => r.controller && r.kind === 'CronJob');
  return ref ? `${j.metadata?.namespace ?? ''}/${ref.name}` : undefined;
}

function controllerUid(j: ApiObject): string | undefined {
  return (j.metadata?.ownerReferences ?? []).find((r) => r.controller && r.kind === 'CronJob')?.uid;
}

function finishedCondition(j: Job): 'Complete' | 'Failed' | undefined {
  for (const c of j.status?.conditions ?? []) if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  return undefined;
}

function startOf(j: Job): number {
  return Date.parse(j.status?.startTime ?? j.metadata?.creationTimestamp ?? '') || 0;
}

function referenceTo(j: JobObj): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata?.name ?? '', namespace: j.metadata?.namespace ?? '', uid: j.metadata?.uid ?? '', resourceVersion: j.metadata?.resourceVersion ?? '' };
}

function setActive(status: CronJobStatus, active: ObjectReference[]): void {
  if (active.length) status.active = active;
  else delete status.active;
}
