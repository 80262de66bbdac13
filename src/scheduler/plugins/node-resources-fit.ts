import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ObjectChange, QueueingHint } from '../framework/events.ts';
import { stateKey, type Plugin, type StateData } from '../framework/interface.ts';
import { NodeInfo } from '../framework/node-info.ts';
import { podRequests, type Resource } from '../framework/resources.ts';
import { success, type Status } from '../framework/status.ts';
import { defaultScoringResources, leastAllocatedScorer, mostAllocatedScorer, resourceAmount, type ResourceSpec } from './resource-allocation.ts';

/** nodeResourcesFitName is the plugin's upstream name. */
export const nodeResourcesFitName = 'NodeResourcesFit';

/** InsufficientResource describes one resource the node lacks; unresolvable means even an empty node is too small. */
export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
  readonly unresolvable: boolean;
}

/** FitOptions configure the plugin like upstream's NodeResourcesFitArgs. */
export interface FitOptions {
  readonly ignoredResources?: readonly string[];
  readonly ignoredResourceGroups?: readonly string[];
  /** scoringStrategy defaults to LeastAllocated over cpu and memory with weight 1. */
  readonly scoringStrategy?: { readonly type: 'LeastAllocated' | 'MostAllocated'; readonly resources?: readonly ResourceSpec[] };
}

/** fitsRequest lists what the node lacks for a request, in upstream's order: pods, cpu, memory, ephemeral-storage, then scalar resources. */
export function fitsRequest(req: Resource, nodeInfo: NodeInfo, opts: FitOptions = {}): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  const check = (name: string, want: number, have: number, inUse: number): void => {
    if (want > 0 && want > have - inUse) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have, unresolvable: want > have });
    }
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const [name, want] of req.scalar) {
    if (want === 0) continue;
    if (opts.ignoredResources?.includes(name)) continue;
    if (opts.ignoredResourceGroups?.includes(name.split('/')[0] ?? '')) continue;
    check(name, want, alloc.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0);
  }
  return out;
}

// fitsQuickly is the allocation-free check for the common case of a pod that fits; fitsRequest explains a misfit.
function fitsQuickly(req: Resource, nodeInfo: NodeInfo): boolean {
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) return false;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  return req.scalar.size === 0;
}

/** podFitsNode tells whether a pod's requests fit an otherwise empty node (used by queueing hints). */
export function podFitsNode(pod: Pod, node: Node): boolean {
  return fitsRequest(podRequests(pod), new NodeInfo(node)).length === 0;
}

function hintNodeChange(pod: Pod, change: ObjectChange): QueueingHint {
  if (change.kind !== 'Node' || !change.newObj) return 'Queue';
  return podFitsNode(pod, change.newObj) ? 'Queue' : 'Skip';
}

interface PreScoreState extends StateData {
  readonly podRequests: readonly number[];
}
const preScoreKey = stateKey<PreScoreState>('PreScoreNodeResourcesFit');

/** newNodeResourcesFitPlugin checks that requests fit the node's free allocatable and scores nodes by the scoring strategy. */
export function newNodeResourcesFitPlugin(opts: FitOptions = {}): Plugin {
  const resources = opts.scoringStrategy?.resources ?? defaultScoringResources;
  const scorer = opts.scoringStrategy?.type === 'MostAllocated' ? mostAllocatedScorer(resources) : leastAllocatedScorer(resources);
  const podVector = (nonZero: Resource): number[] => resources.map((r) => resourceAmount(nonZero, r.name));
  return {
    name: nodeResourcesFitName,
    filter(state, _pod, nodeInfo): Status {
      if (fitsQuickly(state.podInfo.requests, nodeInfo)) return success();
      const insufficient = fitsRequest(state.podInfo.requests, nodeInfo, opts);
      if (insufficient.length === 0) return success();
      const reasons = insufficient.map((r) => r.reason);
      return insufficient.some((r) => r.unresolvable) ? { code: 'UnschedulableAndUnresolvable', reasons } : { code: 'Unschedulable', reasons };
    },
    preScore(state) {
      const s: PreScoreState = { podRequests: podVector(state.podInfo.nonZeroRequests), clone: () => s };
      state.write(preScoreKey, s);
      return success();
    },
    score(state, _pod, nodeInfo) {
      const req = state.read(preScoreKey)?.podRequests ?? podVector(state.podInfo.nonZeroRequests);
      return scorer(nodeInfo, req);
    },
    events: [
      { event: { resource: 'Node', action: 'Add' }, hint: hintNodeChange },
      { event: { resource: 'Node', action: 'UpdateNodeAllocatable' }, hint: hintNodeChange },
      { event: { resource: 'AssignedPod', action: 'Delete' } },
      { event: { resource: 'AssignedPod', action: 'UpdatePodScaleDown' } },
    ],
  };
}
