import { stateKey, type Plugin, type StateData } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { HostPort } from '../framework/pod-info.ts';
import { skip, success, unschedulable, type Status } from '../framework/status.ts';

/** nodePortsName is the plugin's upstream name. */
export const nodePortsName = 'NodePorts';
/** errReasonNodePorts is upstream's rejection when a wanted host port is taken. */
export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

/** fitsPorts tells whether none of the wanted host ports is already used on the node. */
export function fitsPorts(wanted: readonly HostPort[], nodeInfo: NodeInfo): boolean {
  if (nodeInfo.usedPorts.size === 0) return true;
  for (const p of wanted) if (nodeInfo.usedPorts.conflicts(p)) return false;
  return true;
}

interface PreFilterState extends StateData {
  readonly ports: readonly HostPort[];
}
const preFilterKey = stateKey<PreFilterState>('PreFilterNodePorts');

/** newNodePortsPlugin rejects nodes where a host port the pod wants is already bound (same ip, or 0.0.0.0, and protocol). */
export function newNodePortsPlugin(): Plugin {
  return {
    name: nodePortsName,
    preFilter(state) {
      const ports = state.podInfo.hostPorts;
      if (ports.length === 0) return skip();
      // Existing pods added or removed in a what-if do not change what the incoming pod wants, so no clone is needed.
      const s: PreFilterState = { ports, clone: () => s };
      state.write(preFilterKey, s);
      return success();
    },
    filter(state, _pod, nodeInfo): Status {
      const ports = state.read(preFilterKey)?.ports ?? state.podInfo.hostPorts;
      return fitsPorts(ports, nodeInfo) ? success() : unschedulable(errReasonNodePorts);
    },
    events: [{ event: { resource: 'AssignedPod', action: 'Delete' } }, { event: { resource: 'Node', action: 'Add' } }],
  };
}
