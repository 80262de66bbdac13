import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { compareQuantity, mustParseQuantity } from '../../api/validation/quantity.ts';
import { compileNodeSelector } from '../../scheduler/framework/node-affinity.ts';

// Claim-to-volume matching, as upstream's findMatchingVolume (pkg/controller/volume/persistentvolume/util): a
// volume pre-bound to the claim wins; otherwise the smallest available volume of the same class, volume mode and
// (superset of) access modes that is large enough, matches the claim's selector and, for a claim waiting for its
// first consumer, is reachable from the chosen node.

/** claimClass is the claim's storage class name ("" when none). */
export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.spec?.storageClassName ?? claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** volumeClass is the volume's storage class name ("" when none). */
export function volumeClass(pv: PersistentVolume): string {
  return pv.spec?.storageClassName ?? pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** claimRequest is the claim's requested storage (0 when unset). */
export function claimRequest(claim: PersistentVolumeClaim): string {
  return claim.spec?.resources?.requests?.storage ?? '0';
}

/** isPreBoundTo tells whether the volume's claimRef names the claim (and, if it has a uid, this very claim). */
export function isPreBoundTo(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** volumeFitsClaim checks class, volume mode, access modes, capacity and selector (not binding state). */
export function volumeFitsClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if (volumeClass(pv) !== claimClass(claim)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(claim.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  const capacity = pv.spec?.capacity?.storage;
  if (!capacity || compareQuantity(mustParseQuantity(capacity), mustParseQuantity(claimRequest(claim))) < 0) return false;
  if (claim.spec?.selector && !fromLabelSelector(claim.spec.selector).matches(pv.metadata?.labels ?? {})) return false;
  return true;
}

/** volumeReachableFrom tells whether a volume's required node affinity admits the node. */
export function volumeReachableFrom(pv: PersistentVolume, node: Node | undefined): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (!required) return true;
  if (!node) return false;
  return compileNodeSelector(required)({ name: node.metadata?.name ?? '', labels: node.metadata?.labels ?? {} });
}

/** findMatchingVolume returns the volume to bind the claim to, if any; `node` restricts it to volumes reachable from there. */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], node?: Node | null): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    if (claim.spec?.volumeName && pv.metadata?.name !== claim.spec.volumeName) continue;
    const preBound = isPreBoundTo(pv, claim);
    if (pv.spec?.claimRef && !preBound) continue;
    if (!preBound && pv.status?.phase && pv.status.phase !== 'Available') continue;
    if (!volumeFitsClaim(pv, claim)) continue;
    if (node !== undefined && !volumeReachableFrom(pv, node ?? undefined)) continue;
    if (preBound) return pv;
    const cap = mustParseQuantity(pv.spec?.capacity?.storage ?? '0');
    if (!best || compareQuantity(cap, mustParseQuantity(best.spec?.capacity?.storage ?? '0')) < 0) best = pv;
  }
  return best;
}
