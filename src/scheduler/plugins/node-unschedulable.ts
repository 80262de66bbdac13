import type { Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Plugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { success, unresolvable, type Status } from '../framework/status.ts';
import { tolerationsTolerateTaint } from '../framework/taints.ts';

/** nodeUnschedulableName is the plugin's upstream name. */
export const nodeUnschedulableName = 'NodeUnschedulable';
/** errReasonUnschedulable is upstream's rejection for a cordoned node. */
export const errReasonUnschedulable = 'node(s) were unschedulable';

const unschedulableTaint: Taint = Object.freeze({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });

/** newNodeUnschedulablePlugin rejects nodes with spec.unschedulable unless the pod tolerates the unschedulable taint. */
export function newNodeUnschedulablePlugin(): Plugin {
  return {
    name: nodeUnschedulableName,
    filter(_state, pod: Pod, nodeInfo: NodeInfo): Status {
      if (!nodeInfo.unschedulable) return success();
      // DaemonSet pods tolerate the taint so they can still land on cordoned nodes.
      if (tolerationsTolerateTaint(pod.spec?.tolerations, unschedulableTaint)) return success();
      return unresolvable(errReasonUnschedulable);
    },
    events: [{ event: { resource: 'Node', action: 'Add' } }, { event: { resource: 'Node', action: 'UpdateNodeTaint' } }],
  };
}
