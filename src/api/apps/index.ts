import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { typedDefaulter, typedValidator, type GroupRegistry } from '../validation/registry.ts';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './defaults.ts';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate } from './deployment-validation.ts';
import { validateStatefulSet, validateStatefulSetUpdate } from './statefulset-validation.ts';
import { validateControllerRevision, validateControllerRevisionUpdate, validateDaemonSet, validateDaemonSetUpdate } from './daemonset-validation.ts';

// The apps API group: Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions.

export { defaultDeployment, defaultReplicaSet, defaultStatefulSet, defaultDaemonSet } from './defaults.ts';
export { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate } from './deployment-validation.ts';
export { validateStatefulSet, validateStatefulSetUpdate } from './statefulset-validation.ts';
export { validateDaemonSet, validateDaemonSetUpdate, validateControllerRevision, validateControllerRevisionUpdate } from './daemonset-validation.ts';

/** group is the API group these tables serve. */
export const group = 'apps';

/** defaults maps each apps kind to its SetDefaults function. */
export const defaults: GroupRegistry['defaults'] = {
  Deployment: typedDefaulter<Deployment>(defaultDeployment),
  ReplicaSet: typedDefaulter<ReplicaSet>(defaultReplicaSet),
  StatefulSet: typedDefaulter<StatefulSet>(defaultStatefulSet),
  DaemonSet: typedDefaulter<DaemonSet>(defaultDaemonSet),
  ControllerRevision: () => {},
};

/** validators maps each apps kind to its create and update validation. */
export const validators: GroupRegistry['validators'] = {
  Deployment: typedValidator<Deployment>(validateDeployment, validateDeploymentUpdate),
  ReplicaSet: typedValidator<ReplicaSet>(validateReplicaSet, validateReplicaSetUpdate),
  StatefulSet: typedValidator<StatefulSet>(validateStatefulSet, validateStatefulSetUpdate),
  DaemonSet: typedValidator<DaemonSet>(validateDaemonSet, validateDaemonSetUpdate),
  ControllerRevision: typedValidator<ControllerRevision>(validateControllerRevision, validateControllerRevisionUpdate),
};
export { prepareDaemonSetForCreate, prepareDaemonSetForUpdate, templateGenerationAnnotation, templateGenerationOf } from './daemonset-generation.ts';
