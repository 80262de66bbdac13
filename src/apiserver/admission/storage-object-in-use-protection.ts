import { isResource, type AdmissionAttributes, type AdmissionPlugin } from './types.ts';

/** pvcProtectionFinalizer keeps a claim until no pod uses it (removed by the pvc-protection controller). */
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
/** pvProtectionFinalizer keeps a volume until it is no longer bound (removed by the pv-protection controller). */
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

/**
 * StorageObjectInUseProtection puts the protection finalizer on every new claim and volume, as upstream's plugin
 * of that name, so deleting one that is in use leaves it Terminating until its controller lets it go.
 */
export class StorageObjectInUseProtection implements AdmissionPlugin {
  readonly name = 'StorageObjectInUseProtection';

  admit(a: AdmissionAttributes): void {
    if (a.operation !== 'CREATE' || a.subresource !== '' || !a.object) return;
    const finalizer = isResource(a, '', 'persistentvolumeclaims') ? pvcProtectionFinalizer : isResource(a, '', 'persistentvolumes') ? pvProtectionFinalizer : null;
    if (!finalizer) return;
    const meta = (a.object.metadata ??= {});
    if (!meta.finalizers?.includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  }
}
