// The scheduling framework: snapshot, plugin contract, registry and the scheduling cycle.
export { type Code, type RejectedCode, type Status, type Diagnosis, NodeToStatus, success, skip, unschedulable, unresolvable, errorStatus, isSuccess, isRejected, statusReasons, statusMessage, statusPlugin, withPlugin, newDiagnosis, fitErrorMessage } from './status.ts';
export { type Resource, type ResourceListLike, type PodRequestOptions, newResource, resourceFromList, podRequests, isScalarResourceName, isZeroResource, defaultMilliCPURequest, defaultMemoryRequest } from './resources.ts';
export { type PodInfo, type AffinityTerm, type WeightedAffinityTerm, type HostPort, newPodInfo, podKey, podPriority, podStartTime, newAffinityTerm, affinityTermMatches } from './pod-info.ts';
export { NodeInfo, HostPortInfo, imageSizesOf } from './node-info.ts';
export { Snapshot, zoneKeyOf } from './snapshot.ts';
export {
  CycleState,
  stateKey,
  maxNodeScore,
  normalizeDefault,
  namespaceLabelsFrom,
  type StateData,
  type StateKey,
  type NodeScore,
  type Plugin,
  type PluginFactory,
  type PluginHandle,
  type PreFilterResult,
  type PreFilterExtensions,
  type VolumeLookup,
} from './interface.ts';
export {
  type ClusterEvent,
  type EventResource,
  type ActionType,
  type ObjectChange,
  type QueueingHint,
  type QueueingHintFn,
  type EventRegistration,
  eventMatches,
  nodeUpdateEvents,
  assignedPodUpdateEvents,
  unschedulableTimeout,
} from './events.ts';
export { Registry, Framework, buildFramework, type ProfileEntry, type FrameworkOptions, type WeightedPlugin } from './registry.ts';
export { Nominator } from './nominator.ts';
export { type NodePluginScores, type PluginScore, type PreFilterOutcome, runPreFilterPlugins, runFilterPlugins, runFilterPluginsWithNominatedPods, activeFilterPlugins, runPreScorePlugins, runScorePlugins } from './runtime.ts';
export {
  scheduleOne,
  selectHost,
  numFeasibleNodesToFind,
  noNodesAvailable,
  type ScheduleOptions,
  type ScheduleResult,
  type PostFilter,
  type PostFilterArgs,
  type PostFilterResult,
} from './schedule-one.ts';
export { toleratesTaint, tolerationsTolerateTaint, findUntoleratedTaint, isDoNotScheduleTaint } from './taints.ts';
export { requiredNodeAffinity, preferredSchedulingTerms, compileNodeSelector, type RequiredNodeAffinity, type NodeTarget } from './node-affinity.ts';
