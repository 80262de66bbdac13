import type { Node } from 'kubernetes-types/core/v1.js';
import { templateGenerationOf } from '../../api/apps/index.ts';
import { objectKey, type ApiObject } from '../../api/object.ts';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import type { RevisionObject } from '../history/index.ts';
import { claimObjects, ControllerExpectations, controllerRefOf, isPodReady, newControllerRef, type PodObject } from '../podutil/index.ts';
import { Backoff } from './backoff.ts';
import { cleanupHistory, constructHistory, revisionHash, type HistoryDeps } from './history.ts';
import { manage, type ManageDeps } from './manage.ts';
import { daemonPlacement, type DaemonSetObject } from './placement.ts';
import { rollingUpdate } from './rolling.ts';
import { groupByNode, type DaemonSetState } from './state.ts';
import { calculateStatus, storeStatus } from './status.ts';

type NodeObject = Node & ApiObject;

/** DaemonSetControllerOptions tune the failed-pod back-off (upstream: 1 s doubling to 15 minutes). */
export interface DaemonSetControllerOptions {
  failedPodBackoffMs?: number;
  failedPodBackoffMaxMs?: number;
}

/** DaemonSetController runs one pod of each DaemonSet on every node that should have it (upstream's daemonset-controller). */
export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly queue = new WorkQueue<string>();
  readonly expectations: ControllerExpectations;
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #backoff: Backoff;
  readonly #dsClient: ResourceClient<DaemonSetObject>;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #revClient: ResourceClient<RevisionObject>;
  readonly #daemonSets: Informer<DaemonSetObject>;
  readonly #revisions: Informer<RevisionObject>;
  readonly #pods: Informer<PodObject>;
  readonly #nodes: Informer<NodeObject>;

  constructor(deps: ControllerDeps, opts: DaemonSetControllerOptions = {}) {
    this.#deps = deps;
    this.#recorder = deps.recorder('daemonset-controller');
    this.expectations = new ControllerExpectations(deps.clock);
    this.#backoff = new Backoff(deps.clock, opts.failedPodBackoffMs ?? 1000, opts.failedPodBackoffMaxMs ?? 15 * 60_000);
    this.#dsClient = deps.client.resource<DaemonSetObject>('apps/v1', 'daemonsets');
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    this.#revClient = deps.client.resource<RevisionObject>('apps/v1', 'controllerrevisions');
    this.#daemonSets = deps.informers.informer<DaemonSetObject>('apps/v1', 'daemonsets');
    this.#revisions = deps.informers.informer<RevisionObject>('apps/v1', 'controllerrevisions');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods');
    this.#nodes = deps.informers.informer<NodeObject>('v1', 'nodes');
    // Handlers go on at construction so the caches drive expectations even when a test calls reconcile by hand.
    this.#daemonSets.addHandler({
      onAdd: (ds) => this.queue.add(objectKey(ds)),
      onUpdate: (_old, ds) => this.queue.add(objectKey(ds)),
      onDelete: (ds) => {
        this.expectations.deleteExpectations(objectKey(ds));
        this.queue.add(objectKey(ds));
      },
    });
    this.#revisions.addHandler({
      onAdd: (r) => this.#enqueueOwner(r),
      onUpdate: (old, r) => {
        if (controllerRefOf(old)?.uid !== controllerRefOf(r)?.uid) this.#enqueueOwner(old);
        this.#enqueueOwner(r);
      },
      onDelete: (r) => this.#enqueueOwner(r),
    });
    this.#pods.addHandler({
      onAdd: (pod) => this.#onPodAdd(pod),
      onUpdate: (old, pod) => this.#onPodUpdate(old, pod),
      onDelete: (pod) => this.#onPodDelete(pod),
    });
    this.#nodes.addHandler({
      onAdd: (node) => this.#onNodeChange(undefined, node),
      onUpdate: (old, node) => this.#onNodeChange(old, node),
      // Pods on a deleted node are removed by the sync (see manage), so every DaemonSet with one looks again.
      onDelete: (node) => this.#onNodeChange(node, undefined),
    });
  }

  /** synced resolves once every cache has listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#daemonSets.synced, this.#revisions.synced, this.#pods.synced, this.#nodes.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    const gc = setInterval(() => this.#backoff.gc(), 60_000);
    gc.unref();
    signal.addEventListener('abort', () => clearInterval(gc), { once: true });
    await runWorkers(this.queue, 2, (key) => this.reconcile(key), (key, err) => this.#deps.log(`daemonset ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /**
   * reconcile syncs one DaemonSet ("namespace/name"): claims its pods and revisions, settles the current revision,
   * creates and deletes pods node by node, rolls updates, trims history and writes status (upstream's syncDaemonSet).
   */
  async reconcile(key: string): Promise<void> {
    const cached = this.#daemonSets.store.get(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const selector = fromLabelSelector(cached.spec?.selector);
    if (selector.isNothing() || selector.toString() === '') {
      this.#recorder.event(cached, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Whether a deleting DaemonSet's revisions still exist is unknowable, so its status is left as it was.
    if (cached.metadata?.deletionTimestamp) return;
    const ds = structuredClone(cached);
    const ns = ds.metadata?.namespace ?? '';
    const claim = { owner: ds, ownerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'), selector, canAdopt: () => this.#canAdopt(ds) };
    const revisions = await claimObjects(this.#revisions.store.byIndex('namespace', ns), { ...claim, client: this.#revClient });
    // Finished pods already being deleted are gone as far as the sync is concerned, but their hash still pins history.
    const allPods = await claimObjects(this.#pods.store.byIndex('namespace', ns), { ...claim, client: this.#podClient });
    const pods = allPods.filter((p) => !(p.metadata?.deletionTimestamp && (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded')));
    const history = this.#historyDeps();
    const { cur, old, collisionCount } = await constructHistory(history, ds, revisions, pods);
    const s: DaemonSetState = {
      ds,
      key,
      hash: revisionHash(cur),
      generation: templateGenerationOf(ds),
      nodes: this.#nodes.store.list(),
      nodeToPods: groupByNode(pods),
      now: this.#deps.clock.now(),
    };
    const placement = daemonPlacement(ds);
    if (!this.expectations.satisfiedExpectations(key)) {
      // Only status: the sync did not act on this generation, so observedGeneration stays.
      await storeStatus(this.#dsClient, ds, calculateStatus(s, placement), collisionCount, false);
      return;
    }
    let syncErr: unknown;
    try {
      const d = this.#manageDeps();
      await manage(d, s, placement);
      if (this.expectations.satisfiedExpectations(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        await rollingUpdate(d, s, placement);
      }
      await cleanupHistory(history, ds, old, allPods);
    } catch (err) {
      syncErr = err;
    }
    // Status reflects the cache, which catches up with this sync's writes through the events they cause.
    const counts = calculateStatus(s, placement);
    await storeStatus(this.#dsClient, ds, counts, collisionCount, true);
    // Ready pods become available only after minReadySeconds: come back then to count them.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.queue.addAfter(key, minReady * 1000);
    if (syncErr) throw syncErr;
  }

  #historyDeps(): HistoryDeps {
    return { revisions: this.#revClient, pods: this.#podClient };
  }

  #manageDeps(): ManageDeps {
    return {
      pods: this.#podClient,
      expectations: this.expectations,
      recorder: this.#recorder,
      failedPodsBackoff: this.#backoff,
      requeueAfter: (k, ms) => this.queue.addAfter(k, ms),
    };
  }

  async #canAdopt(ds: DaemonSetObject): Promise<void> {
    const fresh = await this.#dsClient.get(ds.metadata?.namespace, ds.metadata?.name ?? '');
    if (fresh.metadata?.uid !== ds.metadata?.uid) throw new Error(`original DaemonSet ${objectKey(ds)} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${ds.metadata?.uid ?? ''}`);
    if (fresh.metadata?.deletionTimestamp) throw new Error(`DaemonSet ${objectKey(ds)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  // ownerKey resolves an object's controller reference to a cached DaemonSet's key.
  #ownerKey(obj: ApiObject): string | undefined {
    const ref = controllerRefOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const key = `${obj.metadata?.namespace ?? ''}/${ref.name}`;
    return this.#daemonSets.store.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  // enqueueOwner wakes an object's DaemonSet, or for an orphan every DaemonSet that might adopt it.
  #enqueueOwner(obj: ApiObject): void {
    if (controllerRefOf(obj)) {
      const key = this.#ownerKey(obj);
      if (key) this.queue.add(key);
      return;
    }
    for (const ds of this.#daemonSets.store.byIndex('namespace', obj.metadata?.namespace ?? '')) {
      if (fromLabelSelector(ds.spec?.selector).matches(obj.metadata?.labels)) this.queue.add(objectKey(ds));
    }
  }

  #onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) {
      this.#onPodDelete(pod);
      return;
    }
    const key = this.#ownerKey(pod);
    if (key) this.expectations.creationObserved(key);
    this.#enqueueOwner(pod);
  }

  #onPodUpdate(old: PodObject, pod: PodObject): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp) {
      // A pod marked for deletion is as good as gone for expectations; its delete event comes later.
      this.#onPodDelete(pod);
      return;
    }
    if (controllerRefOf(old) && controllerRefOf(old)?.uid !== controllerRefOf(pod)?.uid) this.#enqueueOwner(old);
    this.#enqueueOwner(pod);
    const key = this.#ownerKey(pod);
    const minReady = key ? (this.#daemonSets.store.get(key)?.spec?.minReadySeconds ?? 0) : 0;
    if (key && minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000 + 1000);
  }

  #onPodDelete(pod: PodObject): void {
    const key = this.#ownerKey(pod);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // onNodeChange wakes the DaemonSets whose verdict on the node may differ: added, removed, or relabelled/retainted.
  #onNodeChange(old: NodeObject | undefined, node: NodeObject | undefined): void {
    if (old && node && sameScheduling(old, node)) return;
    for (const ds of this.#daemonSets.store.list()) {
      const placement = daemonPlacement(ds);
      const before = old ? placement(old) : undefined;
      const after = node ? placement(node) : undefined;
      if (before?.shouldRun !== after?.shouldRun || before?.shouldContinueRunning !== after?.shouldContinueRunning) this.queue.add(objectKey(ds));
    }
  }
}

// sameScheduling tells whether a node update leaves everything placement looks at alone (heartbeats, mostly).
function sameScheduling(a: NodeObject, b: NodeObject): boolean {
  return JSON.stringify([a.metadata?.labels ?? {}, a.spec?.taints ?? []]) === JSON.stringify([b.metadata?.labels ?? {}, b.spec?.taints ?? []]);
}
