import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { LastWrites } from '../last-writes.ts';
import {
  completionIndexOf, findCondition, formatIndexes, hasTrackingFinalizer, isJobFinished, isPodActive, isPodFinished,
  isPodReady, jobTrackingFinalizer, matchPodFailurePolicy, parseIndexes, podFinishTime, remainingBackoff, type BackoffRecord,
} from './pods.ts';
import { controllerUid, jobKeyOf, podFromTemplate } from './pod-template.ts';
import { formatTime } from '../../api/time.ts';
import { condition, isComplete, setSuspended, uncountedOf } from './status.ts';

/** JobControllerOptions tune the pod-replacement backoff (upstream: 10 s doubling to 6 minutes). */
export interface JobControllerOptions {
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

type JobObj = Job & ApiObject;
type PodObj = Pod & ApiObject;
type Expectation = { adds: number; deletes: Set<string>; until: number };

const expectationTimeoutMs = 5 * 60_000;

/** JobController runs Jobs to completion: it creates pods up to parallelism, counts them through the job-tracking finalizer, and sets the Job's conditions (upstream's job controller, with the TTL-after-finished controller folded in). */
export class JobController implements Controller {
  readonly name = 'job';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #backoffBase: number;
  readonly #backoffMax: number;
  readonly #expectations = new Map<string, Expectation>();
  readonly #backoff = new Map<string, BackoffRecord>();
  // Pods whose finalizer removal the cache has not shown yet: counting them again would count them twice.
  readonly #releasing = new Set<string>();
  // Our last status write per Job: a cache showing an older one is stale.
  readonly #written = new LastWrites();
  #jobs!: Informer<JobObj>;
  #pods!: Informer<PodObj>;

  constructor(deps: ControllerDeps, opts: JobControllerOptions = {}) {
    this.#deps = deps;
    this.#recorder = deps.recorder('job-controller');
    this.#backoffBase = opts.backoffBaseMs ?? 10_000;
    this.#backoffMax = opts.backoffMaxMs ?? 360_000;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#jobs = this.#deps.informers.informer<JobObj>('batch/v1', 'jobs');
    this.#pods = this.#deps.informers.informer<PodObj>('v1', 'pods', { indexers: { job: (p) => { const k = jobKeyOf(p); return k ? [k] : []; } } });
    const enqueueJob = (j: JobObj): void => this.queue.add(`${j.metadata?.namespace ?? ''}/${j.metadata?.name ?? ''}`);
    this.#jobs.addHandler({ onAdd: enqueueJob, onUpdate: (_o, j) => enqueueJob(j), onDelete: enqueueJob });
    this.#pods.addHandler({
      onAdd: (p) => this.#observePod(p, 'add'),
      onUpdate: (old, p) => this.#observePod(p, !old.metadata?.deletionTimestamp && p.metadata?.deletionTimestamp ? 'delete' : 'update'),
      onDelete: (p) => this.#observePod(p, 'delete'),
    });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#jobs.synced, this.#pods.synced]);
    await runWorkers(this.queue, 4, (k) => this.reconcile(k), (k, err) => this.#deps.log(`job ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  #observePod(p: PodObj, what: 'add' | 'update' | 'delete'): void {
    const key = jobKeyOf(p);
    if (!key) return;
    if (what === 'delete' || !hasTrackingFinalizer(p)) this.#releasing.delete(p.metadata?.uid ?? '');
    const exp = this.#expectations.get(key);
    if (exp && what === 'add') exp.adds = Math.max(0, exp.adds - 1);
    if (exp && what === 'delete') exp.deletes.delete(p.metadata?.uid ?? '');
    this.queue.add(key);
  }

  #expectationsMet(key: string, now: number): boolean {
    const e = this.#expectations.get(key);
    return !e || (e.adds === 0 && e.deletes.size === 0) || now > e.until;
  }

  /** reconcile brings one Job's pods and status in line with its spec. */
  async reconcile(key: string): Promise<void> {
    // Expectations are read before the pods: a pod arriving while this sync awaits must not make a stale snapshot look complete.
    const satisfied = this.#expectationsMet(key, this.#deps.clock.now());
    const cached = this.#jobs.store.get(key);
    const pods = this.#pods.store.byIndex('job', key);
    if (!cached) {
      // The Job is gone: its pods must not be held by a finalizer nobody will remove.
      await this.#removeFinalizers(pods.filter(hasTrackingFinalizer));
      this.#expectations.delete(key);
      this.#backoff.delete(key);
      this.#written.forget(key);
      return;
    }
    // Our last status write is still on its way to the cache; its watch event queues the Job again.
    if (this.#written.behind(key, cached)) return;
    let job = structuredClone(cached);
    const uid = job.metadata?.uid ?? '';
    const owned = pods.filter((p) => controllerUid(p) === uid);
    // Pods of an earlier Job with the same name are not ours to count.
    await this.#removeFinalizers(pods.filter((p) => controllerUid(p) !== uid && hasTrackingFinalizer(p)));
    if (isJobFinished(job)) {
      await this.#removeFinalizers(owned.filter(hasTrackingFinalizer));
      await this.#expireAfterFinished(key, job);
      return;
    }
    const now = this.#deps.clock.now();
    const spec = job.spec ?? { template: {} };
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const suspended = spec.suspend === true;
    const status: JobStatus = structuredClone(job.status ?? {});
    const finishing = findCondition(job, 'FailureTarget') ?? findCondition(job, 'SuccessCriteriaMet');

    // Count finished pods in two steps, as upstream: record their uids as uncounted, remove their finalizers, then add them to the totals.
    const unc = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
    const release: PodObj[] = [];
    let failJob: string | undefined;
    const backoff = this.#backoff.get(key) ?? { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
    for (const p of owned) {
      const puid = p.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(p) || this.#releasing.has(puid)) continue;
      if (unc.succeeded.has(puid) || unc.failed.has(puid)) {
        release.push(p);
        continue;
      }
      if (p.status?.phase === 'Succeeded') {
        unc.succeeded.add(puid);
        release.push(p);
        backoff.failuresAfterLastSuccess = 0;
        continue;
      }
      // A terminating pod that no node runs will never reach Failed by itself (upstream's pod GC would fail it).
      const failed = p.status?.phase === 'Failed' || (p.metadata?.deletionTimestamp !== undefined && (!p.spec?.nodeName || finishing !== undefined));
      if (!failed) continue;
      release.push(p);
      if (suspended && p.status?.phase !== 'Failed') continue;
      const match = matchPodFailurePolicy(job, p);
      if (match?.action === 'Ignore') continue;
      if (match?.action === 'FailJob') failJob ??= match.message;
      unc.failed.add(puid);
      backoff.failuresAfterLastSuccess++;
      backoff.lastFailureTime = Math.max(backoff.lastFailureTime, podFinishTime(p) ?? now);
    }
    this.#backoff.set(key, backoff);
    status.uncountedTerminatedPods = uncountedOf(unc);
    if (!suspended && !status.startTime) status.startTime = formatTime(now);
    if (!deepEqualJson(job.status?.uncountedTerminatedPods ?? {}, status.uncountedTerminatedPods) || job.status?.startTime !== status.startTime) {
      job = await this.#writeStatus(job, status);
    }
    const released = new Set(await this.#removeFinalizers(release));
    const completed = parseIndexes(status.completedIndexes, completions ?? 0);
    for (const p of owned) {
      const puid = p.metadata?.uid ?? '';
      if (!released.has(puid) && hasTrackingFinalizer(p)) continue;
      if (unc.succeeded.delete(puid)) {
        const idx = completionIndexOf(p);
        if (!indexed) status.succeeded = (status.succeeded ?? 0) + 1;
        else if (idx !== undefined && idx < (completions ?? 0)) completed.add(idx);
      } else if (unc.failed.delete(puid)) {
        status.failed = (status.failed ?? 0) + 1;
      }
    }
    // Uids of pods that disappeared are counted too: their finalizer is gone with them.
    const present = new Set(owned.map((p) => p.metadata?.uid ?? ''));
    for (const u of [...unc.succeeded]) if (!present.has(u)) { unc.succeeded.delete(u); if (!indexed) status.succeeded = (status.succeeded ?? 0) + 1; }
    for (const u of [...unc.failed]) if (!present.has(u)) { unc.failed.delete(u); status.failed = (status.failed ?? 0) + 1; }
    status.uncountedTerminatedPods = uncountedOf(unc);
    if (indexed) {
      status.succeeded = completed.size;
      const s = formatIndexes(completed);
      if (s) status.completedIndexes = s;
      else delete status.completedIndexes;
    }
    const succeeded = status.succeeded ?? 0;
    const failedCount = status.failed ?? 0;
    let active = owned.filter(isPodActive);
    const terminating = owned.filter((p) => p.metadata?.deletionTimestamp && !isPodFinished(p)).length;

    // Decide whether the Job reached its end.
    const conditions = [...(status.conditions ?? [])];
    let target = finishing;
    if (!target) {
      const deadline = spec.activeDeadlineSeconds !== undefined && status.startTime ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
      let cond: JobCondition | undefined;
      if (failJob) cond = condition('FailureTarget', 'PodFailurePolicy', failJob, now);
      else if (failedCount > (spec.backoffLimit ?? 6)) cond = condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      else if (!suspended && deadline !== undefined && now >= deadline) cond = condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      else if (isComplete(indexed, completions, succeeded + unc.succeeded.size, active.length)) cond = condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      else if (deadline !== undefined && !suspended) this.queue.addAfter(key, deadline - now);
      if (cond) {
        conditions.push(cond);
        target = cond;
      }
    }

    if (target) {
      await this.#deletePods(key, job, active);
      active = [];
      if (terminating === 0 && owned.every((p) => !hasTrackingFinalizer(p) || released.has(p.metadata?.uid ?? '')) && unc.failed.size + unc.succeeded.size === 0) {
        const ok = target.type === 'SuccessCriteriaMet';
        conditions.push(condition(ok ? 'Complete' : 'Failed', target.reason ?? '', target.message ?? '', now));
        if (ok) {
          status.completionTime = formatTime(now);
          this.#recorder.event(job, 'Normal', 'Completed', 'Job completed');
        } else {
          this.#recorder.event(job, 'Warning', target.reason ?? 'Failed', target.message ?? '');
        }
      }
    } else if (suspended) {
      await this.#deletePods(key, job, active);
      active = [];
      if (setSuspended(conditions, true, now)) this.#recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    } else {
      if (setSuspended(conditions, false, now)) {
        status.startTime = formatTime(now);
        this.#recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      if (satisfied) active = await this.#manage(key, job, active, { indexed, completions, parallelism, succeeded: succeeded + unc.succeeded.size, completed, now });
    }

    status.conditions = conditions;
    if (conditions.length === 0) delete status.conditions;
    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating;
    job = await this.#writeStatus(job, status);
    if (isJobFinished(job)) await this.#expireAfterFinished(key, job);
  }

  // manageJob: create missing pods (after the failure backoff) and delete surplus ones.
  async #manage(key: string, job: JobObj, active: PodObj[], c: { indexed: boolean; completions: number | undefined; parallelism: number; succeeded: number; completed: Set<number>; now: number }): Promise<PodObj[]> {
    const surplus: PodObj[] = [];
    let keep = active;
    let toCreate: (number | undefined)[] = [];
    if (c.indexed) {
      const seen = new Set<number>();
      keep = [];
      for (const p of active) {
        const idx = completionIndexOf(p);
        if (idx === undefined || idx >= (c.completions ?? 0) || c.completed.has(idx) || seen.has(idx)) surplus.push(p);
        else {
          seen.add(idx);
          keep.push(p);
        }
      }
      keep.sort((a, b) => (completionIndexOf(a) ?? 0) - (completionIndexOf(b) ?? 0));
      while (keep.length > c.parallelism) surplus.push(keep.pop() as PodObj);
      for (let i = 0; i < (c.completions ?? 0) && keep.length + toCreate.length < c.parallelism; i++) if (!c.completed.has(i) && !seen.has(i)) toCreate.push(i);
    } else {
      const want = c.completions === undefined ? (c.succeeded > 0 ? 0 : c.parallelism) : Math.max(0, Math.min(c.parallelism, c.completions - c.succeeded));
      if (keep.length > want) {
        // Not-ready and newest pods go first, as upstream's ActivePods ordering.
        const sorted = [...keep].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
        surplus.push(...sorted.slice(0, keep.length - want));
        keep = sorted.slice(keep.length - want);
      }
      toCreate = Array.from({ length: Math.max(0, want - keep.length) }, () => undefined);
    }
    await this.#deletePods(key, job, surplus);
    if (toCreate.length === 0) return keep;
    const wait = remainingBackoff(this.#backoff.get(key), c.now, this.#backoffBase, this.#backoffMax);
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return keep;
    }
    const exp = this.#expectation(key);
    exp.adds += toCreate.length;
    const created = await Promise.all(toCreate.map(async (idx) => {
      try {
        const pod = (await this.#deps.client.resource<PodObj>('v1', 'pods').create(podFromTemplate(job, idx))) as PodObj;
        this.#recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`);
        return pod;
      } catch (err) {
        exp.adds = Math.max(0, exp.adds - 1);
        this.#recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }));
    return [...keep, ...created];
  }

  #expectation(key: string): Expectation {
    let e = this.#expectations.get(key);
    if (!e || this.#deps.clock.now() > e.until) {
      e = { adds: 0, deletes: new Set(), until: 0 };
      this.#expectations.set(key, e);
    }
    e.until = this.#deps.clock.now() + expectationTimeoutMs;
    return e;
  }

  async #deletePods(key: string, job: JobObj, pods: PodObj[]): Promise<void> {
    if (pods.length === 0) return;
    const exp = this.#expectation(key);
    await Promise.all(pods.map(async (p) => {
      const puid = p.metadata?.uid ?? '';
      exp.deletes.add(puid);
      try {
        await this.#deps.client.resource('v1', 'pods').delete(p.metadata?.namespace, p.metadata?.name ?? '', { preconditions: { uid: puid } });
        this.#recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name ?? ''}`);
      } catch (err) {
        exp.deletes.delete(puid);
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      }
    }));
  }

  // removeFinalizers drops the job-tracking finalizer; it returns the uids now free of it (or gone).
  async #removeFinalizers(pods: PodObj[]): Promise<string[]> {
    const done = await Promise.all(pods.map(async (p) => {
      if (p.metadata?.uid) this.#releasing.add(p.metadata.uid);
      const rest = (p.metadata?.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer);
      try {
        await this.#deps.client.resource('v1', 'pods').patch(p.metadata?.namespace, p.metadata?.name ?? '', 'merge', { metadata: { finalizers: rest.length ? rest : null, resourceVersion: p.metadata?.resourceVersion } });
      } catch (err) {
        if (!isApiError(err, 'NotFound')) {
          this.#releasing.delete(p.metadata?.uid ?? '');
          throw err;
        }
      }
      return p.metadata?.uid ?? '';
    }));
    return done;
  }

  async #writeStatus(job: JobObj, status: JobStatus): Promise<JobObj> {
    if (deepEqualJson(job.status ?? {}, status)) return job;
    const key = `${job.metadata?.namespace ?? ''}/${job.metadata?.name ?? ''}`;
    const written = (await this.#deps.client.resource<JobObj>('batch/v1', 'jobs').updateStatus({ ...job, status })) as JobObj;
    this.#written.record(key, written);
    return written;
  }

  // ttlSecondsAfterFinished: delete the Job (and, in the foreground, its pods) once the time is up.
  async #expireAfterFinished(key: string, job: JobObj): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return;
    const finished = job.status?.completionTime ?? findCondition(job, 'Failed')?.lastTransitionTime ?? findCondition(job, 'Complete')?.lastTransitionTime;
    if (!finished) return;
    const left = Date.parse(finished) + ttl * 1000 - this.#deps.clock.now();
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    try {
      await this.#deps.client.resource('batch/v1', 'jobs').delete(job.metadata?.namespace, job.metadata?.name ?? '', { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }
}
