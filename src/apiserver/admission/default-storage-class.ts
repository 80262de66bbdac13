import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { storageAnnotations } from '../../api/core/storage-annotations.ts';
import { isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

const storageClasses = { group: 'storage.k8s.io', resource: 'storageclasses' };
const betaClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/**
 * newestDefault picks among the objects marked default by one of the annotations (value "true"): with several,
 * the newest, then the first by name, as upstream's default storage and ingress class plugins do.
 */
export function newestDefault<T extends { metadata?: { name?: string; creationTimestamp?: string; annotations?: Record<string, string> } }>(objects: readonly T[], annotations: readonly string[]): T | undefined {
  const defaults = objects.filter((o) => annotations.some((a) => o.metadata?.annotations?.[a] === 'true'));
  defaults.sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return defaults[0];
}

/** defaultStorageClass is the class marked default (`storageclass.kubernetes.io/is-default-class: "true"`). */
export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  return newestDefault(classes, [storageAnnotations.defaultClass, 'storageclass.beta.kubernetes.io/is-default-class']);
}

/**
 * DefaultStorageClass gives a new claim that names no class (storageClassName unset, not "") the default class,
 * as upstream's DefaultStorageClass plugin.
 */
export class DefaultStorageClass implements AdmissionPlugin {
  readonly name = 'DefaultStorageClass';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  admit(a: AdmissionAttributes): void {
    if (!isResource(a, '', 'persistentvolumeclaims') || a.subresource !== '' || a.operation !== 'CREATE' || !a.object) return;
    const claim = a.object as PersistentVolumeClaim;
    if (claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== null) return;
    if (claim.metadata?.annotations?.[betaClassAnnotation] !== undefined) return;
    const cls = defaultStorageClass(this.#objects.list(storageClasses, '') as unknown as StorageClass[]);
    if (!cls?.metadata?.name) return;
    (claim.spec ??= {}).storageClassName = cls.metadata.name;
  }
}
