import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, objectKey } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import { toleratesTaint } from '../../scheduler/framework/taints.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { markDisruptionTarget, type PodObject } from '../podutil/index.ts';
import type { NodeObject } from '../nodelifecycle/health.ts';

/** noExecuteTaints are the taints that evict running pods. */
export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * matchingTolerations is upstream's GetMatchingTolerations: whether every taint is tolerated, and the
 * tolerations that did it (the first tolerating one per taint).
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** minTolerationMs is upstream's getMinTolerationTime: 0 without tolerations, the smallest tolerationSeconds, or -1 when they tolerate forever. */
export function minTolerationMs(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000;
}

interface ScheduledEviction {
  createdAt: number;
  fireAt: number;
}

/**
 * TaintEvictionController deletes pods from nodes with NoExecute taints they do not tolerate: at once
 * without a matching toleration, after the smallest tolerationSeconds otherwise, never when tolerated
 * forever; a scheduled eviction is cancelled when the taint goes (upstream's taint-eviction-controller,
 * the NoExecuteTaintManager). Its reconcile key is a pod's "namespace/name".
 */
export class TaintEvictionController implements Controller {
  readonly name = 'tainteviction';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #nodes: Informer<NodeObject>;
  readonly #pods: Informer<PodObject>;
  readonly #scheduled = new Map<string, ScheduledEviction>();

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#recorder = deps.recorder('taint-eviction-controller');
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    this.#nodes = deps.informers.informer<NodeObject>('v1', 'nodes');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods', { indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.#nodes.addHandler({
      onAdd: (n) => this.#onNode(undefined, n),
      onUpdate: (old, n) => this.#onNode(old, n),
      onDelete: (n) => this.#onNode(n, undefined),
    });
    this.#pods.addHandler({
      onAdd: (p) => this.queue.add(objectKey(p)),
      onUpdate: (old, p) => {
        if (old.spec?.nodeName !== p.spec?.nodeName || !deepEqualJson(old.spec?.tolerations ?? [], p.spec?.tolerations ?? [])) this.queue.add(objectKey(p));
      },
      onDelete: (p) => this.queue.add(objectKey(p)),
    });
  }

  /** synced resolves once the caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#nodes.synced, this.#pods.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    await runWorkers(this.queue, 8, (key) => this.reconcile(key), (key, err) => this.#deps.log(`tainteviction ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** scheduledAt returns when a pod's eviction is due, if one is scheduled. */
  scheduledAt(key: string): number | undefined {
    return this.#scheduled.get(key)?.fireAt;
  }

  /** reconcile decides one pod's fate against its node's NoExecute taints: delete now, later, or not at all. */
  async reconcile(key: string): Promise<void> {
    const pod = this.#pods.store.get(key);
    const nodeName = pod?.spec?.nodeName;
    // A pod already being deleted needs nothing more from us.
    if (!pod || !nodeName || pod.metadata?.deletionTimestamp) {
      this.#cancel(key, true);
      return;
    }
    const taints = noExecuteTaints(this.#nodes.store.get(nodeName)?.spec?.taints);
    if (taints.length === 0) {
      this.#cancel(key, true);
      return;
    }
    const now = this.#deps.clock.now();
    const { allTolerated, used } = matchingTolerations(taints, pod.spec?.tolerations);
    if (!allTolerated) {
      this.#cancel(key, false);
      await this.#evict(pod);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.#cancel(key, true);
      return;
    }
    const existing = this.#scheduled.get(key);
    const createdAt = existing?.createdAt ?? now;
    const fireAt = createdAt + min;
    if (fireAt <= now) {
      this.#cancel(key, false);
      await this.#evict(pod);
      return;
    }
    this.#scheduled.set(key, { createdAt, fireAt });
    // The queue's delayed add only wakes the pod up; reconcile decides again on the clock it is given, and arms
    // the wake-up again when it came before the clock reached fireAt (libuv counts from the start of the loop
    // turn that set it, and the clock may be another one). A pending earlier wake-up is kept.
    this.queue.addAfter(key, fireAt - now);
  }

  #cancel(key: string, withEvent: boolean): void {
    // A wake-up still pending in the queue only has the pod reconciled once more.
    if (!this.#scheduled.delete(key)) return;
    if (withEvent) this.#recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  async #evict(pod: PodObject): Promise<void> {
    const key = objectKey(pod);
    this.#recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      await markDisruptionTarget(this.#podClient, pod, 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint', this.#deps.clock.now());
      await this.#podClient.delete(pod.metadata?.namespace, pod.metadata?.name ?? '');
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
  }

  #onNode(old: NodeObject | undefined, node: NodeObject | undefined): void {
    const before = noExecuteTaints(old?.spec?.taints);
    const after = noExecuteTaints(node?.spec?.taints);
    if (old && node && deepEqualJson(before, after)) return;
    const name = node?.metadata?.name ?? old?.metadata?.name ?? '';
    for (const p of this.#pods.store.byIndex('nodeName', name)) this.queue.add(objectKey(p));
  }
}

function podRef(key: string): { kind: string; apiVersion: string; namespace: string; name: string } {
  const [namespace = '', name = ''] = key.split('/');
  return { kind: 'Pod', apiVersion: 'v1', namespace, name };
}
