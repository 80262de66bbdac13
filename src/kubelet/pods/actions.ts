import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { hashContainer, type ContainerKind } from './labels.ts';
import { latestRun, type RuntimeContainer, type RuntimePod } from './runtime-state.ts';

// What a sync must do to bring a pod's containers to its spec (upstream kuberuntime_manager.go
// computePodActions): a pure function of the spec, the runtime's state and the probes' verdicts.

/** ProbeVerdicts are what the prober has concluded about running containers. */
export interface ProbeVerdicts {
  /** killReason is why a running container must be restarted: its liveness or startup probe failed. */
  killReason(containerId: string): 'liveness' | 'startup' | undefined;
  /** started says whether a running container has started (its startup probe passed, or it has none). */
  started(containerId: string): boolean;
}

/** StartAction is one container to create and start. */
export interface StartAction {
  c: Container;
  kind: ContainerKind;
  restartCount: number;
}

/** KillAction is one running container to stop, and why. */
export interface KillAction {
  run: RuntimeContainer;
  c?: Container;
  reason: 'liveness' | 'startup' | 'spec-changed' | 'unknown';
}

/** PodActions is what one sync does. */
export interface PodActions {
  /** killPod stops every container and the sandbox (the pod is done, or its sandbox is being replaced). */
  killPod: boolean;
  createSandbox: boolean;
  sandboxAttempt: number;
  sandboxId?: string;
  start: StartAction[];
  kill: KillAction[];
  /** initFailed is a failed init container of a pod that will not restart it: the pod has failed. */
  initFailed?: string;
}

/** shouldRestart applies the pod's restartPolicy to a container that exited with exitCode. */
export function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

const nextCount = (rp: RuntimePod, name: string): number => {
  const last = latestRun(rp, name);
  return last ? last.restartCount + 1 : 0;
};

/** computePodActions compares a pod's spec with what runs and says what to start, stop or recreate. */
export function computePodActions(pod: Pod, rp: RuntimePod, probes: ProbeVerdicts): PodActions {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const init = pod.spec?.initContainers ?? [];
  const apps = pod.spec?.containers ?? [];
  const actions: PodActions = { killPod: false, createSandbox: false, sandboxAttempt: 0, start: [], kill: [] };
  const ready = rp.sandboxes.filter((s) => s.state === 'SANDBOX_READY');
  const newest = rp.sandboxes[0];
  const wantHostNet = pod.spec?.hostNetwork ?? false;
  const sandboxOk = ready.length === 1 && newest?.state === 'SANDBOX_READY' && newest.hostNetwork === wantHostNet && (wantHostNet || Boolean(newest.ip));
  if (!sandboxOk) {
    actions.createSandbox = true;
    actions.killPod = rp.sandboxes.length > 0 || rp.containers.length > 0;
    actions.sandboxAttempt = newest ? newest.attempt + 1 : 0;
    // A pod that ran to its end is not brought back because its sandbox went away.
    if (newest && rp.containers.length > 0) {
      const appsDone = apps.every((c) => {
        const r = latestRun(rp, c.name);
        return r !== undefined && r.state === 'CONTAINER_EXITED' && !shouldRestart(policy, r.exitCode);
      });
      if (policy === 'Never' || appsDone) {
        actions.createSandbox = false;
        return actions;
      }
    }
    const first = init[0];
    if (first) actions.start.push({ c: first, kind: first.restartPolicy === 'Always' ? 'sidecar' : 'init', restartCount: nextCount(rp, first.name) });
    else for (const c of apps) actions.start.push({ c, kind: 'app', restartCount: nextCount(rp, c.name) });
    return actions;
  }
  actions.sandboxId = newest?.id;
  // Ephemeral containers start once, even before initialization is done, and are never restarted.
  for (const e of pod.spec?.ephemeralContainers ?? []) if (!latestRun(rp, e.name)) actions.start.push({ c: e as Container, kind: 'ephemeral', restartCount: 0 });

  // Init containers run one at a time, in order; a sidecar counts as done once it has started.
  let initialized = true;
  for (const c of init) {
    const sidecar = c.restartPolicy === 'Always';
    const run = latestRun(rp, c.name);
    if (sidecar) {
      if (!run || run.state === 'CONTAINER_EXITED' || run.state === 'CONTAINER_CREATED') {
        actions.start.push({ c, kind: 'sidecar', restartCount: nextCount(rp, c.name) });
        initialized = false;
        break;
      }
      if (run.state === 'CONTAINER_RUNNING') {
        const why = probes.killReason(run.id) ?? (run.hash !== hashContainer(c) ? 'spec-changed' : undefined);
        if (why) {
          actions.kill.push({ run, c, reason: why });
          actions.start.push({ c, kind: 'sidecar', restartCount: run.restartCount + 1 });
          initialized = false;
          break;
        }
        if (!probes.started(run.id)) {
          initialized = false;
          break;
        }
      }
      continue;
    }
    if (!run || run.state === 'CONTAINER_CREATED') {
      actions.start.push({ c, kind: 'init', restartCount: nextCount(rp, c.name) });
      initialized = false;
      break;
    }
    if (run.state === 'CONTAINER_RUNNING') {
      initialized = false;
      break;
    }
    if (run.state === 'CONTAINER_EXITED' && run.exitCode === 0) continue;
    // Failed (or unknown): restart unless the pod never restarts anything.
    initialized = false;
    if (policy === 'Never') {
      actions.initFailed = c.name;
      actions.killPod = true;
      actions.start = [];
    } else {
      if (run.state === 'CONTAINER_UNKNOWN') actions.kill.push({ run, c, reason: 'unknown' });
      actions.start.push({ c, kind: 'init', restartCount: run.restartCount + 1 });
    }
    break;
  }
  // Sidecars that stopped after initialization are brought back as long as the pod runs.
  if (initialized) {
    for (const c of init) {
      if (c.restartPolicy !== 'Always') continue;
      const run = latestRun(rp, c.name);
      if (run && run.state === 'CONTAINER_RUNNING') {
        const why = probes.killReason(run.id) ?? (run.hash !== hashContainer(c) ? 'spec-changed' : undefined);
        if (!why) continue;
        actions.kill.push({ run, c, reason: why });
      }
      actions.start.push({ c, kind: 'sidecar', restartCount: nextCount(rp, c.name) });
    }
  }
  if (!initialized) return actions;

  let keep = 0;
  for (const c of apps) {
    const run = latestRun(rp, c.name);
    if (!run) {
      actions.start.push({ c, kind: 'app', restartCount: 0 });
      continue;
    }
    if (run.state === 'CONTAINER_RUNNING') {
      const why = probes.killReason(run.id) ?? (run.hash !== hashContainer(c) ? 'spec-changed' : undefined);
      if (!why) {
        keep++;
        continue;
      }
      actions.kill.push({ run, c, reason: why });
      if (policy !== 'Never' || why === 'spec-changed') actions.start.push({ c, kind: 'app', restartCount: run.restartCount + 1 });
      continue;
    }
    if (run.state === 'CONTAINER_CREATED') {
      actions.start.push({ c, kind: 'app', restartCount: run.restartCount + 1 });
      continue;
    }
    if (run.state === 'CONTAINER_UNKNOWN') actions.kill.push({ run, c, reason: 'unknown' });
    if (shouldRestart(policy, run.exitCode)) actions.start.push({ c, kind: 'app', restartCount: run.restartCount + 1 });
  }
  // Nothing runs and nothing will: the pod is finished, so its sandbox (and sidecars) stop.
  if (keep === 0 && actions.start.every((st) => st.kind === 'ephemeral')) {
    actions.killPod = true;
    actions.start = [];
  }
  return actions;
}
