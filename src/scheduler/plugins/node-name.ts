import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Plugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { success, unresolvable, type Status } from '../framework/status.ts';

/** nodeNameName is the plugin's upstream name. */
export const nodeNameName = 'NodeName';
/** errReasonNodeName is upstream's rejection when spec.nodeName names another node. */
export const errReasonNodeName = "node(s) didn't match the requested node name";

/** nodeNameFits tells whether a pod's spec.nodeName (if any) is this node. */
export function nodeNameFits(pod: Pod, nodeInfo: NodeInfo): boolean {
  const want = pod.spec?.nodeName;
  return want === undefined || want === '' || want === nodeInfo.name;
}

/** newNodeNamePlugin rejects every node but the one named in spec.nodeName. */
export function newNodeNamePlugin(): Plugin {
  return {
    name: nodeNameName,
    filter(_state, pod: Pod, nodeInfo: NodeInfo): Status {
      return nodeNameFits(pod, nodeInfo) ? success() : unresolvable(errReasonNodeName);
    },
    events: [{ event: { resource: 'Node', action: 'Add' } }],
  };
}
