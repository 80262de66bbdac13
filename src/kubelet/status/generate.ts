import type { Container, ContainerState, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { podQosClass } from '../../api/core/qos.ts';
import { formatTime } from '../../api/time.ts';
import type { RuntimeContainer, RuntimePod } from '../pods/runtime-state.ts';
import { podConditions, withTransitionTimes } from './conditions.ts';
import { normalizeImage } from './format.ts';

// A real pod's status from what CRI reports (upstream kubelet_pods.go generateAPIPodStatus, getPhase and
// convertToAPIContainerStatuses).

/** Waiting is why a container is not running, from the last sync (ErrImagePull, CrashLoopBackOff, ...). */
export interface Waiting {
  reason: string;
  message?: string;
}

/** StatusInputs are what a pod's status is generated from. */
export interface StatusInputs {
  pod: Pod;
  runtime: RuntimePod;
  /** waiting holds, per container name, why the last sync could not start it. */
  waiting: ReadonlyMap<string, Waiting>;
  ready(containerId: string): boolean;
  started(containerId: string): boolean;
  hostIPs: string[];
  now: number;
  /** startTime is when the agent took the pod on, if the pod has no startTime yet. */
  startTime?: number;
  /** terminated marks a pod the agent has finished (it failed, or ran to completion and will not restart). */
  terminal?: boolean;
}

/** runtimeContainerId is the containerID a status reports: "containerd://<id>". */
export function runtimeContainerId(id: string): string {
  return `containerd://${id}`;
}

function terminatedOf(run: RuntimeContainer, message?: string): ContainerState {
  const reason = run.reason || (run.exitCode === 0 ? 'Completed' : 'Error');
  return {
    terminated: {
      exitCode: run.exitCode,
      reason,
      ...(run.message || message ? { message: run.message || message } : {}),
      ...(run.startedAt ? { startedAt: formatTime(run.startedAt) } : {}),
      finishedAt: formatTime(run.finishedAt || run.startedAt),
      containerID: runtimeContainerId(run.id),
    },
  };
}

function containerStatus(i: StatusInputs, c: Container, init: boolean, defaultWaiting: string): ContainerStatus {
  const runs = i.runtime.containers.filter((r) => r.name === c.name);
  const latest = runs[0];
  const previous = runs[1];
  const status: ContainerStatus = { name: c.name, image: normalizeImage(c.image ?? ''), imageID: '', ready: false, restartCount: latest?.restartCount ?? 0, started: false, state: {}, lastState: {} };
  if (latest) {
    status.containerID = runtimeContainerId(latest.id);
    status.imageID = latest.imageRef;
    if (latest.state === 'CONTAINER_RUNNING') {
      status.state = { running: { startedAt: formatTime(latest.startedAt) } };
      status.started = i.started(latest.id);
      status.ready = status.started && i.ready(latest.id);
    } else if (latest.state === 'CONTAINER_EXITED' || latest.state === 'CONTAINER_UNKNOWN') {
      status.state = terminatedOf(latest);
      // A completed init container counts as ready (upstream).
      if (init && c.restartPolicy !== 'Always' && latest.exitCode === 0) status.ready = true;
    } else {
      status.state = { waiting: { reason: 'ContainerCreating' } };
    }
    if (previous && previous.state !== 'CONTAINER_RUNNING') status.lastState = terminatedOf(previous);
  }
  const w = i.waiting.get(c.name);
  if (w && !status.state?.running) {
    if (status.state?.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } };
  } else if (!latest) {
    status.state = { waiting: { reason: defaultWaiting } };
  }
  return status;
}

/** podPhase is upstream's getPhase: from the init and app containers' statuses and the restart policy. */
export function podPhase(pod: Pod, initStatuses: ContainerStatus[], statuses: ContainerStatus[], terminal: boolean): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const init = pod.spec?.initContainers ?? [];
  let pendingInit = 0;
  let failedInit = 0;
  init.forEach((c, idx) => {
    const s = initStatuses[idx];
    if (!s) return;
    if (c.restartPolicy === 'Always') {
      if (!s.started) pendingInit++;
      return;
    }
    const t = s.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (t || (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0)) failedInit++;
    else pendingInit++;
  });
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** generatePodStatus computes the status the agent reports for a pod. */
export function generatePodStatus(i: StatusInputs): PodStatus {
  const pod = i.pod;
  const init = pod.spec?.initContainers ?? [];
  const initDone = init.every((c) => {
    const r = i.runtime.containers.find((x) => x.name === c.name);
    return c.restartPolicy === 'Always' ? r?.state === 'CONTAINER_RUNNING' && i.started(r.id) : r?.state === 'CONTAINER_EXITED' && r.exitCode === 0;
  });
  const initStatuses = init.map((c) => containerStatus(i, c, true, 'PodInitializing'));
  const statuses = (pod.spec?.containers ?? []).map((c) => containerStatus(i, c, false, initDone ? 'ContainerCreating' : 'PodInitializing'));
  // Ephemeral containers never become ready and have no startup probe (no `started`), as upstream.
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => {
    const { started: _started, ...s } = containerStatus(i, c as Container, false, 'ContainerCreating');
    return { ...s, ready: false };
  });
  const prev = pod.status;
  let phase = podPhase(pod, initStatuses, statuses, i.terminal ?? false);
  // A terminal phase is final: a pod never comes back from Succeeded or Failed.
  if (prev?.phase === 'Succeeded' || prev?.phase === 'Failed') phase = prev.phase;
  const sandbox = i.runtime.sandboxes[0];
  const sandboxReady = sandbox?.state === 'SANDBOX_READY';
  const podIP = sandbox?.hostNetwork ? i.hostIPs[0] : sandbox?.ip;
  const sidecars = initStatuses.filter((_, idx) => init[idx]?.restartPolicy === 'Always');
  const incompleteInit = init.filter((c, idx) => {
    const s = initStatuses[idx];
    return c.restartPolicy === 'Always' ? !s?.started : !(s?.state?.terminated && s.state.terminated.exitCode === 0);
  }).map((c) => c.name);
  const conditions = podConditions(pod, { phase, sandboxReady, incompleteInit: initDone ? [] : incompleteInit, statuses: [...statuses, ...sidecars] });
  const reportedIP = podIP ?? prev?.podIP;
  return {
    phase,
    conditions: withTransitionTimes(conditions, prev?.conditions, formatTime(i.now)),
    hostIP: i.hostIPs[0],
    hostIPs: i.hostIPs.map((ip) => ({ ip })),
    ...(reportedIP ? { podIP: reportedIP, podIPs: [{ ip: reportedIP }] } : {}),
    startTime: prev?.startTime ?? formatTime(i.startTime ?? i.now),
    ...(init.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    ...(ephemeral.length > 0 ? { ephemeralContainerStatuses: ephemeral } : {}),
    qosClass: podQosClass(pod),
  };
}
