import { objectKey } from '../../api/object.ts';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import type { RevisionObject } from '../history/index.ts';
import { claimObjects, controllerRefOf, isPodReady, newControllerRef, type PodObject } from '../podutil/index.ts';
import { isMemberOf, type ClaimObject, type StatefulSetObject } from './identity.ts';
import { StatefulPodControl } from './pod-control.ts';
import { syncStatefulSet, type SyncDeps } from './sync.ts';

/** StatefulSetController runs pods with stable identities and storage for every StatefulSet (upstream's statefulset-controller). */
export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #setClient: ResourceClient<StatefulSetObject>;
  readonly #podClient: ResourceClient<PodObject>;
  readonly #revClient: ResourceClient<RevisionObject>;
  readonly #sets: Informer<StatefulSetObject>;
  readonly #pods: Informer<PodObject>;
  readonly #claims: Informer<ClaimObject>;
  readonly #revisions: Informer<RevisionObject>;
  readonly #sync: SyncDeps;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#setClient = deps.client.resource<StatefulSetObject>('apps/v1', 'statefulsets');
    this.#podClient = deps.client.resource<PodObject>('v1', 'pods');
    this.#revClient = deps.client.resource<RevisionObject>('apps/v1', 'controllerrevisions');
    this.#sets = deps.informers.informer<StatefulSetObject>('apps/v1', 'statefulsets');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods');
    this.#claims = deps.informers.informer<ClaimObject>('v1', 'persistentvolumeclaims');
    this.#revisions = deps.informers.informer<RevisionObject>('apps/v1', 'controllerrevisions');
    const podControl = new StatefulPodControl({
      pods: this.#podClient,
      claims: deps.client.resource<ClaimObject>('v1', 'persistentvolumeclaims'),
      claimCache: this.#claims,
      recorder: deps.recorder('statefulset-controller'),
    });
    this.#sync = { podControl, clock: deps.clock, sets: this.#setClient, revisions: this.#revClient };
    this.#sets.addHandler({
      onAdd: (s) => this.queue.add(objectKey(s)),
      onUpdate: (_o, s) => this.queue.add(objectKey(s)),
      onDelete: (s) => this.queue.add(objectKey(s)),
    });
    this.#pods.addHandler({
      onAdd: (pod) => this.#onPodAdd(pod),
      onUpdate: (old, pod) => this.#onPodUpdate(old, pod),
      onDelete: (pod) => this.#enqueueOwner(pod),
    });
  }

  /** synced resolves once every cache the controller reads has listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#sets.synced, this.#pods.synced, this.#claims.synced, this.#revisions.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    await runWorkers(this.queue, 5, (key) => this.reconcile(key), (key, err) => this.#deps.log(`statefulset ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one StatefulSet ("namespace/name"): adopts its revisions and pods, moves pods one step, writes status. */
  async reconcile(key: string): Promise<void> {
    const cached = this.#sets.store.get(key);
    if (!cached) return;
    const ns = cached.metadata?.namespace ?? '';
    const selector = fromLabelSelector(cached.spec?.selector);
    const ownerRef = newControllerRef(cached, 'apps/v1', 'StatefulSet');
    const canAdopt = async () => {
      const fresh = await this.#setClient.get(ns, cached.metadata?.name ?? '');
      if (fresh.metadata?.uid !== cached.metadata?.uid) throw new Error(`original StatefulSet ${key} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${cached.metadata?.uid ?? ''}`);
      if (fresh.metadata?.deletionTimestamp) throw new Error(`StatefulSet ${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    };
    // Revisions are only adopted, never released (upstream's adoptOrphanRevisions): pass just the matching ones.
    const matchingRevisions = this.#revisions.store.byIndex('namespace', ns).filter((r) => selector.matches(r.metadata?.labels));
    const revisions = await claimObjects(matchingRevisions, { owner: cached, ownerRef, selector, client: this.#revClient, canAdopt });
    const pods = await claimObjects(this.#pods.store.byIndex('namespace', ns), {
      owner: cached, ownerRef, selector, client: this.#podClient, canAdopt,
      // Only pods named like members are ours; an owned pod with another name is released.
      filter: (pod) => isMemberOf(cached, pod),
    });
    const status = await syncStatefulSet(this.#sync, cached, pods, revisions);
    // Pods turn available minReadySeconds after they turn ready: look again then.
    const minReady = cached.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (status.availableReplicas ?? 0) !== (cached.spec?.replicas ?? 1)) this.queue.addAfter(key, minReady * 1000);
  }

  #ownerKey(pod: PodObject): string | undefined {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'StatefulSet') return undefined;
    const key = `${pod.metadata?.namespace ?? ''}/${ref.name}`;
    return this.#sets.store.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  #enqueueOwner(pod: PodObject): void {
    const key = this.#ownerKey(pod);
    if (key) this.queue.add(key);
  }

  #enqueueMatching(pod: PodObject): void {
    for (const set of this.#sets.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
      if (fromLabelSelector(set.spec?.selector).matches(pod.metadata?.labels)) this.queue.add(objectKey(set));
    }
  }

  #onPodAdd(pod: PodObject): void {
    if (controllerRefOf(pod)) this.#enqueueOwner(pod);
    else if (!pod.metadata?.deletionTimestamp) this.#enqueueMatching(pod);
  }

  #onPodUpdate(old: PodObject, pod: PodObject): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const oldRef = controllerRefOf(old);
    if (oldRef && oldRef.uid !== controllerRefOf(pod)?.uid) this.#enqueueOwner(old);
    if (!controllerRefOf(pod)) {
      this.#enqueueMatching(pod);
      return;
    }
    const key = this.#ownerKey(pod);
    if (!key) return;
    this.queue.add(key);
    const minReady = this.#sets.store.get(key)?.spec?.minReadySeconds ?? 0;
    // One second more so the pod is surely available by then.
    if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000 + 1000);
  }
}
