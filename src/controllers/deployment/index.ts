export { DeploymentController } from './controller.ts';
export { computeHash, equalIgnoreHash, podTemplateHashLabel } from './hash.ts';
export { desiredReplicasAnnotation, maxReplicasAnnotation, revisionAnnotation, resolveFenceposts, type DeploymentObject } from './replicasets.ts';
export { scaledValue } from './replicasets.ts';
