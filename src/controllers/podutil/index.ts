export { compareActivePods, controllerRefOf, isPodActive, isPodAvailable, isPodReady, newControllerRef, podDeletionCostAnnotation, podReadyCondition, type PodObject } from './pods.ts';
export { ControllerExpectations, expectationsTimeoutMs } from './expectations.ts';
export { claimCandidates, claimObjects, controllerIndex, controllerIndexName, type ClaimOptions } from './claim.ts';
export { clearDisruptionTarget, markDisruptionTarget, type DisruptionTargetReason } from './disruption.ts';
