import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ObjectChange, QueueingHint } from '../framework/events.ts';
import { normalizeDefault, stateKey, type Plugin, type StateData } from '../framework/interface.ts';
import { nodeNamesFromAffinity, preferredSchedulingTerms, requiredNodeAffinity, type PreferredTerms, type RequiredNodeAffinity } from '../framework/node-affinity.ts';
import { skip, success, unresolvable, type Status } from '../framework/status.ts';

/** nodeAffinityName is the plugin's upstream name. */
export const nodeAffinityName = 'NodeAffinity';
/** errReasonNodeAffinity is upstream's rejection when the node does not match nodeSelector or required node affinity. */
export const errReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";

interface PreFilterState extends StateData {
  readonly required: RequiredNodeAffinity;
}
interface PreScoreState extends StateData {
  readonly preferred: PreferredTerms;
}
const preFilterKey = stateKey<PreFilterState>('PreFilterNodeAffinity');
const preScoreKey = stateKey<PreScoreState>('PreScoreNodeAffinity');

function hintNodeChange(pod: Pod, change: ObjectChange): QueueingHint {
  if (change.kind !== 'Node' || !change.newObj) return 'Queue';
  const node = change.newObj;
  return requiredNodeAffinity(pod).match({ labels: node.metadata?.labels ?? {}, name: node.metadata?.name ?? '' }) ? 'Queue' : 'Skip';
}

/** newNodeAffinityPlugin filters on spec.nodeSelector and required node affinity and scores preferred node affinity by weight. */
export function newNodeAffinityPlugin(): Plugin {
  return {
    name: nodeAffinityName,
    preFilter(state, pod) {
      const required = requiredNodeAffinity(pod);
      if (required.empty) return skip();
      const s: PreFilterState = { required, clone: () => s };
      state.write(preFilterKey, s);
      // Affinity pinned to node names by matchFields lets the cycle look at those nodes only.
      const names = nodeNamesFromAffinity(pod);
      return names ? { code: 'Success', nodeNames: names } : success();
    },
    filter(state, pod, nodeInfo): Status {
      const required = state.read(preFilterKey)?.required ?? requiredNodeAffinity(pod);
      return required.match(nodeInfo) ? success() : unresolvable(errReasonNodeAffinity);
    },
    preScore(state, pod) {
      const preferred = preferredSchedulingTerms(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      if (preferred.empty) return skip();
      const s: PreScoreState = { preferred, clone: () => s };
      state.write(preScoreKey, s);
      return success();
    },
    score(state, pod, nodeInfo) {
      const preferred = state.read(preScoreKey)?.preferred ?? preferredSchedulingTerms(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      return preferred.score(nodeInfo);
    },
    normalizeScore(_state, _pod, scores) {
      normalizeDefault(scores, false);
      return success();
    },
    events: [
      { event: { resource: 'Node', action: 'Add' }, hint: hintNodeChange },
      { event: { resource: 'Node', action: 'UpdateNodeLabel' }, hint: hintNodeChange },
    ],
  };
}
