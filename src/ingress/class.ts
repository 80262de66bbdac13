import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { defaultIngressClassAnnotation, legacyIngressClassAnnotation } from '../api/networking/ingress.ts';
import type { ApiObject } from '../api/object.ts';
import type { IngressObject } from './build.ts';

export type IngressClassObject = IngressClass & ApiObject;

/** controllerName is the IngressClass spec.controller value Berth's ingress serves. */
export const controllerName = 'berth.dev/ingress';

/** defaultClassName is the IngressClass Berth creates at start. */
export const defaultClassName = 'berth';

/** defaultClassAnnotation marks the cluster's default IngressClass. */
export const defaultClassAnnotation = defaultIngressClassAnnotation;

/** legacyClassAnnotation is the deprecated way of naming a class on an Ingress. */
export const legacyClassAnnotation = legacyIngressClassAnnotation;

/** isDefaultClass tells whether an IngressClass carries the default-class annotation. */
export function isDefaultClass(c: IngressClassObject): boolean {
  return c.metadata?.annotations?.[defaultClassAnnotation] === 'true';
}

/**
 * servesIngress decides whether this controller serves an Ingress: the legacy annotation names our class, or
 * spec.ingressClassName names a class whose controller is ours, or neither is set and one of our classes is the
 * cluster default (upstream's semantics; the admission plugin usually fills the class in on create).
 */
export function servesIngress(ing: IngressObject, classes: readonly IngressClassObject[], className = defaultClassName): boolean {
  const legacy = ing.metadata?.annotations?.[legacyClassAnnotation];
  if (legacy !== undefined) return legacy === className;
  const ours = classes.filter((c) => c.spec?.controller === controllerName);
  const name = ing.spec?.ingressClassName;
  if (name) return ours.some((c) => c.metadata?.name === name);
  return ours.some(isDefaultClass);
}

/** desiredClass is the IngressClass created at start; default only when the cluster has no default class yet. */
export function desiredClass(existing: readonly IngressClassObject[]): IngressClassObject {
  const hasDefault = existing.some(isDefaultClass);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: defaultClassName, ...(hasDefault ? {} : { annotations: { [defaultClassAnnotation]: 'true' } }) },
    spec: { controller: controllerName },
  };
}
