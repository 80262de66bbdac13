import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import { pvProtectionFinalizer } from '../../apiserver/admission/storage-object-in-use-protection.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { setFinalizer } from './finalizer.ts';

type VolumeObj = PersistentVolume & ApiObject;

/**
 * PvProtectionController is upstream's pv-protection controller: it puts `kubernetes.io/pv-protection` on
 * volumes that lack it, and removes it from a volume being deleted once the volume is no longer Bound.
 */
export class PvProtectionController implements Controller {
  readonly name = 'pv-protection';
  readonly #deps: ControllerDeps;
  readonly queue = new WorkQueue<string>();
  #volumes!: Informer<VolumeObj>;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#volumes = this.#deps.informers.informer<VolumeObj>('v1', 'persistentvolumes');
    const enqueue = (v: ApiObject): void => this.queue.add(v.metadata?.name ?? '');
    this.#volumes.addHandler({ onAdd: enqueue, onUpdate: (_o, v) => enqueue(v) });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.#volumes.synced;
    await runWorkers(this.queue, 1, (name) => this.reconcile(name), (name, err) => this.#deps.log(`pv-protection ${name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile adds the finalizer to a live volume, or removes it from a deleted volume that is not Bound. */
  async reconcile(name: string): Promise<void> {
    const volume = this.#volumes.store.get(name);
    if (!volume) return;
    const rc = this.#deps.client.resource('v1', 'persistentvolumes');
    if (!volume.metadata?.deletionTimestamp) await setFinalizer(rc, volume, pvProtectionFinalizer, true);
    else if (volume.status?.phase !== 'Bound') await setFinalizer(rc, volume, pvProtectionFinalizer, false);
  }
}
