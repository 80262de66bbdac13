import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { defaultIngressClassAnnotation, legacyIngressClassAnnotation } from '../../api/networking/ingress.ts';
import { newestDefault } from './default-storage-class.ts';
import { isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

const ingressClasses = { group: 'networking.k8s.io', resource: 'ingressclasses' };

/**
 * DefaultIngressClass gives a new Ingress that names no class (no spec.ingressClassName, no legacy
 * `kubernetes.io/ingress.class` annotation) the cluster's default IngressClass, as upstream's plugin.
 */
export class DefaultIngressClass implements AdmissionPlugin {
  readonly name = 'DefaultIngressClass';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  admit(a: AdmissionAttributes): void {
    if (!isResource(a, 'networking.k8s.io', 'ingresses') || a.subresource !== '' || a.operation !== 'CREATE' || !a.object) return;
    const ingress = a.object as Ingress;
    if (ingress.spec?.ingressClassName !== undefined && ingress.spec.ingressClassName !== null) return;
    if (ingress.metadata?.annotations?.[legacyIngressClassAnnotation] !== undefined) return;
    const cls = newestDefault(this.#objects.list(ingressClasses, '') as unknown as IngressClass[], [defaultIngressClassAnnotation]);
    if (!cls?.metadata?.name) return;
    (ingress.spec ??= {}).ingressClassName = cls.metadata.name;
  }
}
