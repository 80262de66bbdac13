import { isApiError } from '../../api/errors.ts';
import { objectKey } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { nodeCondition, type NodeObject } from '../nodelifecycle/health.ts';
import { markDisruptionTarget, type PodObject } from '../podutil/index.ts';

/** PodGcOptions are pod GC's period, quarantine and threshold (upstream: 20 s, 40 s, 12500). */
export interface PodGcOptions {
  periodMs: number;
  /** quarantineMs is how long a pod's node must be missing before the pod counts as orphaned. */
  quarantineMs: number;
  /** terminatedThreshold is how many finished pods may exist; 0 turns that collection off. */
  terminatedThreshold: number;
}

/** defaultPodGcOptions are upstream's. */
export const defaultPodGcOptions: PodGcOptions = { periodMs: 20_000, quarantineMs: 40_000, terminatedThreshold: 12_500 };

const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

/** isPodTerminated is upstream's: a phase other than Pending, Running and Unknown. */
export function isPodTerminated(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

/** compareForTerminatedGc orders finished pods for deletion: evicted ones first, then oldest, then by name (upstream's byEvictionAndCreationTimestamp). */
export function compareForTerminatedGc(a: PodObject, b: PodObject): number {
  const ae = a.status?.phase === 'Failed' && a.status.reason === 'Evicted';
  const be = b.status?.phase === 'Failed' && b.status.reason === 'Evicted';
  if (ae !== be) return ae ? -1 : 1;
  const at = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const bt = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (at !== bt) return at - bt;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/**
 * PodGcController force-deletes pods nobody else will finish (upstream's pod-garbage-collector): pods
 * bound to nodes that no longer exist (after a quarantine, marked DisruptionTarget first), terminating pods
 * that were never scheduled, terminating pods on not-ready nodes tainted node.kubernetes.io/out-of-service,
 * and the oldest finished pods beyond terminatedThreshold. Its reconcile key is a pod's "namespace/name";
 * the terminated-pod count is a periodic pass over all pods.
 */
export class PodGcController implements Controller {
  readonly name = 'podgc';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #opts: PodGcOptions;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #nodeClient: ResourceClient<NodeObject>;
  readonly #pods: Informer<PodObject>;
  readonly #nodes: Informer<NodeObject>;
  /** missingSince records when each absent node was first noticed, for the quarantine. */
  readonly #missingSince = new Map<string, number>();

  constructor(deps: ControllerDeps, opts: Partial<PodGcOptions> = {}) {
    this.#deps = deps;
    const s = deps.settings;
    this.#opts = { ...defaultPodGcOptions, ...(s?.terminatedPodGcThreshold !== undefined ? { terminatedThreshold: s.terminatedPodGcThreshold } : {}), ...(s?.podGcPeriodMs !== undefined ? { periodMs: s.podGcPeriodMs } : {}), ...opts };
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    this.#nodeClient = deps.client.resource<NodeObject>('v1', 'nodes');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods', { indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.#nodes = deps.informers.informer<NodeObject>('v1', 'nodes');
    this.#pods.addHandler({
      onAdd: (p) => this.#onPod(p),
      onUpdate: (_old, p) => this.#onPod(p),
    });
    this.#nodes.addHandler({
      onAdd: (n) => this.#missingSince.delete(n.metadata?.name ?? ''),
      onUpdate: (_old, n) => this.#enqueueNodePods(n.metadata?.name ?? '', true),
      onDelete: (n) => this.#enqueueNodePods(n.metadata?.name ?? '', false),
    });
  }

  /** synced resolves once the caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#pods.synced, this.#nodes.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    if (signal.aborted) return;
    const pass = (): void => {
      for (const key of this.#pods.store.keys()) this.queue.add(key);
      void this.gcTerminated().catch((err: unknown) => this.#deps.log(`podgc: terminated pods: ${String(err)}`));
    };
    const timer = setInterval(pass, this.#opts.periodMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    pass();
    await runWorkers(this.queue, 4, (key) => this.reconcile(key), (key, err) => this.#deps.log(`podgc ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile force-deletes one pod if it is orphaned, unscheduled and terminating, or terminating on an out-of-service node. */
  async reconcile(key: string): Promise<void> {
    const pod = this.#pods.store.get(key);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      if (pod.metadata?.deletionTimestamp) await this.#forceDelete(pod);
      return;
    }
    const node = this.#nodes.store.get(nodeName);
    if (node) {
      this.#missingSince.delete(nodeName);
      if (pod.metadata?.deletionTimestamp && nodeCondition(node, 'Ready')?.status !== 'True' && (node.spec?.taints ?? []).some((t) => t.key === outOfServiceTaint)) await this.#forceDelete(pod);
      return;
    }
    // A node missing from the cache may just be slow to show up: wait out the quarantine, then ask the server.
    const now = this.#deps.clock.now();
    const since = this.#missingSince.get(nodeName) ?? now;
    this.#missingSince.set(nodeName, since);
    if (now - since < this.#opts.quarantineMs) {
      this.queue.addAfter(key, since + this.#opts.quarantineMs - now);
      return;
    }
    try {
      await this.#nodeClient.get(undefined, nodeName);
      return;
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    await this.#forceDelete(pod, true);
  }

  /** gcTerminated deletes the oldest finished pods beyond the threshold, evicted ones first. */
  async gcTerminated(): Promise<void> {
    if (this.#opts.terminatedThreshold <= 0) return;
    const terminated = this.#pods.store.list().filter(isPodTerminated);
    const excess = terminated.length - this.#opts.terminatedThreshold;
    if (excess <= 0) return;
    this.#deps.log(`podgc: deleting ${excess} terminated pods`);
    terminated.sort(compareForTerminatedGc);
    await Promise.all(terminated.slice(0, excess).map((p) => this.#forceDelete(p).catch((err: unknown) => this.#deps.log(`podgc ${objectKey(p)}: ${String(err)}`))));
  }

  /** forceDelete marks a pod Failed (upstream's markFailedAndDeletePod; orphans also get DisruptionTarget) and deletes it with no grace. */
  async #forceDelete(pod: PodObject, orphaned = false): Promise<void> {
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';
    try {
      if (!isPodTerminated(pod)) {
        if (orphaned) await markDisruptionTarget(this.#podClient, pod, 'DeletionByPodGC', 'PodGC: node no longer exists', this.#deps.clock.now(), 'Failed');
        else await this.#podClient.patch(ns, name, 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' });
      }
      await this.#podClient.delete(ns, name, { gracePeriodSeconds: 0, ...(pod.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {}) });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
  }

  #onPod(pod: PodObject): void {
    const node = pod.spec?.nodeName;
    if (pod.metadata?.deletionTimestamp || (node && !this.#nodes.store.get(node))) this.queue.add(objectKey(pod));
  }

  #enqueueNodePods(name: string, terminatingOnly: boolean): void {
    for (const p of this.#pods.store.byIndex('nodeName', name)) {
      if (!terminatingOnly || p.metadata?.deletionTimestamp) this.queue.add(objectKey(p));
    }
  }
}
