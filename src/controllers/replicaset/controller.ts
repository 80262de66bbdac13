import { isApiError } from '../../api/errors.ts';
import { objectKey } from '../../api/object.ts';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { claimCandidates, claimObjects, ControllerExpectations, controllerIndex, controllerIndexName, controllerRefOf, isPodActive, isPodReady, newControllerRef, type PodObject } from '../podutil/index.ts';
import { manageReplicas, type ManageError } from './manage.ts';
import { calculateReplicaSetStatus, updateReplicaSetStatus, type ReplicaSetObject } from './status.ts';

/** ReplicaSetController keeps spec.replicas pods running for every ReplicaSet (upstream's replicaset-controller). */
export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly queue = new WorkQueue<string>();
  readonly expectations: ControllerExpectations;
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #rsClient: ResourceClient<ReplicaSetObject>;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #replicaSets: Informer<ReplicaSetObject>;
  readonly #pods: Informer<PodObject>;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#recorder = deps.recorder('replicaset-controller');
    this.expectations = new ControllerExpectations(deps.clock);
    this.#rsClient = deps.client.resource<ReplicaSetObject>('apps/v1', 'replicasets');
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    // Informers are created here so a caller can wait for their sync before driving reconcile by hand.
    this.#replicaSets = deps.informers.informer<ReplicaSetObject>('apps/v1', 'replicasets');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods', { indexers: { [controllerIndexName]: controllerIndex } });
    // Handlers go on at construction so the caches drive expectations even when a test calls reconcile by hand.
    this.#replicaSets.addHandler({
      onAdd: (rs) => this.queue.add(objectKey(rs)),
      onUpdate: (_old, rs) => this.queue.add(objectKey(rs)),
      onDelete: (rs) => {
        this.expectations.deleteExpectations(objectKey(rs));
        this.queue.add(objectKey(rs));
      },
    });
    this.#pods.addHandler({
      onAdd: (pod) => this.#onPodAdd(pod),
      onUpdate: (old, pod) => this.#onPodUpdate(old, pod),
      onDelete: (pod) => this.#onPodDelete(pod),
    });
  }

  /** synced resolves once both caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#replicaSets.synced, this.#pods.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    await runWorkers(this.queue, 5, (key) => this.reconcile(key), (key, err) => this.#deps.log(`replicaset ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one ReplicaSet ("namespace/name"): claims its pods, creates or deletes pods, and writes status. */
  async reconcile(key: string): Promise<void> {
    const cached = this.#replicaSets.store.get(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const needsSync = this.expectations.satisfiedExpectations(key);
    const selector = fromLabelSelector(cached.spec?.selector);
    const ns = cached.metadata?.namespace ?? '';
    // Its own pods and the namespace's orphans: a sync costs what the ReplicaSet owns, not the namespace's size.
    const active = claimCandidates(this.#pods.store, cached).filter(isPodActive);
    const pods = await claimObjects(active, {
      owner: cached,
      ownerRef: newControllerRef(cached, 'apps/v1', 'ReplicaSet'),
      selector,
      client: this.#podClient,
      canAdopt: async () => {
        const fresh = await this.#rsClient.get(ns, cached.metadata?.name ?? '');
        if (fresh.metadata?.uid !== cached.metadata?.uid) throw new Error(`original ReplicaSet ${key} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${cached.metadata?.uid ?? ''}`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`ReplicaSet ${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    });
    let manageErr: ManageError | undefined;
    if (needsSync && !cached.metadata?.deletionTimestamp) {
      manageErr = await manageReplicas({ pods: this.#podClient, expectations: this.expectations, recorder: this.#recorder }, cached, pods);
    }
    const rs = structuredClone(cached);
    const status = calculateReplicaSetStatus(rs, pods, manageErr, this.#deps.clock.now());
    let updated: ReplicaSetObject;
    try {
      updated = await updateReplicaSetStatus(this.#rsClient, rs, status);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
    // Ready pods become available only after minReadySeconds: come back then to count them.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const want = rs.spec?.replicas ?? 1;
    if (!manageErr && minReady > 0 && (updated.status?.readyReplicas ?? 0) === want && (updated.status?.availableReplicas ?? 0) !== want) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr.error;
  }

  #ownerKey(pod: PodObject): string | undefined {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const key = `${pod.metadata?.namespace ?? ''}/${ref.name}`;
    const rs = this.#replicaSets.store.get(key);
    return rs && rs.metadata?.uid === ref.uid ? key : undefined;
  }

  #enqueueMatching(pod: PodObject): void {
    for (const rs of this.#replicaSets.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
      if (fromLabelSelector(rs.spec?.selector).matches(pod.metadata?.labels)) this.queue.add(objectKey(rs));
    }
  }

  #onPodAdd(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) {
      this.#onPodDelete(pod);
      return;
    }
    if (controllerRefOf(pod)) {
      const key = this.#ownerKey(pod);
      if (!key) return;
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    this.#enqueueMatching(pod);
  }

  #onPodUpdate(old: PodObject, pod: PodObject): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    if (pod.metadata?.deletionTimestamp) {
      // A pod marked for deletion is as good as gone for expectations; its delete event comes later.
      this.#onPodDelete(pod);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const oldKey = `${old.metadata?.namespace ?? ''}/${oldRef.name}`;
      if (this.#replicaSets.store.get(oldKey)) this.queue.add(oldKey);
    }
    if (ref) {
      const key = this.#ownerKey(pod);
      if (!key) return;
      this.queue.add(key);
      const minReady = this.#replicaSets.store.get(key)?.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    this.#enqueueMatching(pod);
  }

  #onPodDelete(pod: PodObject): void {
    const key = this.#ownerKey(pod);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }
}
