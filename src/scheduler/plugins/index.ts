// In-tree scheduler plugins under their upstream names, and the default profile.
export { defaultRegistry, defaultProfile, newDefaultFramework } from './default-registry.ts';
export { newNodeUnschedulablePlugin, nodeUnschedulableName, errReasonUnschedulable } from './node-unschedulable.ts';
export { newNodeNamePlugin, nodeNameName, errReasonNodeName } from './node-name.ts';
export { newTaintTolerationPlugin, taintTolerationName, untoleratedTaintReason } from './taint-toleration.ts';
export { newNodeAffinityPlugin, nodeAffinityName, errReasonNodeAffinity } from './node-affinity.ts';
export { newNodePortsPlugin, nodePortsName, errReasonNodePorts } from './node-ports.ts';
export { newNodeResourcesFitPlugin, nodeResourcesFitName, fitsRequest, type FitOptions, type InsufficientResource } from './node-resources-fit.ts';
export { newNodeResourcesBalancedAllocationPlugin, nodeResourcesBalancedAllocationName } from './node-resources-balanced-allocation.ts';
export { leastAllocatedScorer, mostAllocatedScorer, balancedAllocationScorer, defaultScoringResources, type ResourceSpec, type ResourceScorer } from './resource-allocation.ts';
export { newVolumeBindingPlugin, volumeBindingName, errReasonNodeConflict, errReasonPVNotExist, errReasonUnboundImmediate } from './volume-binding.ts';
export {
  newInterPodAffinityPlugin,
  interPodAffinityName,
  errReasonAffinityRulesNotMatch,
  errReasonAntiAffinityRulesNotMatch,
  errReasonExistingAntiAffinityRulesNotMatch,
  type InterPodAffinityOptions,
} from './inter-pod-affinity.ts';
export { newPodTopologySpreadPlugin, podTopologySpreadName, errReasonConstraintsNotMatch, errReasonNodeLabelNotMatch } from './pod-topology-spread.ts';
export { newImageLocalityPlugin, imageLocalityName, normalizedImageName } from './image-locality.ts';
