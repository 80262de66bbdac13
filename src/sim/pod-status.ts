import { createHash } from 'node:crypto';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../api/object.ts';
import { podQosClass } from '../api/core/qos.ts';
import { formatTime } from '../api/time.ts';

/** PodObject is a Pod as the client stores it. */
export type PodObject = Pod & ApiObject;

/** Terminated is one finished run of a pod's containers. */
export interface Terminated {
  exitCode: number;
  startedAt: number;
  finishedAt: number;
}

/** RunState is where a simulated pod's containers are; the containers of a pod move in step. */
export type RunState =
  | { kind: 'creating' }
  | { kind: 'running'; startedAt: number; readyAt: number; startupDoneAt: number }
  | { kind: 'backoff'; delayMs: number }
  | { kind: 'exited'; run: Terminated };

/** PodView is what the node agent knows about a pod, from which it derives the status a kubelet reports. */
export interface PodView {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  run: RunState;
  hostIP: string;
  podIP?: string;
  startTime: number;
  restartCount: number;
  lastTerminated?: Terminated;
}

/** kubeletConditions are the pod conditions the kubelet owns; others (PodScheduled, readiness gates) are left alone. */
export const kubeletConditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

/** buildPodStatus derives the status a kubelet reports; prev supplies the transition times of unchanged conditions. */
export function buildPodStatus(pod: PodObject, view: PodView, now: number, prev: PodStatus | undefined): PodStatus {
  const spec = pod.spec ?? { containers: [] };
  const init = spec.initContainers ?? [];
  const containerStatuses = spec.containers.map((c) => containerStatus(pod, c, view, now, init.length > 0));
  const initContainerStatuses = init.map((c) => (c.restartPolicy === 'Always' ? containerStatus(pod, c, view, now, false) : initContainerStatus(pod, c, view)));
  const conditions = podConditions(pod, view, [...containerStatuses, ...initContainerStatuses.filter((_, i) => init[i]?.restartPolicy === 'Always')]);
  const prevTimes = new Map((prev?.conditions ?? []).map((c) => [`${c.type}/${c.status}`, c.lastTransitionTime]));
  const t = formatTime(now);
  return {
    phase: view.phase,
    // lastProbeTime is left out: Go's zero time, which prints as null, would read as a deletion in a patch.
    conditions: conditions.map((c) => ({ ...c, lastTransitionTime: prevTimes.get(`${c.type}/${c.status}`) ?? t })),
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: formatTime(view.startTime),
    ...(init.length > 0 ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: podQosClass(pod),
  };
}

function podConditions(pod: PodObject, view: PodView, statuses: ContainerStatus[]): Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>[] {
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const started = view.run.kind !== 'creating';
  const sandbox = view.run.kind === 'running' || view.run.kind === 'backoff';
  const initialized =
    view.phase === 'Succeeded'
      ? { status: 'True', reason: 'PodCompleted' }
      : started || !hasInit
        ? { status: 'True' }
        : { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList((pod.spec?.initContainers ?? []).map((c) => c.name))}` };
  let containersReady: { status: string; reason?: string; message?: string };
  if (view.phase === 'Succeeded') containersReady = { status: 'False', reason: 'PodCompleted' };
  else if (view.phase === 'Failed') containersReady = { status: 'False', reason: 'PodFailed' };
  else {
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    containersReady = unready.length > 0 ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` } : { status: 'True' };
  }
  let ready = containersReady;
  if (containersReady.status === 'True') {
    // Readiness gates: conditions set by others (load balancers, for example) must be True as well.
    const conds = pod.status?.conditions ?? [];
    const waiting: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = conds.find((x) => x.type === g.conditionType);
      if (!c) waiting.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') waiting.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (waiting.length > 0) ready = { status: 'False', reason: 'ReadinessGatesNotReady', message: waiting.join(', ') };
  }
  return [
    { type: 'PodReadyToStartContainers', status: sandbox ? 'True' : 'False' },
    { type: 'Initialized', ...initialized },
    { type: 'Ready', ...ready },
    { type: 'ContainersReady', ...containersReady },
  ];
}

function containerStatus(pod: PodObject, c: Container, view: PodView, now: number, behindInit: boolean): ContainerStatus {
  const run = view.run;
  const uid = pod.metadata?.uid ?? '';
  const base = { name: c.name, image: normalizeImage(c.image ?? ''), restartCount: view.restartCount, lastState: lastState(uid, c.name, view) };
  switch (run.kind) {
    case 'creating':
      return { ...base, imageID: '', ready: false, started: false, state: { waiting: { reason: behindInit ? 'PodInitializing' : 'ContainerCreating' } } };
    case 'running':
      return { ...base, imageID: imageIdOf(c.image ?? ''), containerID: containerIdFor(uid, c.name, view.restartCount), ready: now >= run.readyAt, started: now >= run.startupDoneAt, state: { running: { startedAt: formatTime(run.startedAt) } } };
    case 'backoff': {
      const message = `back-off ${goDuration(run.delayMs)} restarting failed container=${c.name} pod=${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${uid})`;
      return { ...base, imageID: imageIdOf(c.image ?? ''), containerID: containerIdFor(uid, c.name, view.restartCount - 1), ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message } } };
    }
    case 'exited':
      return { ...base, imageID: imageIdOf(c.image ?? ''), containerID: containerIdFor(uid, c.name, view.restartCount), ready: false, started: false, state: terminatedState(run.run, containerIdFor(uid, c.name, view.restartCount)) };
    default: {
      const never: never = run;
      throw new Error(`unknown run state ${JSON.stringify(never)}`);
    }
  }
}

// Regular init containers ran to completion before the first run started; they stay Completed.
function initContainerStatus(pod: PodObject, c: Container, view: PodView): ContainerStatus {
  const uid = pod.metadata?.uid ?? '';
  const base = { name: c.name, image: normalizeImage(c.image ?? ''), restartCount: 0, lastState: {}, started: false };
  if (view.run.kind === 'creating') return { ...base, imageID: '', ready: false, state: { waiting: { reason: 'PodInitializing' } } };
  const id = containerIdFor(uid, c.name, 0);
  return { ...base, imageID: imageIdOf(c.image ?? ''), containerID: id, ready: true, state: terminatedState({ exitCode: 0, startedAt: view.startTime, finishedAt: view.startTime }, id) };
}

function lastState(uid: string, name: string, view: PodView): ContainerState {
  const last = view.lastTerminated;
  return last ? terminatedState(last, containerIdFor(uid, name, view.restartCount - 1)) : {};
}

function terminatedState(run: Terminated, containerID: string): ContainerState {
  return { terminated: { exitCode: run.exitCode, reason: run.exitCode === 0 ? 'Completed' : 'Error', startedAt: formatTime(run.startedAt), finishedAt: formatTime(run.finishedAt), containerID } };
}

/** containerIdFor derives a stable container ID for one run of one container, so nothing needs storing. */
export function containerIdFor(podUid: string, name: string, restartCount: number): string {
  return `sim://${createHash('sha256').update(`${podUid}/${name}/${restartCount}`).digest('hex')}`;
}

/** normalizeImage fully qualifies an image reference as containerd reports it ("nginx" → "docker.io/library/nginx:latest"). */
export function normalizeImage(image: string): string {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  if (!tag && !digest) tag = ':latest';
  return `${name}${tag}${digest}`;
}

/** imageIdOf is a repository digest reference for an image, derived from its name. */
export function imageIdOf(image: string): string {
  const full = normalizeImage(image);
  const at = full.indexOf('@');
  if (at >= 0) return full;
  const repo = full.slice(0, full.lastIndexOf(':'));
  return `${repo}@sha256:${createHash('sha256').update(full).digest('hex')}`;
}


/** goDuration prints milliseconds as Go's time.Duration does for whole seconds ("10s", "1m20s", "5m0s"). */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 1000 ? `${ms}ms` : `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${m}m${s % 60}s`;
}

function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}
