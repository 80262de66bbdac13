import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/events.ts';
import type { CriClient } from '../cri/client.ts';
import { containerKinds, fieldPathOf, podRef, type ContainerKind } from '../pods/labels.ts';
import type { RuntimePod } from '../pods/runtime-state.ts';
import { runProbe, type ProbeResult } from './probe.ts';

// Probe workers, one per running container and probe kind (upstream prober_manager.go and worker.go):
// they run on their period from the container's start, turn results into verdicts with the success and
// failure thresholds, hold liveness and readiness back until the startup probe passes, and tell the pod
// worker when a verdict changes.

/** ProbeKind is which probe a worker runs. */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';

const eventName: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** ProbeManagerOptions are the manager's dependencies. */
export interface ProbeManagerOptions {
  cri: CriClient;
  recorder: EventRecorder;
  /** changed is called with a pod's uid when a verdict about one of its containers changed. */
  changed: (podUid: string) => void;
  log: (msg: string) => void;
}

interface Worker {
  stop: AbortController;
}

/** ProbeManager runs probes and answers the pod worker's questions about them. */
export class ProbeManager {
  readonly #o: ProbeManagerOptions;
  readonly #workers = new Map<string, Worker>();
  readonly #ready = new Map<string, boolean>();
  readonly #started = new Map<string, boolean>();
  readonly #kill = new Map<string, 'liveness' | 'startup'>();
  /** #hasProbe records which containers have a readiness / startup probe, for the defaults. */
  readonly #hasProbe = new Map<string, Set<ProbeKind>>();

  constructor(o: ProbeManagerOptions) {
    this.#o = o;
  }

  /** ready says whether a running container passes its readiness probe (true without one). */
  ready(containerId: string): boolean {
    if (!this.#hasProbe.get(containerId)?.has('readiness')) return true;
    return this.#ready.get(containerId) ?? false;
  }

  /** started says whether a running container passed its startup probe (true without one). */
  started(containerId: string): boolean {
    if (!this.#hasProbe.get(containerId)?.has('startup')) return true;
    return this.#started.get(containerId) ?? false;
  }

  /** killReason says whether a running container failed its liveness or startup probe. */
  killReason(containerId: string): 'liveness' | 'startup' | undefined {
    return this.#kill.get(containerId);
  }

  /** sync starts workers for a pod's running containers and stops those of containers that no longer run. */
  sync(pod: Pod, rp: RuntimePod, podIP: string): void {
    const uid = pod.metadata?.uid ?? '';
    const want = new Set<string>();
    const specs = new Map(containerKinds(pod).map((k) => [k.c.name, k]));
    for (const run of rp.containers) {
      if (run.state !== 'CONTAINER_RUNNING') continue;
      const spec = specs.get(run.name);
      if (!spec || spec.kind === 'init') continue;
      const kinds = new Set<ProbeKind>();
      for (const kind of ['startup', 'liveness', 'readiness'] as const) {
        const probe = spec.c[`${kind}Probe`];
        if (!probe) continue;
        kinds.add(kind);
        const key = `${uid}/${run.id}/${kind}`;
        want.add(key);
        if (!this.#workers.has(key)) this.#startWorker(key, pod, spec.c, spec.kind, run.id, run.startedAt, podIP, kind, probe);
      }
      this.#hasProbe.set(run.id, kinds);
    }
    for (const [key, w] of this.#workers) {
      if (!key.startsWith(`${uid}/`) || want.has(key)) continue;
      w.stop.abort();
      this.#workers.delete(key);
      const id = key.split('/')[1] ?? '';
      this.#forget(id);
    }
  }

  /** removePod stops every worker of a pod. */
  removePod(uid: string): void {
    for (const [key, w] of this.#workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      w.stop.abort();
      this.#workers.delete(key);
      this.#forget(key.split('/')[1] ?? '');
    }
  }

  /** stop ends every worker. */
  stop(): void {
    for (const w of this.#workers.values()) w.stop.abort();
    this.#workers.clear();
  }

  #forget(id: string): void {
    this.#ready.delete(id);
    this.#started.delete(id);
    this.#kill.delete(id);
    this.#hasProbe.delete(id);
  }

  #startWorker(key: string, pod: Pod, c: Container, ck: ContainerKind, containerId: string, startedAt: number, podIP: string, kind: ProbeKind, probe: Probe): void {
    const stop = new AbortController();
    this.#workers.set(key, { stop });
    void this.#run(stop.signal, pod, c, ck, containerId, startedAt, podIP, kind, probe).catch((err: unknown) => {
      if (!stop.signal.aborted) this.#o.log(`probe ${key}: ${err instanceof Error ? err.message : String(err)}`);
    }).finally(() => {
      if (this.#workers.get(key)?.stop === stop) this.#workers.delete(key);
    });
  }

  async #run(signal: AbortSignal, pod: Pod, c: Container, ck: ContainerKind, id: string, startedAt: number, podIP: string, kind: ProbeKind, p: Probe): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const period = (p.periodSeconds ?? 10) * 1000;
    const successThreshold = kind === 'readiness' ? (p.successThreshold ?? 1) : 1;
    const failureThreshold = p.failureThreshold ?? 3;
    const initialAt = startedAt + (p.initialDelaySeconds ?? 0) * 1000;
    // Upstream starts each worker after a random part of the period, so probes of many pods spread out.
    await sleep(Math.max(0, initialAt - Date.now()), signal);
    let successes = 0;
    let failures = 0;
    let verdict: boolean | undefined;
    while (!signal.aborted) {
      const gated = kind !== 'startup' && !this.started(id);
      if (!gated) {
        const r: ProbeResult = await runProbe(p, { cri: this.#o.cri, containerId: id, container: c, podIP });
        if (signal.aborted) return;
        if (r.result === 'success') {
          successes++;
          failures = 0;
        } else {
          failures++;
          successes = 0;
          this.#o.recorder.event(podRef(pod), 'Warning', 'Unhealthy', `${eventName[kind]} probe failed: ${r.output.trim()}`, { fieldPath: fieldPathOf(ck, c.name) });
        }
        let next = verdict;
        if (successes >= successThreshold) next = true;
        else if (failures >= failureThreshold) next = false;
        if (next !== verdict) {
          verdict = next;
          this.#record(kind, id, next === true, c, ck, pod);
          this.#o.changed(uid);
          if (kind === 'startup' && next === true) return; // a started container is not probed for startup again
          if (kind !== 'readiness' && next === false) return; // the container is killed; its successor gets a new worker
        }
      }
      await sleep(period, signal);
    }
  }

  #record(kind: ProbeKind, id: string, ok: boolean, c: Container, ck: ContainerKind, pod: Pod): void {
    if (kind === 'readiness') this.#ready.set(id, ok);
    else if (kind === 'startup') {
      this.#started.set(id, ok);
      if (!ok) this.#kill.set(id, 'startup');
    } else if (!ok) this.#kill.set(id, 'liveness');
    if (!ok && kind !== 'readiness') {
      this.#o.recorder.event(podRef(pod), 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, { fieldPath: fieldPathOf(ck, c.name) });
    }
  }
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
