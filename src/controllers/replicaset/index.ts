export { ReplicaSetController } from './controller.ts';
export { calculateReplicaSetStatus, type ReplicaSetObject } from './status.ts';
export { podsToDelete, slowStartBatch, burstReplicas } from './manage.ts';
