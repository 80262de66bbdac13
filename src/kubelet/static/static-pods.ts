import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/client.ts';
import type { EventHandler } from '../../client/informer.ts';
import { runWorkers, WorkQueue } from '../../client/workqueue.ts';
import type { Clock } from '../../clock.ts';
import { configMirrorAnnotation, isMirrorPod } from './manifest.ts';
import { MirrorPods } from './mirror.ts';
import { StaticPodSource } from './source.ts';

// Static pods on the agent: the file source's pods join the API's pods in the pod worker (by uid), while
// the API's mirror pods are kept away from it and reconciled by MirrorPods instead. A static pod is seen
// by the worker with its mirror's status, so start time and condition transitions carry over.

/** StaticPodsOptions are the agent's static pod settings and dependencies. */
export interface StaticPodsOptions {
  /** dir is the manifest directory (--pod-manifest-path); without it no static pods run, but stale mirrors still go. */
  dir?: string;
  nodeName: string;
  client: Client;
  clock: Clock;
  /** apiPods are the API's pods bound to this node by "namespace/name" (the agent's informer cache). */
  apiPods: { get(key: string): Pod | undefined; list(): Pod[] };
  /** changed asks for a sync of a static pod (by uid). */
  changed(uid: string): void;
  /** statusStale says a static pod's mirror was recreated, so its status must be written again. */
  statusStale(uid: string): void;
  log: (msg: string) => void;
  fileCheckMs?: number;
}

const keyOf = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** StaticPods runs the file source and keeps the mirror pods. */
export class StaticPods {
  readonly #o: StaticPodsOptions;
  readonly #source: StaticPodSource;
  readonly #mirrors: MirrorPods;
  readonly #queue = new WorkQueue<string>();

  constructor(o: StaticPodsOptions) {
    this.#o = o;
    this.#source = new StaticPodSource({
      dir: o.dir ?? '',
      nodeName: o.nodeName,
      clock: o.clock,
      log: o.log,
      ...(o.fileCheckMs !== undefined ? { fileCheckMs: o.fileCheckMs } : {}),
      changed: (uid) => {
        o.changed(uid);
        const pod = this.#source.byUid(uid);
        if (pod) this.#queue.add(keyOf(pod));
        else this.#resyncMirrors();
      },
    });
    this.#mirrors = new MirrorPods({
      client: o.client,
      nodeName: o.nodeName,
      staticPod: (key) => this.#source.byFullName(key),
      apiPod: (key) => o.apiPods.get(key),
      created: (uid) => {
        o.statusStale(uid);
        o.changed(uid);
      },
      log: o.log,
    });
  }

  /** byUid is a static pod, with its mirror's status when the mirror is current. */
  byUid(uid: string): Pod | undefined {
    const pod = this.#source.byUid(uid);
    if (!pod) return undefined;
    const mirror = this.#o.apiPods.get(keyOf(pod));
    if (!mirror || mirror.metadata?.annotations?.[configMirrorAnnotation] !== uid || !mirror.status) return pod;
    return { ...pod, status: mirror.status };
  }

  /** pods are the static pods (without their mirrors' status: for admission counts). */
  pods(): Pod[] {
    return this.#source.pods();
  }

  /** apiPodHandler wraps the agent's pod handler: mirror pods go to the mirror reconciler, every other pod to next. */
  apiPodHandler(next: EventHandler<Pod>): EventHandler<Pod> {
    const mirror = (p: Pod): boolean => {
      if (!isMirrorPod(p)) return false;
      this.#queue.add(keyOf(p));
      return true;
    };
    return {
      onAdd: (p) => mirror(p) || next.onAdd?.(p),
      onUpdate: (old, p) => mirror(p) || next.onUpdate?.(old, p),
      onDelete: (p) => mirror(p) || next.onDelete?.(p),
    };
  }

  /** load reads the manifests once: before pods are synced, so a restarted agent does not take its static pods for orphans. */
  async load(): Promise<void> {
    if (this.#o.dir) await this.#source.reload();
  }

  /** run reads manifests and reconciles mirrors until signal aborts; call it once the pod informer has synced. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    const working = runWorkers(this.#queue, 1, (key) => this.#mirrors.reconcile(key), (key, err) => this.#o.log(`static pods: mirror pod ${key}: ${err instanceof Error ? err.message : String(err)}`));
    this.#resyncMirrors();
    if (this.#o.dir) await this.#source.run(signal);
    await working;
  }

  /** #resyncMirrors looks at every mirror and static pod again (a static pod went: its mirror must go). */
  #resyncMirrors(): void {
    for (const p of this.#source.pods()) this.#queue.add(keyOf(p));
    for (const p of this.#o.apiPods.list()) if (isMirrorPod(p)) this.#queue.add(keyOf(p));
  }
}
