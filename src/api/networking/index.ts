import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { typedDefaulter, typedValidator, type GroupRegistry } from '../validation/registry.ts';
import { defaultIngressClass, validateIngress, validateIngressClass, validateIngressClassUpdate, validateIngressUpdate } from './ingress.ts';
import { defaultNetworkPolicy, validateNetworkPolicy, validateNetworkPolicyUpdate } from './network-policy.ts';

// The networking.k8s.io API group: Ingresses, IngressClasses and NetworkPolicies.

export { defaultIngressClass, defaultIngressClassAnnotation, legacyIngressClassAnnotation, validateIngress, validateIngressUpdate, validateIngressClass, validateIngressClassUpdate } from './ingress.ts';
export { defaultNetworkPolicy, validateNetworkPolicy, validateNetworkPolicyUpdate } from './network-policy.ts';

/** group is the API group these tables serve. */
export const group = 'networking.k8s.io';

/** defaults maps each networking kind to its SetDefaults function. */
export const defaults: GroupRegistry['defaults'] = {
  Ingress: () => {},
  IngressClass: typedDefaulter<IngressClass>(defaultIngressClass),
  NetworkPolicy: typedDefaulter<NetworkPolicy>(defaultNetworkPolicy),
};

/** validators maps each networking kind to its create and update validation. */
export const validators: GroupRegistry['validators'] = {
  Ingress: typedValidator<Ingress>(validateIngress, validateIngressUpdate),
  IngressClass: typedValidator<IngressClass>(validateIngressClass, validateIngressClassUpdate),
  NetworkPolicy: typedValidator<NetworkPolicy>(validateNetworkPolicy, validateNetworkPolicyUpdate),
};
