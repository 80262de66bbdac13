import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, EphemeralContainer, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/events.ts';
import type { CriClient } from '../cri/client.ts';
import { CriError, isCriNotFound } from '../cri/errors.ts';
import type { CriInput, Mount, PodSandboxConfig } from '../cri/types.ts';
import type { VolumeManager, PodVolumes } from '../volumes/types.ts';
import { Backoff } from './backoff.ts';
import { ContainerConfigError, makeEnvironment, type EnvContext, type ObjectSource } from './env.ts';
import { ensureEtcHosts } from './etc-hosts.ts';
import { runHook } from './hooks.ts';
import { ImagePullError, type ImagePuller } from './images.ts';
import { fieldPathOf, podFullName, podRef, type ContainerKind } from './labels.ts';
import type { RuntimeContainer, RuntimePod } from './runtime-state.ts';
import { verifyRunAsNonRoot } from './security.ts';
import { containerConfig, containerLogPath, type PodPaths } from './specs.ts';
import type { Waiting } from '../status/generate.ts';
import { goDuration } from '../status/format.ts';

// Starting and stopping one container (upstream kuberuntime_container.go startContainer and killContainer),
// with the crash-loop back-off, lifecycle hooks, events and waiting reasons.

/** ContainerRunnerOptions are what starting a container needs. */
export interface ContainerRunnerOptions {
  cri: CriClient;
  recorder: EventRecorder;
  images: ImagePuller;
  volumes: VolumeManager;
  objects: ObjectSource;
  memoryCapacityBytes: number;
  /** clusterDomain names pods with a subdomain in their /etc/hosts (default cluster.local). */
  clusterDomain?: string;
  now: () => number;
  log: (msg: string) => void;
}

/** StartRequest is one container run to start in a pod's sandbox. */
export interface StartRequest {
  pod: Pod;
  c: Container;
  kind: ContainerKind;
  restartCount: number;
  sandboxId: string;
  sandboxConfig: CriInput<PodSandboxConfig>;
  paths: PodPaths;
  volumes: PodVolumes;
  env: EnvContext;
  runtime: RuntimePod;
}

/** crashBackoffMs and crashBackoffMaxMs are the kubelet's crash-loop back-off: 10 s doubling to 5 min. */
export const crashBackoffMs = 10_000;
export const crashBackoffMaxMs = 300_000;

/** ContainerRunner starts and kills containers; start returns why it did not start one (the status's waiting reason). */
export class ContainerRunner {
  readonly #o: ContainerRunnerOptions;
  readonly #crash: Backoff;

  constructor(o: ContainerRunnerOptions) {
    this.#o = o;
    this.#crash = new Backoff(crashBackoffMs, crashBackoffMaxMs, o.now);
  }

  /** backoffRemainingMs is how long until a container in back-off may start again (0: it may now). */
  backoffRemainingMs(pod: Pod, name: string, last: RuntimeContainer | undefined): number {
    if (!last || last.state !== 'CONTAINER_EXITED') return 0;
    const key = crashKey(pod, name);
    if (!this.#crash.inBackoff(key, last.finishedAt)) return 0;
    return last.finishedAt + this.#crash.delay(key) - this.#o.now();
  }

  /** start starts one container; it returns undefined when it runs, or the waiting reason when it could not. */
  async start(r: StartRequest): Promise<Waiting | undefined> {
    const { pod, c, kind } = r;
    const o = this.#o;
    const ref = podRef(pod);
    const fieldPath = fieldPathOf(kind, c.name);
    const last = r.runtime.containers.find((x) => x.name === c.name);
    if (last && last.state === 'CONTAINER_EXITED') {
      const key = crashKey(pod, c.name);
      if (this.#crash.inBackoff(key, last.finishedAt)) {
        o.recorder.event(ref, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podFullName(pod)}`, { fieldPath });
        return { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(this.#crash.delay(key))} restarting failed container=${c.name} pod=${podFullName(pod)}` };
      }
      this.#crash.next(key);
    }
    let imageRef: string;
    let image;
    try {
      ({ imageRef, image } = await o.images.ensure(pod, c, fieldPath, r.sandboxConfig));
    } catch (err) {
      if (err instanceof ImagePullError) return { reason: err.reason, message: err.message };
      throw err;
    }
    let config;
    try {
      const env = await makeEnvironment(pod, c, o.objects, r.env);
      if (env.invalidKeys.length > 0) o.recorder.event(ref, 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${env.invalidKeys.join(', ')}] from the EnvFrom configMap ${pod.metadata?.namespace ?? ''} were skipped since they are considered invalid environment variable names.`, { fieldPath });
      verifyRunAsNonRoot(pod, c, image);
      const volumeMounts = await o.volumes.mountsFor(pod, c, r.volumes);
      const mounts: CriInput<Mount>[] = [...volumeMounts, this.#terminationMount(r), ...this.#hostsMount(r, volumeMounts)];
      const pidTargetId = kind === 'ephemeral' ? targetContainerId(r) : undefined;
      config = containerConfig(pod, c, { kind, restartCount: r.restartCount, envs: env.envs, mounts, imageRef, memoryCapacityBytes: o.memoryCapacityBytes, ...(pidTargetId ? { pidTargetId } : {}) });
    } catch (err) {
      if (err instanceof ContainerConfigError || (err instanceof Error && err.name === 'VolumeError')) {
        o.recorder.event(ref, 'Warning', 'Failed', `Error: ${err.message}`, { fieldPath });
        return { reason: 'CreateContainerConfigError', message: err.message };
      }
      throw err;
    }
    let id: string;
    try {
      id = await o.cri.createContainer(r.sandboxId, config, r.sandboxConfig);
    } catch (err) {
      const msg = criMessage(err);
      o.recorder.event(ref, 'Warning', 'Failed', `Error: ${msg}`, { fieldPath });
      return { reason: 'CreateContainerError', message: msg };
    }
    o.recorder.event(ref, 'Normal', 'Created', `Created container: ${c.name}`, { fieldPath });
    try {
      await o.cri.startContainer(id);
    } catch (err) {
      const msg = criMessage(err);
      o.recorder.event(ref, 'Warning', 'Failed', `Error: ${msg}`, { fieldPath });
      return { reason: 'RunContainerError', message: msg };
    }
    o.recorder.event(ref, 'Normal', 'Started', `Started container ${c.name}`, { fieldPath });
    // Older runs go; the one before this keeps its logs for `kubectl logs --previous`.
    for (const old of r.runtime.containers.filter((x) => x.name === c.name).slice(1)) await o.cri.removeContainer(old.id).catch(() => {});
    const post = c.lifecycle?.postStart;
    if (post) {
      try {
        await runHook(o.cri, id, c, post, r.env.podIPs[0] ?? '', 30);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        o.recorder.event(ref, 'Warning', 'FailedPostStartHook', msg, { fieldPath });
        await this.kill(pod, { id, name: c.name, kind }, 0, `FailedPostStartHook`, r.env.podIPs[0] ?? '');
        return { reason: 'PostStartHookError', message: msg };
      }
    }
    return undefined;
  }

  /** kill runs the preStop hook and stops a container within the grace period; message is the Killing event's. */
  async kill(pod: Pod | undefined, run: { id: string; name: string; kind: ContainerKind }, graceSeconds: number, message: string | undefined, podIP: string): Promise<void> {
    const o = this.#o;
    const c = pod ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === run.name) : undefined;
    if (pod && message !== '') o.recorder.event(podRef(pod), 'Normal', 'Killing', message ?? `Stopping container ${run.name}`, { fieldPath: fieldPathOf(run.kind, run.name) });
    const startedAt = o.now();
    const pre = c?.lifecycle?.preStop;
    if (pre && c && graceSeconds > 0) {
      // The hook gets the grace period; what it leaves is the SIGTERM-to-SIGKILL time (at least 2 s, as upstream).
      const hook = runHook(o.cri, run.id, c, pre, podIP, graceSeconds).catch((err: unknown) => {
        if (pod) o.recorder.event(podRef(pod), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${err instanceof Error ? err.message : String(err)}`, { fieldPath: fieldPathOf(run.kind, run.name) });
      });
      await Promise.race([hook, new Promise((res) => setTimeout(res, graceSeconds * 1000).unref())]);
      graceSeconds = Math.max(2, graceSeconds - Math.floor((o.now() - startedAt) / 1000));
    }
    try {
      await o.cri.stopContainer(run.id, graceSeconds);
    } catch (err) {
      if (!isCriNotFound(err)) throw err;
    }
  }

  /** resetBackoff forgets a container's crash-loop back-off (the pod went away). */
  resetBackoff(pod: Pod, name: string): void {
    this.#crash.reset(crashKey(pod, name));
  }

  /** #hostsMount is the pod's managed /etc/hosts, unless the container mounts its own or the pod has no IP yet. */
  #hostsMount(r: StartRequest, mounts: readonly CriInput<Mount>[]): CriInput<Mount>[] {
    if (r.env.podIPs.length === 0 || mounts.some((m) => m.containerPath === '/etc/hosts')) return [];
    mkdirSync(r.paths.podDir, { recursive: true });
    const file = join(r.paths.podDir, 'etc-hosts');
    ensureEtcHosts(file, r.pod, r.env.podIPs, this.#o.clusterDomain ?? 'cluster.local');
    return [{ containerPath: '/etc/hosts', hostPath: file }];
  }

  #terminationMount(r: StartRequest): CriInput<Mount> {
    const dir = join(r.paths.podDir, 'containers', r.c.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, String(r.restartCount));
    writeFileSync(file, '', { mode: 0o666 });
    return { containerPath: r.c.terminationMessagePath ?? '/dev/termination-log', hostPath: file };
  }
}

/** terminationMessage reads what an exited container left in its termination message file, or its log's tail. */
export function terminationMessage(pod: Pod, run: RuntimeContainer, paths: PodPaths): string {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === run.name);
  try {
    const msg = readFileSync(join(paths.podDir, 'containers', run.name, String(run.restartCount)), 'utf8').slice(0, 4096);
    if (msg) return msg;
  } catch {
    // no file: nothing written
  }
  if (c?.terminationMessagePolicy === 'FallbackToLogsOnError' && run.exitCode !== 0) return logTail(join(paths.logDir, containerLogPath(run.name, run.restartCount)));
  return '';
}

/** logTail is the last 80 lines (at most 2 KiB) of a CRI log file, without the CRI prefixes. */
export function logTail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-80).map((l) => {
      const m = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(l);
      return m ? (m[2] ?? '') + (m[1] === 'F' ? '\n' : '') : `${l}\n`;
    });
    const text = lines.join('');
    return text.length > 2048 ? text.slice(-2048) : text;
  } catch {
    return '';
  }
}

/** targetContainerId is the running container an ephemeral container targets (none: it has no target). */
function targetContainerId(r: StartRequest): string | undefined {
  const target = (r.c as EphemeralContainer).targetContainerName;
  if (!target) return undefined;
  const run = r.runtime.containers.find((x) => x.name === target && x.kind !== 'ephemeral');
  if (!run || run.state !== 'CONTAINER_RUNNING') throw new ContainerConfigError(`cannot find target container "${target}" running`);
  return run.id;
}

function crashKey(pod: Pod, name: string): string {
  return `${pod.metadata?.uid ?? ''}/${name}`;
}

function criMessage(err: unknown): string {
  if (err instanceof CriError) return err.details;
  return err instanceof Error ? err.message : String(err);
}
