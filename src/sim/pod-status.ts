import { createHash } from 'node:crypto';
import type { Container, ContainerState, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../api/object.ts';
import { podQosClass } from '../api/core/qos.ts';
import { formatTime } from '../api/time.ts';
import { podConditions, withTransitionTimes } from '../kubelet/status/conditions.ts';
import { goDuration, normalizeImage } from '../kubelet/status/format.ts';

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

export { kubeletConditions } from '../kubelet/status/conditions.ts';
export { goDuration, normalizeImage } from '../kubelet/status/format.ts';

/** buildPodStatus derives the status a kubelet reports; prev supplies the transition times of unchanged conditions. */
export function buildPodStatus(pod: PodObject, view: PodView, now: number, prev: PodStatus | undefined): PodStatus {
  const spec = pod.spec ?? { containers: [] };
  const init = spec.initContainers ?? [];
  const containerStatuses = spec.containers.map((c) => containerStatus(pod, c, view, now, init.length > 0));
  const initContainerStatuses = init.map((c) => (c.restartPolicy === 'Always' ? containerStatus(pod, c, view, now, false) : initContainerStatus(pod, c, view)));
  const conditions = simConditions(pod, view, [...containerStatuses, ...initContainerStatuses.filter((_, i) => init[i]?.restartPolicy === 'Always')]);
  return {
    phase: view.phase,
    conditions: withTransitionTimes(conditions, prev?.conditions, formatTime(now)),
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: formatTime(view.startTime),
    ...(init.length > 0 ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: podQosClass(pod),
  };
}

function simConditions(pod: PodObject, view: PodView, statuses: ContainerStatus[]): ReturnType<typeof podConditions> {
  const started = view.run.kind !== 'creating';
  return podConditions(pod, {
    phase: view.phase,
    sandboxReady: view.run.kind === 'running' || view.run.kind === 'backoff',
    incompleteInit: started ? [] : (pod.spec?.initContainers ?? []).map((c) => c.name),
    statuses,
  });
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

/** imageIdOf is a repository digest reference for an image, derived from its name. */
export function imageIdOf(image: string): string {
  const full = normalizeImage(image);
  const at = full.indexOf('@');
  if (at >= 0) return full;
  const repo = full.slice(0, full.lastIndexOf(':'));
  return `${repo}@sha256:${createHash('sha256').update(full).digest('hex')}`;
}
