import { mkdirSync, rmSync } from 'node:fs';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { formatTime } from '../../api/time.ts';
import type { Client } from '../../client/client.ts';
import type { EventRecorder } from '../../client/events.ts';
import { podDnsConfig, type PodDnsSettings } from '../../dns/resolv-conf.ts';
import type { CriClient } from '../cri/client.ts';
import { CriError, isCriNotFound } from '../cri/errors.ts';
import type { ProbeManager } from '../prober/manager.ts';
import { generatePodStatus, type Waiting } from '../status/generate.ts';
import { VolumeError, type PodVolumes, type VolumeManager } from '../volumes/types.ts';
import { computePodActions } from './actions.ts';
import { admitPod, type Rejection } from './admission.ts';
import type { PodCgroups } from './cgroups.ts';
import { terminationMessage, type ContainerRunner } from './containers.ts';
import { podRef, type ContainerKind } from './labels.ts';
import type { RuntimePod, RuntimeReader } from './runtime-state.ts';
import { isStaticPod } from '../static/manifest.ts';
import { podPaths, sandboxConfig, terminationGraceSeconds, type PodPaths } from './specs.ts';

// The pod worker (upstream kubelet.go syncPod / syncTerminatingPod and pod_workers.go): one sync of one pod
// at a time, keyed by uid. A sync admits the pod, prepares volumes, computes the actions against what CRI
// reports, carries them out, and reports the status when it changed. Deleted pods are stopped gracefully,
// cleaned up to nothing, and then deleted for good.

/** NodeFacts are what the worker knows about its node. */
export interface NodeFacts {
  name: string;
  hostIPs: string[];
  allocatable: Record<string, string>;
}

/** PodSource reads the pods bound to this node from the informer's cache. */
export interface PodSource {
  byUid(uid: string): Pod | undefined;
  boundHere(): Pod[];
}

/** PodWorkerOptions are the worker's dependencies. */
export interface PodWorkerOptions {
  cri: CriClient;
  client: Client;
  recorder: EventRecorder;
  runtime: RuntimeReader;
  runner: ContainerRunner;
  probes: ProbeManager;
  volumes: VolumeManager;
  cgroups: PodCgroups;
  cgroupRoot: string;
  dataDir: string;
  dns: PodDnsSettings;
  node: NodeFacts;
  pods: PodSource;
  /** requeue asks for another sync of a pod after ms. */
  requeue: (uid: string, ms: number) => void;
  /** admit is a further admission check (the eviction manager's, under node pressure). */
  admit?: (pod: Pod) => Rejection | undefined;
  now: () => number;
  log: (msg: string) => void;
}

interface PodState {
  admitted: boolean;
  /** startTime is when the agent first took the pod on (the status's startTime). */
  startTime: number;
  rejected?: Rejection;
  /** evicted is the eviction manager's message once it chose this pod. */
  evicted?: string;
  reported?: string;
}

/** Stopping is a pod whose containers are being stopped: the grace period in force and the containers still stopping. */
interface Stopping {
  grace: number;
  containers: Set<string>;
}

/** PodWorker syncs pods; sync(uid) is level-triggered and idempotent. */
export class PodWorker {
  readonly #o: PodWorkerOptions;
  readonly #state = new Map<string, PodState>();
  readonly #stopping = new Map<string, Stopping>();

  constructor(o: PodWorkerOptions) {
    this.#o = o;
  }

  /** admittedPods are the pods this node accepted that have not finished. */
  admittedPods(): Pod[] {
    return this.#o.pods.boundHere().filter((p) => {
      const st = this.#state.get(p.metadata?.uid ?? '');
      return st?.admitted && !st.evicted && !isTerminal(p);
    });
  }

  /** evict stops a running pod at once and fails it with reason Evicted (the eviction manager's decision). */
  evict(uid: string, message: string): void {
    const st = this.#state.get(uid);
    if (!st?.admitted || st.evicted) return;
    st.evicted = message;
    this.#o.requeue(uid, 0);
  }

  /** forgetReportedStatus makes the next sync write a pod's status even if unchanged (its API object was replaced). */
  forgetReportedStatus(uid: string): void {
    const st = this.#state.get(uid);
    if (st) delete st.reported;
  }

  /**
   * shortenGrace gives the containers of a pod that is being stopped a shorter grace period (a second `kubectl delete
   * --grace-period`; a force delete, which removes the pod from the API: 0), as the kubelet's pod workers do: grace
   * only decreases, and the containers still stopping get a new StopContainer with it beside the one under way. It
   * runs outside the per-pod sync, which is busy waiting out the first grace period.
   */
  shortenGrace(uid: string, graceSeconds: number | undefined): void {
    const s = this.#stopping.get(uid);
    if (!s || graceSeconds === undefined || graceSeconds >= s.grace) return;
    s.grace = graceSeconds;
    for (const id of s.containers) {
      this.#o.cri.stopContainer(id, graceSeconds).catch((err: unknown) => {
        if (!isCriNotFound(err)) this.#o.log(`pod ${uid}: stop container ${id} within ${graceSeconds}s: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }

  /** sync brings one pod's containers and status in line with its spec. */
  async sync(uid: string): Promise<void> {
    const pod = this.#o.pods.byUid(uid);
    if (!pod) return this.#removeOrphan(uid);
    if (pod.metadata?.deletionTimestamp) return this.#terminate(pod);
    let st = this.#state.get(uid);
    if (!st) {
      st = { admitted: false, startTime: this.#o.now() };
      this.#state.set(uid, st);
    }
    const paths = this.#paths(pod);
    let rp = await this.#o.runtime.pod(uid);
    if (isTerminal(pod) && !st.admitted) {
      // Finished before this agent started: make sure nothing of it runs; its status stays as it is.
      await this.#killPod(pod, rp, 0);
      return;
    }
    if (!st.admitted) {
      const fresh = rp.sandboxes.length === 0 && rp.containers.length === 0;
      const rejection = fresh ? (this.#o.admit?.(pod) ?? admitPod(pod, this.admittedPods(), this.#o.node.allocatable)) : undefined;
      if (rejection) {
        st.rejected = rejection;
        this.#o.recorder.event(podRef(pod), 'Warning', rejection.reason, rejection.message);
        await this.#write(pod, st, { phase: 'Failed', reason: rejection.reason, message: `Pod was rejected: ${rejection.message}`, startTime: pod.status?.startTime ?? formatTime(st.startTime) });
        return;
      }
      st.admitted = true;
    }
    if (st.rejected) return;
    if (st.evicted) return this.#finishEviction(pod, rp, st, st.evicted);

    let volumes: PodVolumes;
    try {
      volumes = await this.#o.volumes.setUp(pod);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      this.#o.recorder.event(podRef(pod), 'Warning', err.reason, err.message);
      await this.#report(pod, rp, st, new Map());
      this.#o.requeue(uid, 5_000);
      return;
    }

    const actions = computePodActions(pod, rp, this.#o.probes);
    const grace = terminationGraceSeconds(pod);
    if (actions.killPod) {
      await this.#killPod(pod, rp, grace);
      rp = await this.#o.runtime.pod(uid);
    }
    let sandboxId = actions.sandboxId;
    const attempt = actions.createSandbox ? actions.sandboxAttempt : (rp.sandboxes[0]?.attempt ?? 0);
    const sbConfig = sandboxConfig(pod, attempt, paths, this.#o.dns);
    const waiting = new Map<string, Waiting>();
    if (actions.createSandbox) {
      for (const w of podDnsConfig(pod, this.#o.dns).warnings) this.#o.recorder.event(podRef(pod), 'Warning', w.reason, w.message);
      mkdirSync(paths.logDir, { recursive: true, mode: 0o755 });
      this.#o.cgroups.create(uid);
      try {
        sandboxId = await this.#o.cri.runPodSandbox(sbConfig);
      } catch (err) {
        const msg = err instanceof CriError ? `rpc error: code = ${err.codeName} desc = ${err.details}` : String(err);
        this.#o.recorder.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
        await this.#report(pod, rp, st, waiting);
        this.#o.requeue(uid, 5_000);
        return;
      }
      // Earlier sandboxes (a crash, a containerd restart) go, with their containers.
      for (const old of rp.sandboxes) {
        await this.#o.cri.stopPodSandbox(old.id).catch(() => {});
        await this.#o.cri.removePodSandbox(old.id).catch(() => {});
      }
      this.#o.runtime.forget(rp.containers.map((c) => c.id));
      rp = await this.#o.runtime.pod(uid);
    }
    const podIP = this.#podIP(pod, rp);
    const env = { podIPs: podIP ? [podIP] : [], hostIPs: this.#o.node.hostIPs, allocatable: { cpu: this.#o.node.allocatable.cpu ?? '0', memory: this.#o.node.allocatable.memory ?? '0' } };
    for (const k of actions.kill) {
      // Probe failures announced their own Killing event.
      const message = k.reason === 'liveness' || k.reason === 'startup' ? '' : k.reason === 'spec-changed' ? `Container ${k.run.name} definition changed, will be restarted` : undefined;
      await this.#o.runner.kill(pod, k.run, grace, message, podIP ?? '');
    }
    if (actions.kill.length > 0) rp = await this.#o.runtime.pod(uid);
    let nextWakeMs: number | undefined;
    for (const s of sandboxId ? actions.start : []) {
      const w = await this.#o.runner.start({ pod, c: s.c, kind: s.kind, restartCount: s.restartCount, sandboxId: sandboxId ?? '', sandboxConfig: sbConfig, paths, volumes, env, runtime: rp });
      if (!w) continue;
      waiting.set(s.c.name, w);
      const retry = w.reason === 'CrashLoopBackOff' ? this.#o.runner.backoffRemainingMs(pod, s.c.name, rp.containers.find((c) => c.name === s.c.name)) : 10_000;
      nextWakeMs = Math.min(nextWakeMs ?? Infinity, Math.max(100, retry));
    }
    if (actions.start.length > 0) rp = await this.#o.runtime.pod(uid);
    this.#fillMessages(pod, rp, paths);
    this.#o.probes.sync(pod, rp, podIP ?? '');
    await this.#report(pod, rp, st, waiting);
    if (nextWakeMs !== undefined) this.#o.requeue(uid, nextWakeMs);
  }

  /** #finishEviction kills an evicted pod without grace and reports it Failed/Evicted with a DisruptionTarget condition. */
  async #finishEviction(pod: Pod, rp: RuntimePod, st: PodState, message: string): Promise<void> {
    await this.#killPod(pod, rp, 0);
    if (isTerminal(pod) && pod.status?.reason === 'Evicted') return;
    rp = await this.#o.runtime.pod(pod.metadata?.uid ?? '');
    const probes = this.#o.probes;
    const status = generatePodStatus({ pod, runtime: rp, waiting: new Map(), ready: (id) => probes.ready(id), started: (id) => probes.started(id), hostIPs: this.#o.node.hostIPs, now: this.#o.now(), startTime: st.startTime, terminal: true });
    const now = formatTime(this.#o.now());
    const disruption = { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: now };
    const conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), disruption];
    await this.#write(pod, st, { ...status, phase: 'Failed', reason: 'Evicted', message, conditions });
  }

  /** #terminate stops a deleted pod within its grace period, removes everything of it, and deletes it for good. */
  async #terminate(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const st = this.#state.get(uid) ?? { admitted: true, startTime: this.#o.now() };
    let rp = await this.#o.runtime.pod(uid);
    const stopped = await this.#killPod(pod, rp, terminationGraceSeconds(pod));
    rp = await this.#o.runtime.pod(uid);
    this.#fillMessages(pod, rp, this.#paths(pod));
    if (!st.rejected && (rp.containers.length > 0 || rp.sandboxes.length > 0)) {
      try {
        await this.#report(pod, rp, st, new Map(), true);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) this.#o.log(`pod ${uid}: final status: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await this.#removeAll(uid, rp, stopped, this.#paths(pod), pod);
    try {
      await this.#o.client.resource('v1', 'pods').delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
    this.#state.delete(uid);
  }

  /** #removeOrphan removes what runs of a pod the API no longer has (force-deleted, or bound elsewhere). */
  async #removeOrphan(uid: string): Promise<void> {
    this.#state.delete(uid);
    const rp = await this.#o.runtime.pod(uid);
    if (rp.sandboxes.length === 0 && rp.containers.length === 0) return;
    const grace = Math.max(0, ...rp.containers.map((c) => c.graceSeconds));
    const stopped = await this.#killPod(undefined, rp, grace);
    await this.#removeAll(uid, rp, stopped, podPaths({ namespace: rp.namespace, name: rp.name, uid }, this.#o.dataDir, this.#o.cgroupRoot));
  }

  /**
   * #killPod stops the pod's containers (app containers together, then sidecars in reverse order) and its ready
   * sandboxes, and returns the ids of the sandboxes it stopped.
   */
  async #killPod(pod: Pod | undefined, rp: RuntimePod, grace: number): Promise<Set<string>> {
    const stopped = new Set<string>();
    const podIP = pod ? (this.#podIP(pod, rp) ?? '') : '';
    const running = rp.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED' || c.state === 'CONTAINER_UNKNOWN');
    // The grace period is read at each step: shortenGrace may lower it while earlier containers are stopping.
    const stopping: Stopping = { grace, containers: new Set() };
    if (running.length > 0) this.#stopping.set(rp.uid, stopping);
    const kill = async (c: (typeof running)[number], message: string | undefined): Promise<void> => {
      stopping.containers.add(c.id);
      try {
        await this.#o.runner.kill(pod, c, stopping.grace, message, podIP);
      } finally {
        stopping.containers.delete(c.id);
      }
    };
    try {
      const order: ContainerKind[][] = [['app', 'ephemeral'], ['init']];
      for (const kinds of order) await Promise.all(running.filter((c) => kinds.includes(c.kind)).map((c) => kill(c, c.state === 'CONTAINER_RUNNING' ? undefined : '')));
      const sidecars = running.filter((c) => c.kind === 'sidecar');
      const specOrder = (pod?.spec?.initContainers ?? []).map((c) => c.name);
      sidecars.sort((a, b) => specOrder.indexOf(b.name) - specOrder.indexOf(a.name));
      for (const c of sidecars) await kill(c, undefined);
    } finally {
      if (this.#stopping.get(rp.uid) === stopping) this.#stopping.delete(rp.uid);
    }
    for (const s of rp.sandboxes) {
      if (s.state !== 'SANDBOX_READY') continue;
      try {
        await this.#o.cri.stopPodSandbox(s.id);
        stopped.add(s.id);
      } catch (err) {
        if (!isCriNotFound(err)) throw err;
      }
    }
    if (pod) this.#o.probes.removePod(pod.metadata?.uid ?? '');
    return stopped;
  }

  /**
   * #removeAll removes the pod's containers, sandboxes, volumes, cgroups and directories. Sandboxes #killPod has
   * just stopped are not stopped again: every StopPodSandbox runs the whole CNI DEL chain once more (containerd
   * 1.6 tears the network down on each call, and RemovePodSandbox stops the sandbox itself too).
   */
  async #removeAll(uid: string, rp: RuntimePod, stopped: ReadonlySet<string>, paths: PodPaths, pod?: Pod): Promise<void> {
    for (const c of rp.containers) await this.#o.cri.removeContainer(c.id).catch((err: unknown) => this.#o.log(`pod ${uid}: remove container ${c.id}: ${String(err)}`));
    for (const s of rp.sandboxes) {
      if (!stopped.has(s.id)) await this.#o.cri.stopPodSandbox(s.id).catch(() => {});
      await this.#o.cri.removePodSandbox(s.id).catch((err: unknown) => this.#o.log(`pod ${uid}: remove sandbox ${s.id}: ${String(err)}`));
    }
    this.#o.runtime.forget(rp.containers.map((c) => c.id));
    this.#o.probes.removePod(uid);
    await this.#o.volumes.tearDown(uid);
    const left = this.#o.cgroups.remove(uid);
    if (left.length > 0) this.#o.log(`pod ${uid}: cgroups not removed: ${left.join(', ')}`);
    rmSync(paths.logDir, { recursive: true, force: true });
    rmSync(paths.podDir, { recursive: true, force: true });
    if (pod) for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) this.#o.runner.resetBackoff(pod, c.name);
  }

  #paths(pod: Pod): PodPaths {
    return podPaths(pod.metadata ?? {}, this.#o.dataDir, this.#o.cgroupRoot);
  }

  #podIP(pod: Pod, rp: RuntimePod): string | undefined {
    if (pod.spec?.hostNetwork) return this.#o.node.hostIPs[0];
    const s = rp.sandboxes[0];
    return s?.state === 'SANDBOX_READY' ? s.ip : undefined;
  }

  #fillMessages(pod: Pod, rp: RuntimePod, paths: PodPaths): void {
    for (const c of rp.containers) if (c.state === 'CONTAINER_EXITED' && !c.message) c.message = terminationMessage(pod, c, paths);
  }

  async #report(pod: Pod, rp: RuntimePod, st: PodState, waiting: Map<string, Waiting>, terminal = false): Promise<void> {
    const probes = this.#o.probes;
    const status = generatePodStatus({ pod, runtime: rp, waiting, ready: (id) => probes.ready(id), started: (id) => probes.started(id), hostIPs: this.#o.node.hostIPs, now: this.#o.now(), startTime: st.startTime, terminal });
    await this.#write(pod, st, status);
  }

  async #write(pod: Pod, st: PodState, status: PodStatus): Promise<void> {
    const json = JSON.stringify(status);
    if (json === st.reported) return;
    // Conditions merge by type, so a reason or message that no longer applies must be deleted explicitly.
    const before = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
    const conditions = status.conditions?.map((c) => {
      const was = before.get(c.type);
      return { ...c, ...(was?.reason && !c.reason ? { reason: null } : {}), ...(was?.message && !c.message ? { message: null } : {}) };
    });
    try {
      await this.#o.client.resource('v1', 'pods').patch(pod.metadata?.namespace, pod.metadata?.name ?? '', 'strategic', { status: { ...status, ...(conditions ? { conditions } : {}) } }, { subresource: 'status' });
    } catch (err) {
      // A static pod's status goes to its mirror pod, which may not exist yet: it is written once it does.
      if (isApiError(err, 'NotFound') && isStaticPod(pod)) return;
      throw err;
    }
    st.reported = json;
  }
}

/** isTerminal reports whether a pod's phase is final. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
