import { stateKey, type Plugin, type StateData } from '../framework/interface.ts';
import { skip, success } from '../framework/status.ts';
import { balancedAllocationScorer, defaultScoringResources, resourceAmount, type ResourceSpec } from './resource-allocation.ts';

/** nodeResourcesBalancedAllocationName is the plugin's upstream name. */
export const nodeResourcesBalancedAllocationName = 'NodeResourcesBalancedAllocation';

interface PreScoreState extends StateData {
  readonly podRequests: readonly number[];
}
const preScoreKey = stateKey<PreScoreState>('PreScoreNodeResourcesBalancedAllocation');

/** newNodeResourcesBalancedAllocationPlugin prefers nodes whose cpu and memory would be used in similar proportions. */
export function newNodeResourcesBalancedAllocationPlugin(resources: readonly ResourceSpec[] = defaultScoringResources): Plugin {
  const scorer = balancedAllocationScorer(resources);
  return {
    name: nodeResourcesBalancedAllocationName,
    preScore(state) {
      const podRequests = resources.map((r) => resourceAmount(state.podInfo.requests, r.name));
      // Best-effort pods would all pile onto one "balanced" node, so upstream skips them (kubernetes#129138).
      if (podRequests.every((v) => v === 0)) return skip();
      const s: PreScoreState = { podRequests, clone: () => s };
      state.write(preScoreKey, s);
      return success();
    },
    score(state, _pod, nodeInfo) {
      const req = state.read(preScoreKey)?.podRequests ?? resources.map((r) => resourceAmount(state.podInfo.requests, r.name));
      return scorer(nodeInfo, req);
    },
  };
}
