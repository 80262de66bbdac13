import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import { pvcProtectionFinalizer } from '../../apiserver/admission/storage-object-in-use-protection.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { setFinalizer } from './finalizer.ts';

type ClaimObj = PersistentVolumeClaim & ApiObject;
type PodObj = Pod & ApiObject;

/**
 * podIsShutDown: a pod deleted with grace 0 (the node agent is done with it, or it was force-deleted) no longer
 * holds its claims, which also breaks a cycle between a pod's finalizer and its claim's (upstream's reasoning).
 */
function podIsShutDown(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** claimKeys lists the `namespace/claim` keys a pod names: persistentVolumeClaim volumes and generic ephemeral ones (`<pod>-<volume>`). */
function claimKeys(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim ? [`${ns}/${v.persistentVolumeClaim.claimName}`] : v.ephemeral ? [`${ns}/${pod.metadata?.name ?? ''}-${v.name}`] : []);
}

/**
 * claimsInUse lists the claims a pod holds: those it names, once it is scheduled (the node agent refuses to start
 * a pod whose claim is being deleted, so an unscheduled pod holds nothing) and until it is shut down.
 */
export function claimsInUse(pod: Pod): string[] {
  return pod.spec?.nodeName && !podIsShutDown(pod) ? claimKeys(pod) : [];
}

/**
 * PvcProtectionController is upstream's pvc-protection controller: it puts `kubernetes.io/pvc-protection` on
 * claims that lack it, and removes it from a claim being deleted once no pod uses the claim, checked in the
 * pod cache and then with a live list, so a claim never goes while a pod the cache has not seen yet uses it.
 */
export class PvcProtectionController implements Controller {
  readonly name = 'pvc-protection';
  readonly #deps: ControllerDeps;
  readonly queue = new WorkQueue<string>();
  #claims!: Informer<ClaimObj>;
  #pods!: Informer<PodObj>;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#claims = this.#deps.informers.informer<ClaimObj>('v1', 'persistentvolumeclaims');
    this.#pods = this.#deps.informers.informer<PodObj>('v1', 'pods', { indexers: { claim: claimsInUse } });
    const claimKey = (c: ApiObject): string => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
    this.#claims.addHandler({ onAdd: (c) => this.queue.add(claimKey(c)), onUpdate: (_o, c) => this.queue.add(claimKey(c)) });
    // A pod letting go of a claim matters only to a claim already being deleted.
    const podChanged = (pod: PodObj): void => {
      for (const key of claimKeys(pod)) if (this.#claims.store.get(key)?.metadata?.deletionTimestamp) this.queue.add(key);
    };
    this.#pods.addHandler({ onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#claims.synced, this.#pods.synced]);
    await runWorkers(this.queue, 2, (key) => this.reconcile(key), (key, err) => this.#deps.log(`pvc-protection ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile adds the finalizer to a live claim, or removes it from a deleted claim no pod uses. */
  async reconcile(key: string): Promise<void> {
    const claim = this.#claims.store.get(key);
    if (!claim) return;
    const rc = this.#deps.client.resource('v1', 'persistentvolumeclaims');
    const has = claim.metadata?.finalizers?.includes(pvcProtectionFinalizer) ?? false;
    if (!claim.metadata?.deletionTimestamp) {
      if (!has) await setFinalizer(rc, claim, pvcProtectionFinalizer, true);
      return;
    }
    if (!has || this.#pods.store.byIndex('claim', key).length > 0 || (await this.#usedLive(key))) return;
    await setFinalizer(rc, claim, pvcProtectionFinalizer, false);
  }

  async #usedLive(key: string): Promise<boolean> {
    const ns = key.slice(0, key.indexOf('/'));
    const pods = await this.#deps.client.resource<PodObj>('v1', 'pods').list(ns);
    return pods.items.some((p) => claimsInUse(p).includes(key));
  }
}
