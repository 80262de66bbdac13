export { canonicalJson, fnv32a, safeEncodeString } from './hash.ts';
export {
  controllerRevisionHashLabel, createControllerRevision, equalRevision, findEqualRevisions, hashRevision, newControllerRevision,
  nextRevision, revisionName, sortRevisions, updateRevisionNumber, type CreatedRevision, type NewRevisionOptions, type RevisionObject,
} from './revisions.ts';
