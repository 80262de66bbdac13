export { StatefulSetController } from './controller.ts';
export { podIndexLabel, podNameLabel, revisionLabel, type StatefulSetObject } from './identity.ts';
export { applyRevision, revisionData } from './revisions.ts';
