import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { ObjectChange, QueueingHint } from '../framework/events.ts';
import { normalizeDefault, stateKey, type Plugin, type StateData } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { success, unresolvable, type Status } from '../framework/status.ts';
import { findUntoleratedTaint, isDoNotScheduleTaint, tolerationsTolerateTaint } from '../framework/taints.ts';

/** taintTolerationName is the plugin's upstream name. */
export const taintTolerationName = 'TaintToleration';

/** untoleratedTaintReason is upstream's rejection message for a taint the pod does not tolerate. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

interface PreScoreState extends StateData {
  readonly tolerations: readonly Toleration[];
}
const preScoreKey = stateKey<PreScoreState>('PreScoreTaintToleration');

function isPreferNoSchedule(taint: Taint): boolean {
  return taint.effect === 'PreferNoSchedule';
}

/** countIntolerablePreferNoSchedule counts PreferNoSchedule taints none of the tolerations tolerate. */
export function countIntolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const t of taints) if (isPreferNoSchedule(t) && !tolerationsTolerateTaint(tolerations, t)) n++;
  return n;
}

function hintNodeChange(pod: Pod, change: ObjectChange): QueueingHint {
  if (change.kind !== 'Node' || !change.newObj) return 'Queue';
  const taints = change.newObj.spec?.taints ?? [];
  return findUntoleratedTaint(taints, pod.spec?.tolerations, isDoNotScheduleTaint) === undefined ? 'Queue' : 'Skip';
}

/** newTaintTolerationPlugin filters on NoSchedule/NoExecute taints and prefers nodes with fewer untolerated PreferNoSchedule taints. */
export function newTaintTolerationPlugin(): Plugin {
  return {
    name: taintTolerationName,
    filter(_state, pod: Pod, nodeInfo: NodeInfo): Status {
      if (nodeInfo.taints.length === 0) return success();
      const taint = findUntoleratedTaint(nodeInfo.taints, pod.spec?.tolerations, isDoNotScheduleTaint);
      return taint === undefined ? success() : unresolvable(untoleratedTaintReason(taint));
    },
    preScore(state, pod) {
      // Only tolerations that can tolerate a PreferNoSchedule taint matter for scoring.
      const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      const s: PreScoreState = { tolerations, clone: () => s };
      state.write(preScoreKey, s);
      return success();
    },
    score(state, _pod, nodeInfo) {
      if (nodeInfo.taints.length === 0) return 0;
      return countIntolerablePreferNoSchedule(nodeInfo.taints, state.read(preScoreKey)?.tolerations ?? []);
    },
    normalizeScore(_state, _pod, scores) {
      normalizeDefault(scores, true);
      return success();
    },
    events: [
      { event: { resource: 'Node', action: 'Add' }, hint: hintNodeChange },
      { event: { resource: 'Node', action: 'UpdateNodeTaint' }, hint: hintNodeChange },
      { event: { resource: 'UnscheduledPod', action: 'UpdatePodToleration' } },
    ],
  };
}
