import type {
  ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota, Secret,
  Service,
} from 'kubernetes-types/core/v1.js';
import { metadataOnlyValidator, typedDefaulter, typedValidator, type GroupRegistry } from '../validation/registry.ts';
import { nameIsDNSSubdomain } from '../validation/meta.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, defaultSecret } from './config-validation.ts';
import { defaultEndpoints, validateEndpoints, validateEndpointsUpdate } from './endpoints-validation.ts';
import { defaultNamespace, validateNamespace, validateNamespaceUpdate } from './namespace.ts';
import { defaultNode, validateNode, validateNodeUpdate } from './node.ts';
import { defaultPod } from './pod-defaults.ts';
import { validatePod } from './pod-validation.ts';
import { validatePodUpdate } from './pod-update-validation.ts';
import { defaultLimitRange, defaultResourceQuota, validateEvent, validateEventUpdate, validateLimitRange, validateResourceQuota, validateResourceQuotaUpdate } from './policy-objects.ts';
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from './volume-defaults.ts';
import { validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate } from './persistent-volume-validation.ts';
import { defaultService, defaultServiceIPFamilies } from './service-defaults.ts';
import { validateService, validateServiceUpdate } from './service-validation.ts';
import type { FieldError } from '../errors.ts';
import { validateObjectMetaUpdate } from '../validation/meta.ts';

// The core ("") API group: per-kind defaulting and validation, and the functions other groups build on.

export { defaultPod, defaultPodSpec, defaultPodTemplateSpec, defaultContainer, defaultProbe, defaultVolume, defaultImagePullPolicy } from './pod-defaults.ts';
export { validatePod, validatePodSpec, validatePodTemplateSpec, validatePodMetadataAndSpec, type PodSpecOptions } from './pod-validation.ts';
export { validatePodUpdate, validatePodEphemeralContainersUpdate } from './pod-update-validation.ts';
export { defaultService, defaultServiceIPFamilies, isHeadlessService, isExternallyAccessible } from './service-defaults.ts';
export { validateService, validateServiceUpdate, validateServiceNodePorts, type NodePortRange } from './service-validation.ts';
export { defaultNamespace, prepareNamespaceForCreate, validateNamespace, validateNamespaceUpdate, validateNamespaceFinalizeUpdate } from './namespace.ts';
export { defaultSecret, validateSecret, validateSecretUpdate, validateConfigMap, validateConfigMapUpdate, MaxSecretSize } from './config-validation.ts';
export { defaultNode, validateNode, validateNodeUpdate, validateNodeTaints } from './node.ts';
export { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultPersistentVolumeClaimSpec } from './volume-defaults.ts';
export {
  validatePersistentVolume, validatePersistentVolumeUpdate, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeClaimSpec,
} from './persistent-volume-validation.ts';
export { defaultEndpoints, validateEndpoints, validateEndpointsUpdate, validateNonSpecialIP } from './endpoints-validation.ts';
export {
  defaultLimitRange, validateLimitRange, defaultResourceQuota, validateResourceQuota, validateResourceQuotaUpdate, validateEvent,
  validateEventUpdate,
} from './policy-objects.ts';
export { canonicalizeResourceList, validateResourceRequirements, type ResourceList } from './resources.ts';
export { validateTolerations, validateNodeSelector, validateAffinity } from './scheduling-validation.ts';

function updateThenCreate<T extends { metadata?: Parameters<typeof validateObjectMetaUpdate>[0] }>(create: (o: T) => FieldError[]): (o: T, old: T) => FieldError[] {
  return (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...create(o)];
}

/** group is the API group these tables serve (the legacy core group). */
export const group = '';

/** defaults maps each core kind to its SetDefaults function. */
export const defaults: GroupRegistry['defaults'] = {
  Pod: typedDefaulter<Pod>(defaultPod),
  Service: typedDefaulter<Service>((svc) => {
    defaultService(svc);
    defaultServiceIPFamilies(svc);
  }),
  Namespace: typedDefaulter<Namespace>(defaultNamespace),
  Secret: typedDefaulter<Secret>(defaultSecret),
  Node: typedDefaulter<Node>(defaultNode),
  PersistentVolume: typedDefaulter<PersistentVolume>(defaultPersistentVolume),
  PersistentVolumeClaim: typedDefaulter<PersistentVolumeClaim>(defaultPersistentVolumeClaim),
  Endpoints: typedDefaulter<Endpoints>(defaultEndpoints),
  LimitRange: typedDefaulter<LimitRange>(defaultLimitRange),
  ResourceQuota: typedDefaulter<ResourceQuota>(defaultResourceQuota),
  ConfigMap: () => {},
  Event: () => {},
  ServiceAccount: () => {},
};

/** validators maps each core kind to its create and update validation. */
export const validators: GroupRegistry['validators'] = {
  Pod: typedValidator<Pod>(validatePod, validatePodUpdate),
  Service: typedValidator<Service>(validateService, validateServiceUpdate),
  Namespace: typedValidator<Namespace>(validateNamespace, validateNamespaceUpdate),
  Secret: typedValidator<Secret>(validateSecret, validateSecretUpdate),
  ConfigMap: typedValidator<ConfigMap>(validateConfigMap, validateConfigMapUpdate),
  Node: typedValidator<Node>(validateNode, validateNodeUpdate),
  PersistentVolume: typedValidator<PersistentVolume>(validatePersistentVolume, validatePersistentVolumeUpdate),
  PersistentVolumeClaim: typedValidator<PersistentVolumeClaim>(validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate),
  Endpoints: typedValidator<Endpoints>(validateEndpoints, validateEndpointsUpdate),
  LimitRange: typedValidator<LimitRange>(validateLimitRange, updateThenCreate(validateLimitRange)),
  ResourceQuota: typedValidator<ResourceQuota>(validateResourceQuota, validateResourceQuotaUpdate),
  Event: typedValidator<Event>(validateEvent, validateEventUpdate),
  ServiceAccount: metadataOnlyValidator(true, nameIsDNSSubdomain),
};
