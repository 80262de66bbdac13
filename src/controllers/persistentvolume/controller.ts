import { join } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { EventRecorder } from '../../client/events.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { annotations, localPathProvisioner, localPathVolume } from './local-path.ts';
import { claimClass, findMatchingVolume, isPreBoundTo } from './matching.ts';

type Claim = PersistentVolumeClaim & ApiObject;
type Volume = PersistentVolume & ApiObject;

/** PersistentVolumeControllerOptions tune the controller. */
export interface PersistentVolumeControllerOptions {
  /** localPathDir is where local-path volumes live on every node (`<data-dir>/storage`, like k3s's one path for all nodes). */
  localPathDir: string;
}

const claimKey = (ns: string, name: string): string => `c/${ns}/${name}`;
const volumeKey = (name: string): string => `v/${name}`;

/**
 * PersistentVolumeController binds claims to volumes and runs their life cycle (upstream's persistentvolume-binder):
 * unbound claims get the best matching available volume, or one provisioned by the built-in local-path provisioner
 * once the scheduler picked a node for a WaitForFirstConsumer claim; volumes go Available → Bound → Released, and a
 * released volume is deleted (reclaim Delete) or kept (Retain). Keys are `c/<ns>/<name>` and `v/<name>`.
 */
export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  readonly #deps: ControllerDeps;
  readonly #opts: PersistentVolumeControllerOptions;
  readonly #recorder: EventRecorder;
  readonly queue = new WorkQueue<string>();
  #claims!: Informer;
  #volumes!: Informer;
  #classes!: Informer;
  #nodes!: Informer;

  constructor(deps: ControllerDeps, opts: PersistentVolumeControllerOptions) {
    this.#deps = deps;
    this.#opts = opts;
    this.#recorder = deps.recorder('persistentvolume-controller');
  }

  async start(signal: AbortSignal): Promise<void> {
    const inf = this.#deps.informers;
    this.#claims = inf.informer('v1', 'persistentvolumeclaims');
    this.#volumes = inf.informer('v1', 'persistentvolumes');
    this.#classes = inf.informer('storage.k8s.io/v1', 'storageclasses');
    this.#nodes = inf.informer('v1', 'nodes');
    const onClaim = (o: ApiObject): void => {
      const c = o as Claim;
      this.queue.add(claimKey(c.metadata?.namespace ?? '', c.metadata?.name ?? ''));
      if (c.spec?.volumeName) this.queue.add(volumeKey(c.spec.volumeName));
    };
    const onVolume = (o: ApiObject): void => {
      const v = o as Volume;
      this.queue.add(volumeKey(v.metadata?.name ?? ''));
      const ref = v.spec?.claimRef;
      if (ref?.name) this.queue.add(claimKey(ref.namespace ?? '', ref.name));
    };
    this.#claims.addHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: onClaim });
    this.#volumes.addHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: onVolume });
    // A new class may make waiting claims provisionable.
    this.#classes.addHandler({ onAdd: () => this.#claims.store.list().forEach(onClaim) });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#claims.synced, this.#volumes.synced, this.#classes.synced, this.#nodes.synced]);
    await runWorkers(this.queue, 2, (k) => this.reconcile(k), (k, err) => this.#deps.log(`persistentvolume ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one claim (`c/<ns>/<name>`) or volume (`v/<name>`). */
  async reconcile(key: string): Promise<void> {
    if (key.startsWith('c/')) {
      const claim = this.#claims.store.get(key.slice(2)) as Claim | undefined;
      if (claim && !claim.metadata?.deletionTimestamp) await this.#syncClaim(claim);
    } else if (key.startsWith('v/')) {
      // A volume being deleted is still synced: pv-protection holds it until it is no longer Bound, which
      // happens here when its claim goes (Released).
      const pv = this.#volumes.store.get(key.slice(2)) as Volume | undefined;
      if (pv) await this.#syncVolume(pv);
    }
  }

  async #syncClaim(claim: Claim): Promise<void> {
    const volumeName = claim.spec?.volumeName;
    if (!volumeName) return this.#syncUnboundClaim(claim);
    const pv = this.#volumes.store.get(volumeName) as Volume | undefined;
    if (!pv) {
      if (claim.status?.phase === 'Bound' || claim.status?.phase === 'Lost') {
        if (claim.status.phase !== 'Lost') this.#recorder.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        await this.#setClaimPhase(claim, 'Lost');
      } else await this.#setClaimPhase(claim, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef || isPreBoundTo(pv, claim)) {
      await this.#bind(pv, claim);
      return;
    }
    this.#recorder.event(claim, 'Warning', 'FailedBinding', 'volume "' + volumeName + '" already bound to a different claim.');
    await this.#setClaimPhase(claim, 'Pending');
  }

  async #syncUnboundClaim(claim: Claim): Promise<void> {
    const className = claimClass(claim);
    const cls = className ? (this.#classes.store.get(className) as StorageClass | undefined) : undefined;
    const delayed = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const selected = claim.metadata?.annotations?.[annotations.selectedNode];
    if (delayed && !selected) {
      if (claim.status?.phase !== 'Pending') this.#recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      await this.#setClaimPhase(claim, 'Pending');
      return;
    }
    // Deviation: upstream's scheduler picks static volumes for delayed claims itself; here the scheduler only names
    // the node and this controller restricts the match to volumes reachable from it.
    const node = selected ? ((this.#nodes.store.get(selected) as Node | undefined) ?? null) : undefined;
    const pv = findMatchingVolume(claim, this.#volumes.store.list() as Volume[], delayed ? node : undefined) as Volume | undefined;
    if (pv) {
      await this.#bind(pv, claim);
      return;
    }
    if (cls?.provisioner === localPathProvisioner && selected) {
      await this.#provision(claim, cls, selected, node ?? undefined);
      return;
    }
    if (cls?.provisioner) {
      await this.#annotateProvisioner(claim, cls.provisioner);
      this.#recorder.event(claim, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    } else if (!className || !cls) {
      this.#recorder.event(claim, 'Normal', 'FailedBinding', className ? `storageclass.storage.k8s.io "${className}" not found` : 'no persistent volumes available for this claim and no storage class is set');
    }
    await this.#setClaimPhase(claim, 'Pending');
  }

  async #annotateProvisioner(claim: Claim, provisioner: string): Promise<Claim> {
    const a = claim.metadata?.annotations ?? {};
    if (a[annotations.storageProvisioner] === provisioner && a[annotations.betaStorageProvisioner] === provisioner) return claim;
    return (await this.#deps.client.resource<Claim>('v1', 'persistentvolumeclaims').patch(claim.metadata?.namespace, claim.metadata?.name ?? '', 'merge', {
      metadata: { annotations: { [annotations.storageProvisioner]: provisioner, [annotations.betaStorageProvisioner]: provisioner } },
    })) as Claim;
  }

  /** #provision creates the claim's local-path volume on the selected node and binds it. */
  async #provision(claim: Claim, cls: StorageClass, nodeName: string, node: Node | undefined): Promise<void> {
    const annotated = await this.#annotateProvisioner(claim, localPathProvisioner);
    const want = localPathVolume(annotated, cls, nodeName, node, this.#opts.localPathDir);
    let pv: Volume;
    try {
      pv = (await this.#deps.client.resource<Volume>('v1', 'persistentvolumes').create(want as Volume)) as Volume;
      this.#recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata?.name ?? ''} using ${localPathProvisioner}`);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) {
        this.#recorder.event(claim, 'Warning', 'ProvisioningFailed', `Failed to provision volume with StorageClass "${cls.metadata?.name ?? ''}": ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      pv = (await this.#deps.client.resource<Volume>('v1', 'persistentvolumes').get(undefined, want.metadata.name)) as Volume;
    }
    await this.#bind(pv, annotated);
  }

  /** #bind points the volume at the claim and the claim at the volume, then sets both phases to Bound (upstream's bind). */
  async #bind(pvIn: Volume, claimIn: Claim): Promise<void> {
    let pv = pvIn;
    const ref = pv.spec?.claimRef;
    const m = claimIn.metadata ?? {};
    if (!ref || ref.uid !== m.uid) {
      const next = structuredClone(pv);
      (next.spec ??= {}).claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) };
      if (!ref) (next.metadata ??= {}).annotations = { ...(next.metadata?.annotations ?? {}), [annotations.boundByController]: 'yes' };
      pv = (await this.#deps.client.resource<Volume>('v1', 'persistentvolumes').update(next)) as Volume;
    }
    if (pv.status?.phase !== 'Bound') {
      pv = (await this.#deps.client.resource<Volume>('v1', 'persistentvolumes').patch(undefined, pv.metadata?.name ?? '', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' })) as Volume;
    }
    let claim = claimIn;
    const pvName = pv.metadata?.name ?? '';
    const a = claim.metadata?.annotations ?? {};
    if (claim.spec?.volumeName !== pvName || a[annotations.bindCompleted] !== 'yes') {
      const next = structuredClone(claim);
      const byController = !claim.spec?.volumeName;
      (next.spec ??= {}).volumeName = pvName;
      (next.metadata ??= {}).annotations = { ...a, [annotations.bindCompleted]: 'yes', ...(byController ? { [annotations.boundByController]: 'yes' } : {}) };
      claim = (await this.#deps.client.resource<Claim>('v1', 'persistentvolumeclaims').update(next)) as Claim;
    }
    if (claim.status?.phase !== 'Bound' || claim.status.capacity?.storage !== pv.spec?.capacity?.storage) {
      await this.#deps.client.resource<Claim>('v1', 'persistentvolumeclaims').patch(claim.metadata?.namespace, claim.metadata?.name ?? '', 'merge', {
        status: { phase: 'Bound', accessModes: pv.spec?.accessModes ?? [], capacity: pv.spec?.capacity ?? {} },
      }, { subresource: 'status' });
    }
  }

  async #syncVolume(pv: Volume): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref?.name) return this.#setVolumePhase(pv, 'Available');
    const claim = this.#claims.store.get(`${ref.namespace ?? ''}/${ref.name}`) as Claim | undefined;
    if (!ref.uid) {
      // Pre-bound by a user: the claim's sync binds it.
      return this.#setVolumePhase(pv, 'Available');
    }
    if (!claim || claim.metadata?.uid !== ref.uid) return this.#reclaim(pv);
    if (claim.spec?.volumeName === pv.metadata?.name) return this.#setVolumePhase(pv, 'Bound');
    if (claim.spec?.volumeName && pv.metadata?.annotations?.[annotations.boundByController] === 'yes') {
      // The claim went to another volume; we bound this one, so we release it.
      const next = structuredClone(pv);
      delete next.spec?.claimRef;
      await this.#deps.client.resource<Volume>('v1', 'persistentvolumes').update(next);
    }
  }

  /** #reclaim handles a volume whose claim is gone: Released, then deleted (Delete) or kept (Retain). */
  async #reclaim(pv: Volume): Promise<void> {
    await this.#setVolumePhase(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Recycle') {
      this.#recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'Recycle is not supported by Berth: use dynamic provisioning');
      await this.#setVolumePhase(pv, 'Failed');
      return;
    }
    if (pv.metadata?.annotations?.[annotations.provisionedBy] !== localPathProvisioner) {
      this.#recorder.event(pv, 'Warning', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${pv.metadata?.name ?? ''}": no deletable volume plugin matched`);
      await this.#setVolumePhase(pv, 'Failed');
      return;
    }
    // The directory on the node is removed by that node's agent once the PV object is gone (sweepLocalPathStorage).
    try {
      await this.#deps.client.resource('v1', 'persistentvolumes').delete(undefined, pv.metadata?.name ?? '', { preconditions: { uid: pv.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }

  async #setClaimPhase(claim: Claim, phase: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    try {
      await this.#deps.client.resource('v1', 'persistentvolumeclaims').patch(claim.metadata?.namespace, claim.metadata?.name ?? '', 'merge', { status: { phase } }, { subresource: 'status' });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  async #setVolumePhase(pv: Volume, phase: string): Promise<void> {
    if (pv.status?.phase === phase) return;
    try {
      await this.#deps.client.resource('v1', 'persistentvolumes').patch(undefined, pv.metadata?.name ?? '', 'merge', { status: { phase } }, { subresource: 'status' });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}

/** defaultLocalPathDir is where local-path volumes go under a data directory. */
export function defaultLocalPathDir(dataDir: string): string {
  return join(dataDir, 'storage');
}
