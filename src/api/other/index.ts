import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { typedDefaulter, typedValidator, type GroupRegistry } from '../validation/registry.ts';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './apiextensions.ts';
import { defaultHorizontalPodAutoscaler, validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerUpdate } from './autoscaling.ts';
import { defaultEndpointSlice, validateEndpointSlice, validateEndpointSliceUpdate, validateEventsV1Event, validateEventsV1EventUpdate } from './endpointslice-events.ts';
import {
  defaultPriorityClass, validateLease, validateLeaseUpdate, validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate, validatePriorityClass,
  validatePriorityClassUpdate,
} from './policy-scheduling.ts';
import {
  defaultRoleBinding, defaultStorageClass, validateBindingUpdate, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding,
  validateStorageClass, validateStorageClassUpdate,
} from './storage-rbac.ts';
import { validateObjectMetaUpdate } from '../validation/meta.ts';

// The smaller API groups: policy, scheduling, storage, rbac, coordination, discovery, events, autoscaling and
// apiextensions. Each group's tables are keyed by kind; groups maps an API group name to them.

export { defaultCustomResourceDefinition, validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate, validateStructuralSchema } from './apiextensions.ts';
export { defaultHorizontalPodAutoscaler, defaultHorizontalPodAutoscalerV1, validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerUpdate } from './autoscaling.ts';
export { defaultEndpointSlice, validateEndpointSlice, validateEndpointSliceUpdate, validateEventsV1Event, validateEventsV1EventUpdate } from './endpointslice-events.ts';
export {
  defaultPriorityClass, validatePriorityClass, validatePriorityClassUpdate, validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate,
  validateLease, validateLeaseUpdate,
} from './policy-scheduling.ts';
export {
  defaultStorageClass, validateStorageClass, validateStorageClassUpdate, defaultRoleBinding, validateRole, validateClusterRole,
  validateRoleBinding, validateClusterRoleBinding, validateBindingUpdate, nameIsRBACName,
} from './storage-rbac.ts';

const noDefaults = (): void => {};

/** groups maps each smaller API group to its defaulting and validation tables. */
export const groups: Record<string, GroupRegistry> = {
  policy: {
    defaults: { PodDisruptionBudget: noDefaults },
    validators: { PodDisruptionBudget: typedValidator<PodDisruptionBudget>(validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate) },
  },
  'scheduling.k8s.io': {
    defaults: { PriorityClass: typedDefaulter<PriorityClass>(defaultPriorityClass) },
    validators: { PriorityClass: typedValidator<PriorityClass>(validatePriorityClass, validatePriorityClassUpdate) },
  },
  'storage.k8s.io': {
    defaults: { StorageClass: typedDefaulter<StorageClass>(defaultStorageClass) },
    validators: { StorageClass: typedValidator<StorageClass>(validateStorageClass, validateStorageClassUpdate) },
  },
  'rbac.authorization.k8s.io': {
    defaults: {
      Role: noDefaults,
      ClusterRole: noDefaults,
      RoleBinding: typedDefaulter<RoleBinding>(defaultRoleBinding),
      ClusterRoleBinding: typedDefaulter<ClusterRoleBinding>(defaultRoleBinding),
    },
    validators: {
      Role: typedValidator<Role>(validateRole, (r, old) => [...validateObjectMetaUpdate(r.metadata, old.metadata), ...validateRole(r)]),
      ClusterRole: typedValidator<ClusterRole>(validateClusterRole, (r, old) => [...validateObjectMetaUpdate(r.metadata, old.metadata), ...validateClusterRole(r)]),
      RoleBinding: typedValidator<RoleBinding>(validateRoleBinding, (b, old) => validateBindingUpdate(b, old, true)),
      ClusterRoleBinding: typedValidator<ClusterRoleBinding>(validateClusterRoleBinding, (b, old) => validateBindingUpdate(b, old, false)),
    },
  },
  'coordination.k8s.io': {
    defaults: { Lease: noDefaults },
    validators: { Lease: typedValidator<Lease>(validateLease, validateLeaseUpdate) },
  },
  'discovery.k8s.io': {
    defaults: { EndpointSlice: typedDefaulter<EndpointSlice>(defaultEndpointSlice) },
    validators: { EndpointSlice: typedValidator<EndpointSlice>(validateEndpointSlice, validateEndpointSliceUpdate) },
  },
  'events.k8s.io': {
    defaults: { Event: noDefaults },
    validators: { Event: typedValidator<Event>(validateEventsV1Event, validateEventsV1EventUpdate) },
  },
  autoscaling: {
    defaults: { HorizontalPodAutoscaler: typedDefaulter<HorizontalPodAutoscaler>(defaultHorizontalPodAutoscaler) },
    validators: { HorizontalPodAutoscaler: typedValidator<HorizontalPodAutoscaler>(validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerUpdate) },
  },
  'apiextensions.k8s.io': {
    defaults: { CustomResourceDefinition: typedDefaulter<CustomResourceDefinition>(defaultCustomResourceDefinition) },
    validators: { CustomResourceDefinition: typedValidator<CustomResourceDefinition>(validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate) },
  },
};
export { conditionsUpToDate, pdbSelectsPod, setCondition, setDisruptionAllowedCondition, type PdbObject } from './pdb-status.ts';
