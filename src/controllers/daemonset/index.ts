export { DaemonSetController, type DaemonSetControllerOptions } from './controller.ts';
export { revisionData, revisionHashLabel } from './history.ts';
export { addDaemonPodTolerations, daemonPlacement, pinToNode, targetNodeName, type DaemonSetObject, type NodeFit } from './placement.ts';
export { templateGenerationLabel } from './state.ts';
