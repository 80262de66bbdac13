import type { Container, PodStatus } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../api/errors.ts';
import { objectKey } from '../api/object.ts';
import type { Client } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { runWorkers, WorkQueue } from '../client/workqueue.ts';
import type { Clock } from '../clock.ts';
import type { SimNode } from './node.ts';
import { parseDuration, type SimOptions } from './options.ts';
import { buildPodStatus, type PodObject, type PodView, type Terminated } from './pod-status.ts';

/** exitCodeAnnotation makes a pod's containers exit with this code after their run time. */
export const exitCodeAnnotation = 'sim.berth.dev/exit-code';
/**
 * failureRateAnnotation makes that share of pods ("0.3") exit with code 1 after their run time, so a Job's
 * retries can be exercised; which pods fail follows from their uid, so a re-read pod keeps its fate.
 */
export const failureRateAnnotation = 'sim.berth.dev/failure-rate';
/** runTimeAnnotation overrides --run-time for one pod ("30s"). */
export const runTimeAnnotation = 'sim.berth.dev/run-time';

/** PodAgentStats count what the agent did since the start. */
export interface PodAgentStats {
  started: number;
  restarted: number;
  succeeded: number;
  failed: number;
  deleted: number;
  statusWrites: number;
}

/** PodAgentDeps are what PodAgent needs: the shared pod informer and a way to find a node by name. */
export interface PodAgentDeps {
  client: Client;
  clock: Clock;
  opts: SimOptions;
  pods: Informer<PodObject>;
  nodeOf: (name: string) => SimNode | undefined;
  log: (msg: string) => void;
}

interface SimPod {
  uid: string;
  node: SimNode;
  view: PodView;
  seenAt: number;
  /** runEndsAt is when the current run exits; undefined means it runs until the pod is deleted. */
  runEndsAt?: number;
  backoffUntil?: number;
  /** reported is the last status written, to skip identical writes and keep transition times. */
  reported?: PodStatus;
  /** reportedRv is the pod's resourceVersion after that write. */
  reportedRv?: string;
  deleting: boolean;
  /** done marks a pod found already finished: nothing is left to report. */
  done: boolean;
}

/**
 * PodAgent is the node agent of every simulated node at once: for each pod bound to one of them it
 * starts the containers after the start delay, reports status as a kubelet does, runs pods that
 * should finish to completion (restarting with back-off where the restart policy says so), and on
 * deletion stops the containers and deletes the pod. reconcile is level-triggered; time-driven
 * steps come back through the work queue's delayed adds.
 */
export class PodAgent {
  readonly queue = new WorkQueue<string>();
  readonly stats: PodAgentStats = { started: 0, restarted: 0, succeeded: 0, failed: 0, deleted: 0, statusWrites: 0 };
  readonly #deps: PodAgentDeps;
  readonly #pods = new Map<string, SimPod>();

  constructor(deps: PodAgentDeps) {
    this.#deps = deps;
  }

  /** enqueue queues a pod if it is bound to one of our nodes. */
  enqueue(pod: PodObject): void {
    const key = objectKey(pod);
    if (this.#pods.has(key) || this.#deps.nodeOf(pod.spec?.nodeName ?? '')) this.queue.add(key);
  }

  /** start runs the workers until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, this.#deps.opts.podWorkers, (key) => this.reconcile(key), (key, err) => this.#deps.log(`pod ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** running counts the pods whose containers run now. */
  running(): number {
    let n = 0;
    for (const p of this.#pods.values()) if (p.view.run.kind === 'running') n++;
    return n;
  }

  /** reconcile brings one pod's containers and reported status to where the clock says they should be. */
  async reconcile(key: string): Promise<void> {
    const pod = this.#deps.pods.store.get(key);
    let sp = this.#pods.get(key);
    if (sp && (!pod || pod.metadata?.uid !== sp.uid)) {
      sp.node.ipam.release(sp.uid);
      this.#pods.delete(key);
      sp = undefined;
    }
    if (!pod) return;
    const node = this.#deps.nodeOf(pod.spec?.nodeName ?? '');
    // A failed node's agent is gone: its pods stay as they are, as with a dead kubelet.
    if (!node || node.failed) return;
    const now = this.#deps.clock.now();
    if (!sp) {
      sp = adopt(pod, node, now, this.#deps.opts);
      this.#pods.set(key, sp);
    }
    if (pod.metadata?.deletionTimestamp) return this.#terminate(pod, sp, now);
    if (sp.done) return;
    this.#advance(pod, sp, now);
    await this.#report(pod, sp, now);
    const next = nextWake(sp, now, this.#deps.opts.startDelayMs);
    if (next !== undefined) this.queue.addAfter(key, next - now);
  }

  #advance(pod: PodObject, sp: SimPod, now: number): void {
    for (let step = 0; step < 8; step++) {
      const run = sp.view.run;
      if (run.kind === 'creating') {
        const at = sp.seenAt + this.#deps.opts.startDelayMs;
        if (now < at || !this.#startRun(pod, sp, at)) return;
      } else if (run.kind === 'running') {
        if (sp.runEndsAt === undefined || now < sp.runEndsAt) return;
        this.#exitRun(pod, sp, run.startedAt, sp.runEndsAt);
      } else if (run.kind === 'backoff') {
        const at = sp.backoffUntil ?? now;
        if (now < at) return;
        this.#startRun(pod, sp, at);
      } else {
        return;
      }
    }
  }

  #startRun(pod: PodObject, sp: SimPod, at: number): boolean {
    const node = sp.node;
    const podIP = pod.spec?.hostNetwork ? node.ip : (sp.view.podIP ?? node.ipam.allocate(sp.uid));
    if (!podIP) {
      node.recorder.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: no IP addresses available in range set: ${node.ipam.cidr}`);
      return false;
    }
    const first = sp.view.restartCount === 0;
    const containers = [...(first ? (pod.spec?.initContainers ?? []).map((c) => ({ c, path: 'initContainers' })) : []), ...(pod.spec?.containers ?? []).map((c) => ({ c, path: 'containers' }))];
    for (const { c, path } of containers) recordStart(node, pod, c, `spec.${path}{${c.name}}`);
    const startupDoneAt = at + maxProbeDelay(pod, 'startupProbe');
    sp.view = { ...sp.view, phase: 'Running', podIP, run: { kind: 'running', startedAt: at, startupDoneAt, readyAt: Math.max(startupDoneAt, at + maxProbeDelay(pod, 'readinessProbe')) } };
    const runTime = runTimeOf(pod, this.#deps.opts);
    sp.runEndsAt = runTime === undefined ? undefined : at + runTime;
    if (first) this.stats.started++;
    else this.stats.restarted++;
    return true;
  }

  #exitRun(pod: PodObject, sp: SimPod, startedAt: number, at: number): void {
    const code = exitCodeOf(pod);
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const run: Terminated = { exitCode: code, startedAt, finishedAt: at };
    if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) {
      sp.view = { ...sp.view, phase: code === 0 ? 'Succeeded' : 'Failed', run: { kind: 'exited', run } };
      // The sandbox is torn down; the status keeps reporting the address it had.
      sp.node.ipam.release(sp.uid);
      if (code === 0) this.stats.succeeded++;
      else this.stats.failed++;
      return;
    }
    // The first restart is immediate; later ones back off, doubling up to the maximum (the kubelet's crash loop).
    const restartCount = sp.view.restartCount + 1;
    const { backoffBaseMs, backoffMaxMs } = this.#deps.opts;
    const delayMs = restartCount === 1 ? 0 : Math.min(backoffBaseMs * 2 ** (restartCount - 2), backoffMaxMs);
    sp.view = { ...sp.view, restartCount, lastTerminated: run, run: { kind: 'backoff', delayMs } };
    sp.backoffUntil = at + delayMs;
    if (delayMs === 0) return;
    const name = `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${sp.uid})`;
    for (const c of pod.spec?.containers ?? []) sp.node.recorder.event(podRef(pod), 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${name}`, { fieldPath: `spec.containers{${c.name}}` });
  }

  async #terminate(pod: PodObject, sp: SimPod, now: number): Promise<void> {
    if (sp.deleting) return;
    sp.deleting = true;
    const run = sp.view.run;
    if (run.kind === 'running' || run.kind === 'backoff') {
      if (run.kind === 'running') for (const c of pod.spec?.containers ?? []) sp.node.recorder.event(podRef(pod), 'Normal', 'Killing', `Stopping container ${c.name}`, { fieldPath: `spec.containers{${c.name}}` });
      // Simulated containers exit at once on SIGTERM, so the grace period is never needed in full.
      const last: Terminated = run.kind === 'running' ? { exitCode: 0, startedAt: run.startedAt, finishedAt: now } : (sp.view.lastTerminated ?? { exitCode: 0, startedAt: now, finishedAt: now });
      sp.view = { ...sp.view, phase: last.exitCode === 0 ? 'Succeeded' : 'Failed', run: { kind: 'exited', run: last } };
      try {
        await this.#report(pod, sp, now);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) this.#deps.log(`pod ${objectKey(pod)}: final status not written: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    sp.node.ipam.release(sp.uid);
    try {
      await this.#deps.client.resource('v1', 'pods').delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: sp.uid } });
      this.stats.deleted++;
    } catch (err) {
      // NotFound: the pod went already (the final status write may end a graceful deletion by itself).
      if (isApiError(err, 'NotFound')) this.stats.deleted++;
      if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return;
      sp.deleting = false;
      throw err;
    }
  }

  async #report(pod: PodObject, sp: SimPod, now: number): Promise<void> {
    const status = buildPodStatus(pod, sp.view, now, sp.reported ?? pod.status);
    if (sp.reported && JSON.stringify(status) === JSON.stringify(sp.reported) && !overwritten(pod, sp)) return;
    // Conditions merge by type, so a reason or message that no longer applies must be deleted explicitly.
    const conditions = status.conditions?.map((c) => ({ ...c, reason: c.reason ?? null, message: c.message ?? null }));
    const written = await this.#deps.client.resource('v1', 'pods').patch(pod.metadata?.namespace, pod.metadata?.name ?? '', 'strategic', { status: { ...status, conditions } }, { subresource: 'status' });
    sp.reported = status;
    sp.reportedRv = written.metadata?.resourceVersion;
    this.stats.statusWrites++;
  }
}

// A pod already on one of our nodes when the agent starts (a restarted sim) keeps its address, times and counts.
function adopt(pod: PodObject, node: SimNode, now: number, opts: SimOptions): SimPod {
  const uid = pod.metadata?.uid ?? '';
  const status = pod.status;
  const startTime = status?.startTime ? Date.parse(status.startTime) : now;
  const sp: SimPod = { uid, node, seenAt: now, deleting: false, done: false, view: { phase: 'Pending', run: { kind: 'creating' }, hostIP: node.ip, startTime, restartCount: 0 } };
  if (status?.phase === 'Succeeded' || status?.phase === 'Failed') sp.done = true;
  const cs = status?.containerStatuses?.[0];
  const startedAt = cs?.state?.running?.startedAt;
  if (status?.phase === 'Running' && startedAt && status.podIP && (pod.spec?.hostNetwork || node.ipam.reserve(uid, status.podIP))) {
    const at = Date.parse(startedAt);
    sp.view = { ...sp.view, phase: 'Running', podIP: status.podIP, restartCount: cs.restartCount ?? 0, run: { kind: 'running', startedAt: at, readyAt: at, startupDoneAt: at } };
    const runTime = runTimeOf(pod, opts);
    if (runTime !== undefined) sp.runEndsAt = at + runTime;
  }
  return sp;
}

/**
 * overwritten tells whether a later write than the agent's own changed the phase or a condition it reported, as the
 * node lifecycle controller does when it marks the pods of a silent node not ready. A kubelet's status manager then
 * writes its own view again; a cache still older than the agent's last write proves nothing.
 */
function overwritten(pod: PodObject, sp: SimPod): boolean {
  const rv = pod.metadata?.resourceVersion;
  if (!sp.reported || rv === undefined || sp.reportedRv === undefined || !newerResourceVersion(rv, sp.reportedRv)) return false;
  if (pod.status?.phase !== sp.reported.phase) return true;
  const live = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
  return (sp.reported.conditions ?? []).some((c) => live.get(c.type) !== c.status);
}

/** newerResourceVersion compares two resourceVersions; Berth's (and etcd's) are revisions, other forms only differ. */
export function newerResourceVersion(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b);
  return a !== b;
}

function nextWake(sp: SimPod, now: number, startDelayMs: number): number | undefined {
  const run = sp.view.run;
  const times: (number | undefined)[] =
    run.kind === 'creating' ? [sp.seenAt + startDelayMs] : run.kind === 'running' ? [run.readyAt, run.startupDoneAt, sp.runEndsAt] : run.kind === 'backoff' ? [sp.backoffUntil] : [];
  let next: number | undefined;
  for (const t of times) if (t !== undefined && t > now && (next === undefined || t < next)) next = t;
  // A pod waiting out its start delay (or for an address) is looked at again when the delay ends, or in 10 s.
  if (run.kind === 'creating' && next === undefined) next = now + 10_000;
  return next;
}

function recordStart(node: SimNode, pod: PodObject, c: Container, fieldPath: string): void {
  const ref = podRef(pod);
  const image = c.image ?? '';
  if (c.imagePullPolicy === 'Always') {
    node.recorder.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`, { fieldPath });
    node.recorder.event(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: 0 bytes.`, { fieldPath });
  } else {
    node.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, { fieldPath });
  }
  node.recorder.event(ref, 'Normal', 'Created', `Created container: ${c.name}`, { fieldPath });
  node.recorder.event(ref, 'Normal', 'Started', `Started container ${c.name}`, { fieldPath });
}

function podRef(pod: PodObject): PodObject {
  return { ...pod, apiVersion: 'v1', kind: 'Pod' };
}

function maxProbeDelay(pod: PodObject, probe: 'readinessProbe' | 'startupProbe'): number {
  let max = 0;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((i) => i.restartPolicy === 'Always')]) {
    const p = c[probe];
    if (p) max = Math.max(max, (p.initialDelaySeconds ?? 0) * 1000);
  }
  return max;
}

// Pods that may finish (restartPolicy Never or OnFailure), and any pod told to exit, run for the run time.
function runTimeOf(pod: PodObject, opts: SimOptions): number | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const finite = (pod.spec?.restartPolicy ?? 'Always') !== 'Always' || exitCodeAnnotation in annotations || failureRateAnnotation in annotations;
  if (!finite) return undefined;
  const override = annotations[runTimeAnnotation];
  return (override !== undefined ? parseDuration(override) : undefined) ?? opts.runTimeMs;
}

function exitCodeOf(pod: PodObject): number {
  const rate = Number(pod.metadata?.annotations?.[failureRateAnnotation]);
  if (rate > 0 && uidFraction(pod.metadata?.uid ?? '') < rate) return 1;
  const raw = pod.metadata?.annotations?.[exitCodeAnnotation];
  const code = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1;
}

/** uidFraction maps a uid to [0, 1) evenly (FNV-1a of its characters). */
function uidFraction(uid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < uid.length; i++) h = Math.imul(h ^ uid.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}
