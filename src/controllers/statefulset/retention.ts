import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { newControllerRef, type PodObject } from '../podutil/index.ts';
import { inOrdinalRange, type ClaimObject, type StatefulSetObject } from './identity.ts';

// persistentVolumeClaimRetentionPolicy is carried out through owner references on the claims, which the garbage
// collector then acts on (upstream's isClaimOwnerUpToDate and updateClaimOwnerRefForSetAndPod):
//   whenScaled Retain, whenDeleted Retain: no reference from the set or the pod
//   whenScaled Retain, whenDeleted Delete: the set owns the claim
//   whenScaled Delete, whenDeleted Retain: the pod owns the claim once the pod is scaled away
//   whenScaled Delete, whenDeleted Delete: the set owns it while the pod is wanted, the pod once it is scaled away

interface Policy {
  whenDeleted: string;
  whenScaled: string;
}

/** retentionPolicy is the set's claim retention policy, Retain for anything unset. */
export function retentionPolicy(set: StatefulSetObject): Policy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

function refersTo(ref: OwnerReference, obj: ApiObject, apiVersion: string, kind: string): boolean {
  return ref.apiVersion === apiVersion && ref.kind === kind && ref.name === obj.metadata?.name;
}

const refersToSet = (ref: OwnerReference, set: StatefulSetObject) => refersTo(ref, set, 'apps/v1', 'StatefulSet');
const refersToPod = (ref: OwnerReference, pod: PodObject) => refersTo(ref, pod, 'v1', 'Pod');

function hasOwnerRef(claim: ClaimObject, owner: ApiObject): boolean {
  const uid = owner.metadata?.uid;
  return (claim.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** hasStaleOwnerRef tells whether the claim refers to an object of this name and kind with another uid (an earlier incarnation). */
export function hasStaleOwnerRef(claim: ClaimObject, obj: ApiObject, apiVersion: string, kind: string): boolean {
  const ref = (claim.metadata?.ownerReferences ?? []).find((r) => refersTo(r, obj, apiVersion, kind));
  return ref !== undefined && ref.uid !== obj.metadata?.uid;
}

/** hasUnexpectedController tells whether, under a Delete policy, something other than the set or pod controls the claim. */
export function hasUnexpectedController(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata?.ownerReferences ?? []) {
    // A name match with another uid means the claim was left over by an earlier object: leave it alone.
    if (refersToSet(ref, set)) {
      if (ref.uid !== set.metadata?.uid) return true;
      continue;
    }
    if (refersToPod(ref, pod)) {
      if (ref.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (ref.controller === true) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): boolean {
  return (claim.metadata?.ownerReferences ?? []).some((r) => (r.uid === set.metadata?.uid || r.uid === pod.metadata?.uid) && r.controller !== true);
}

/** isClaimOwnerUpToDate tells whether the claim's owner references already express the retention policy for this pod. */
export function isClaimOwnerUpToDate(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): boolean {
  if (hasStaleOwnerRef(claim, set, 'apps/v1', 'StatefulSet') || hasStaleOwnerRef(claim, pod, 'v1', 'Pod')) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const want = wantedOwners(set, pod);
  return hasOwnerRef(claim, set) === want.set && hasOwnerRef(claim, pod) === want.pod;
}

function wantedOwners(set: StatefulSetObject, pod: PodObject): { set: boolean; pod: boolean } {
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const deleteOnScale = policy.whenScaled === 'Delete';
  const deleteWithSet = policy.whenDeleted === 'Delete';
  return {
    // With both Delete, a scaled-down pod's claim moves from the set to the pod.
    set: deleteWithSet && !(deleteOnScale && scaledDown),
    pod: deleteOnScale && scaledDown,
  };
}

/** claimOwnerRefsFor returns the claim's owner references rewritten for the retention policy. */
export function claimOwnerRefsFor(claim: ClaimObject, set: StatefulSetObject, pod: PodObject): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs = (claim.metadata?.ownerReferences ?? []).filter((r) => !refersToSet(r, set) && !refersToPod(r, pod));
  if (unexpected) return refs;
  const want = wantedOwners(set, pod);
  if (want.set) refs.push(newControllerRef(set, 'apps/v1', 'StatefulSet'));
  if (want.pod) refs.push(newControllerRef(pod, 'v1', 'Pod'));
  return refs;
}
