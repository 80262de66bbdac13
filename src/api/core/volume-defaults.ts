import type {
  PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, PersistentVolumeStatus,
} from 'kubernetes-types/core/v1.js';
import { canonicalizeResourceList, type ResourceList } from './resources.ts';

// PersistentVolume and PersistentVolumeClaim defaults (SetDefaults_PersistentVolume, _PersistentVolumeClaim,
// _PersistentVolumeClaimSpec), shared with pods' ephemeral volumes and StatefulSets' claim templates.

/** defaultPersistentVolumeClaimSpec sets volumeMode Filesystem and canonicalizes the resource quantities. */
export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec): void {
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  canonicalizeResourceList(spec.resources?.requests as ResourceList | undefined);
  canonicalizeResourceList(spec.resources?.limits as ResourceList | undefined);
}

/** defaultPersistentVolumeClaim defaults the spec and sets status.phase Pending. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  defaultPersistentVolumeClaimSpec(pvc.spec);
  // status is read-only in the published types because clients should not write it; defaulting may.
  const status = ((pvc as { status?: PersistentVolumeClaimStatus }).status ??= {});
  if (!status.phase) status.phase = 'Pending';
  canonicalizeResourceList(status.capacity as ResourceList | undefined);
  canonicalizeResourceList(status.allocatedResources as ResourceList | undefined);
}

/** defaultPersistentVolume sets reclaim policy Retain, volumeMode Filesystem, status.phase Pending and hostPath type. */
export function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.spec ??= {};
  if (!pv.spec.persistentVolumeReclaimPolicy) pv.spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!pv.spec.volumeMode) pv.spec.volumeMode = 'Filesystem';
  if (pv.spec.hostPath && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = '';
  canonicalizeResourceList(pv.spec.capacity as ResourceList | undefined);
  const status = ((pv as { status?: PersistentVolumeStatus }).status ??= {});
  if (!status.phase) status.phase = 'Pending';
}
