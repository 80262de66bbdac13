import { isApiError } from '../../api/errors.ts';
import type { Informer, ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import { controllerRefOf, type PodObject } from '../podutil/index.ts';
import { claimName, identityMatches, ordinalOf, podClaims, storageMatches, updateIdentity, updateStorage, type ClaimObject, type StatefulSetObject } from './identity.ts';
import { claimOwnerRefsFor, hasStaleOwnerRef, hasUnexpectedController, isClaimOwnerUpToDate, retentionPolicy } from './retention.ts';

/** StatefulPodControlDeps are the clients, claim cache and recorder pod control works through. */
export interface StatefulPodControlDeps {
  pods: ResourceClient<PodObject>;
  claims: ResourceClient<ClaimObject>;
  claimCache: Informer<ClaimObject>;
  recorder: EventRecorder;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * StatefulPodControl creates, updates and deletes a StatefulSet's pods and their claims, recording upstream's
 * events ("create Pod web-0 in StatefulSet web successful", "create Claim data-web-0 Pod web-0 in StatefulSet web success").
 */
export class StatefulPodControl {
  readonly #d: StatefulPodControlDeps;

  constructor(deps: StatefulPodControlDeps) {
    this.#d = deps;
  }

  /** createPod creates the pod's claims, then the pod, then sets claim owners for the retention policy. */
  async createPod(set: StatefulSetObject, pod: PodObject): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (err) {
      this.#podEvent('create', set, pod, err);
      throw err;
    }
    let created: PodObject;
    try {
      created = await this.#d.pods.create(pod);
    } catch (err) {
      if (isApiError(err, 'AlreadyExists')) {
        // Our own pod the cache has not shown yet: its add event brings us back. Anything else is a real conflict.
        const live = await this.#d.pods.get(pod.metadata?.namespace, pod.metadata?.name ?? '').catch(() => undefined);
        if (live && controllerRefOf(live)?.uid === set.metadata?.uid) return;
        throw err;
      }
      this.#podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.updateClaimsForRetention(set, created);
    } catch (err) {
      this.#podEvent('update', set, created, err);
      throw err;
    }
    this.#podEvent('create', set, pod, undefined);
  }

  /** updatePod restores a pod's identity, storage and claim ownership; a no-op when they already conform. */
  async updatePod(set: StatefulSetObject, cached: PodObject): Promise<void> {
    const pod = structuredClone(cached);
    let dirty = false;
    try {
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        dirty = true;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        dirty = true;
        await this.createClaims(set, pod);
      }
      if (!(await this.claimsMatchRetention(set, pod))) {
        await this.updateClaimsForRetention(set, pod);
        dirty = true;
      }
      if (!dirty) return;
      await this.#d.pods.update(pod);
    } catch (err) {
      this.#podEvent('update', set, pod, err);
      throw err;
    }
    this.#podEvent('update', set, pod, undefined);
  }

  /** deletePod deletes exactly this pod (uid precondition); a pod already gone is no error. */
  async deletePod(set: StatefulSetObject, pod: PodObject): Promise<void> {
    try {
      await this.#d.pods.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      this.#podEvent('delete', set, pod, err);
      throw err;
    }
    this.#podEvent('delete', set, pod, undefined);
  }

  /** createClaims creates the pod's missing claims; a claim being deleted is an error (the pod must wait). */
  async createClaims(set: StatefulSetObject, pod: PodObject): Promise<void> {
    const errors: string[] = [];
    for (const claim of podClaims(set, pod).values()) {
      const name = claim.metadata?.name ?? '';
      let existing = this.#claim(set, name);
      if (!existing) {
        try {
          await this.#d.claims.create(claim);
          this.#claimEvent(set, pod, name, undefined);
          continue;
        } catch (err) {
          if (!isApiError(err, 'AlreadyExists')) {
            this.#claimEvent(set, pod, name, err);
            errors.push(`failed to create PVC ${name}: ${message(err)}`);
            continue;
          }
          // The cache is behind: look at the claim that is there.
          existing = await this.#d.claims.get(set.metadata?.namespace, name).catch(() => undefined);
        }
      }
      if (existing?.metadata?.deletionTimestamp) errors.push(`pvc ${name} is being deleted`);
    }
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  /** claimsMatchRetention tells whether every existing claim of the pod has the owners its retention policy wants. */
  async claimsMatchRetention(set: StatefulSetObject, pod: PodObject): Promise<boolean> {
    const ordinal = ordinalOf(pod);
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.#claim(set, claimName(set, t, ordinal));
      // A missing claim is created (and fixed) on a later pass.
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  /** updateClaimsForRetention rewrites owner references of the pod's claims to carry out the retention policy. */
  async updateClaimsForRetention(set: StatefulSetObject, pod: PodObject): Promise<void> {
    const ordinal = ordinalOf(pod);
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(set, t, ordinal);
      const claim = this.#claim(set, name);
      if (!claim) continue;
      if (hasUnexpectedController(claim, set, pod)) {
        this.#d.recorder.event(set, 'Warning', 'ConflictingController', `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`);
      }
      if (isClaimOwnerUpToDate(claim, set, pod)) continue;
      const refs = claimOwnerRefsFor(claim, set, pod);
      try {
        await this.#d.claims.patch(claim.metadata?.namespace, name, 'merge', { metadata: { ownerReferences: refs.length > 0 ? refs : null, resourceVersion: claim.metadata?.resourceVersion } });
      } catch (err) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${message(err)}`);
      }
    }
  }

  /** claimIsStale tells whether, under whenScaled=Delete, a claim still belongs to an earlier pod of this name (it must go first). */
  claimIsStale(set: StatefulSetObject, pod: PodObject): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const c of podClaims(set, pod).values()) {
      const existing = this.#claim(set, c.metadata?.name ?? '');
      if (existing && hasStaleOwnerRef(existing, pod, 'v1', 'Pod')) return true;
    }
    return false;
  }

  #claim(set: StatefulSetObject, name: string): ClaimObject | undefined {
    return this.#d.claimCache.store.get(`${set.metadata?.namespace ?? ''}/${name}`);
  }

  #podEvent(verb: 'create' | 'update' | 'delete', set: StatefulSetObject, pod: PodObject, err: unknown): void {
    const title = `${verb[0]?.toUpperCase() ?? ''}${verb.slice(1)}`;
    const podName = pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    if (err === undefined) this.#d.recorder.event(set, 'Normal', `Successful${title}`, `${verb} Pod ${podName} in StatefulSet ${setName} successful`);
    else this.#d.recorder.event(set, 'Warning', `Failed${title}`, `${verb} Pod ${podName} in StatefulSet ${setName} failed error: ${message(err)}`);
  }

  #claimEvent(set: StatefulSetObject, pod: PodObject, name: string, err: unknown): void {
    const podName = pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    if (err === undefined) this.#d.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${setName} success`);
    else this.#d.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${setName} failed error: ${message(err)}`);
  }
}
