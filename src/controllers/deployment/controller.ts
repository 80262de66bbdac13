import { isApiError } from '../../api/errors.ts';
import { objectKey } from '../../api/object.ts';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { claimObjects, controllerRefOf, newControllerRef, type PodObject } from '../podutil/index.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { rolloutRecreate } from './recreate.ts';
import type { DeploymentObject } from './replicasets.ts';
import { rolloutRolling } from './rolling.ts';
import { checkPausedConditions, getAllReplicaSetsAndSyncRevision, isScalingEvent, syncDeploymentStatus, syncScaleOrPaused, type RolloutState, type SyncDeps } from './sync.ts';

/** DeploymentController rolls Deployments out through ReplicaSets (upstream's deployment-controller). */
export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #dClient: ResourceClient<DeploymentObject>;
  readonly #rsClient: ResourceClient<ReplicaSetObject>;
  readonly #deployments: Informer<DeploymentObject>;
  readonly #replicaSets: Informer<ReplicaSetObject>;
  readonly #pods: Informer<PodObject>;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#recorder = deps.recorder('deployment-controller');
    this.#dClient = deps.client.resource<DeploymentObject>('apps/v1', 'deployments');
    this.#rsClient = deps.client.resource<ReplicaSetObject>('apps/v1', 'replicasets');
    this.#deployments = deps.informers.informer<DeploymentObject>('apps/v1', 'deployments');
    this.#replicaSets = deps.informers.informer<ReplicaSetObject>('apps/v1', 'replicasets');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods');
    // Handlers go on at construction so the caches drive expectations even when a test calls reconcile by hand.
    this.#deployments.addHandler({
      onAdd: (d) => this.queue.add(objectKey(d)),
      onUpdate: (_o, d) => this.queue.add(objectKey(d)),
      onDelete: (d) => this.queue.add(objectKey(d)),
    });
    this.#replicaSets.addHandler({
      onAdd: (rs) => this.#enqueueForReplicaSet(rs),
      onUpdate: (old, rs) => {
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(rs)?.uid) this.#enqueueForReplicaSet(old);
        this.#enqueueForReplicaSet(rs);
      },
      onDelete: (rs) => this.#enqueueForReplicaSet(rs),
    });
    // Recreate waits for old pods to be gone, and only a pod's deletion says so.
    this.#pods.addHandler({
      onDelete: (pod) => {
        const ref = controllerRefOf(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.#replicaSets.store.get(`${pod.metadata?.namespace ?? ''}/${ref.name}`);
        const key = rs && this.#ownerKey(rs);
        if (!key) return;
        const d = this.#deployments.store.get(key);
        if (d?.spec?.strategy?.type === 'Recreate') this.queue.add(key);
      },
    });
  }

  /** synced resolves once the caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#deployments.synced, this.#replicaSets.synced, this.#pods.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.synced;
    await runWorkers(this.queue, 5, (key) => this.reconcile(key), (key, err) => this.#deps.log(`deployment ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one Deployment ("namespace/name") one step towards its desired state (upstream's syncDeployment). */
  async reconcile(key: string): Promise<void> {
    const cached = this.#deployments.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const x = this.#syncDeps();
    const selector = fromLabelSelector(d.spec?.selector);
    if (selector.isNothing() || selector.toString() === '') {
      this.#recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.#dClient.updateStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation ?? 0 } });
      }
      return;
    }
    const st: RolloutState = { d, rsList: await this.#claimReplicaSets(d) };
    try {
      if (d.metadata?.deletionTimestamp) {
        const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(x, st, false);
        await syncDeploymentStatus(x, st, newRS, [...oldRSs, newRS]);
        return;
      }
      await checkPausedConditions(x, d);
      if (d.spec?.paused || (await isScalingEvent(x, st))) {
        await syncScaleOrPaused(x, st);
        return;
      }
      if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(x, st, this.#podsByReplicaSet(st.rsList));
      else await rolloutRolling(x, st);
    } catch (err) {
      // The Deployment was deleted under us: nothing left to do.
      if (isApiError(err, 'NotFound') && !this.#deployments.store.get(key)) return;
      throw err;
    }
  }

  #syncDeps(): SyncDeps {
    return {
      deployments: this.#dClient,
      replicaSets: this.#rsClient,
      cachedReplicaSet: (k) => this.#replicaSets.store.get(k),
      recorder: this.#recorder,
      now: () => this.#deps.clock.now(),
      requeueAfter: (k, ms) => this.queue.addAfter(k, ms),
    };
  }

  async #claimReplicaSets(d: DeploymentObject): Promise<ReplicaSetObject[]> {
    const ns = d.metadata?.namespace ?? '';
    return claimObjects(this.#replicaSets.store.byIndex('namespace', ns), {
      owner: d,
      ownerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      selector: fromLabelSelector(d.spec?.selector),
      client: this.#rsClient,
      canAdopt: async () => {
        const fresh = await this.#dClient.get(ns, d.metadata?.name ?? '');
        if (fresh.metadata?.uid !== d.metadata?.uid) throw new Error(`original Deployment ${objectKey(d)} is gone`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`Deployment ${objectKey(d)} has just been deleted`);
      },
    }).then((rss) => rss.map((rs) => structuredClone(rs)));
  }

  #podsByReplicaSet(rsList: ReplicaSetObject[]): Map<string, PodObject[]> {
    const out = new Map<string, PodObject[]>();
    for (const rs of rsList) out.set(rs.metadata?.uid ?? '', []);
    const ns = rsList[0]?.metadata?.namespace;
    if (ns === undefined) return out;
    for (const pod of this.#pods.store.byIndex('namespace', ns)) {
      const ref = controllerRefOf(pod);
      const list = ref && out.get(ref.uid);
      if (list) list.push(pod);
    }
    return out;
  }

  #ownerKey(rs: ReplicaSetObject): string | undefined {
    const ref = controllerRefOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const key = `${rs.metadata?.namespace ?? ''}/${ref.name}`;
    const d = this.#deployments.store.get(key);
    return d && d.metadata?.uid === ref.uid ? key : undefined;
  }

  #enqueueForReplicaSet(rs: ReplicaSetObject): void {
    if (controllerRefOf(rs)) {
      const key = this.#ownerKey(rs);
      if (key) this.queue.add(key);
      return;
    }
    // An orphan: every Deployment that would adopt it needs a look.
    for (const d of this.#deployments.store.byIndex('namespace', rs.metadata?.namespace ?? '')) {
      if (fromLabelSelector(d.spec?.selector).matches(rs.metadata?.labels)) this.queue.add(objectKey(d));
    }
  }
}
