import type { NodeInfo } from '../framework/node-info.ts';
import { maxNodeScore } from '../framework/interface.ts';
import { isScalarResourceName, type Resource } from '../framework/resources.ts';

// Resource-based node scoring shared by NodeResourcesFit (LeastAllocated, MostAllocated) and
// NodeResourcesBalancedAllocation (upstream's resourceAllocationScorer).

/** ResourceSpec is a resource to score and its weight. */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** defaultScoringResources is upstream's default: cpu and memory, weight 1 each. */
export const defaultScoringResources: readonly ResourceSpec[] = Object.freeze([
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
]);

/** resourceAmount reads one resource from a Resource (cpu in millicores). */
export function resourceAmount(r: Resource, name: string): number {
  switch (name) {
    case 'cpu':
      return r.milliCPU;
    case 'memory':
      return r.memory;
    case 'ephemeral-storage':
      return r.ephemeralStorage;
    case 'pods':
      return r.allowedPodNumber;
    default:
      return r.scalar.get(name) ?? 0;
  }
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Overcommitted nodes get the top score rather than a penalty, as upstream does.
  if (requested > capacity) return maxNodeScore;
  return Math.trunc((requested * maxNodeScore) / capacity);
}

function scoreFromFractions(fractions: readonly number[], n: number): number {
  let std = 0;
  if (n === 2) {
    // With two resources the standard deviation is simply half their difference.
    std = Math.abs(((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2);
  } else if (n > 2) {
    let total = 0;
    for (let i = 0; i < n; i++) total += fractions[i] ?? 0;
    const mean = total / n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += ((fractions[i] ?? 0) - mean) ** 2;
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * maxNodeScore);
}

/** ResourceScorer scores one node for a fixed resource list, without allocating per node (the hot path of scoring). */
export type ResourceScorer = (nodeInfo: NodeInfo, podRequests: readonly number[]) => number;

type Reader = (r: Resource) => number;

function readerOf(name: string): Reader {
  switch (name) {
    case 'cpu':
      return (r) => r.milliCPU;
    case 'memory':
      return (r) => r.memory;
    case 'ephemeral-storage':
      return (r) => r.ephemeralStorage;
    default:
      return (r) => r.scalar.get(name) ?? 0;
  }
}

interface Compiled {
  readonly weight: number;
  readonly scalar: boolean;
  readonly read: Reader;
  /** nonZero: scoring without useRequested counts cpu and memory with the 100m/200Mi defaults. */
  readonly nonZero: boolean;
}

function compile(resources: readonly ResourceSpec[], useRequested: boolean): Compiled[] {
  return resources.map((r) => ({
    weight: r.weight,
    scalar: isScalarResourceName(r.name),
    read: readerOf(r.name),
    nonZero: !useRequested && (r.name === 'cpu' || r.name === 'memory'),
  }));
}

function weightedScorer(resources: readonly ResourceSpec[], per: (r: number, c: number) => number): ResourceScorer {
  const compiled = compile(resources, false);
  return (nodeInfo, podRequests) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < compiled.length; i++) {
      const c = compiled[i] as Compiled;
      const pod = podRequests[i] ?? 0;
      if (pod === 0 && c.scalar) continue;
      const alloc = c.read(nodeInfo.allocatable);
      if (alloc === 0) continue;
      const req = c.read(c.nonZero ? nodeInfo.nonZeroRequested : nodeInfo.requested) + pod;
      score += per(req, alloc) * c.weight;
      weights += c.weight;
    }
    return weights === 0 ? 0 : Math.trunc(score / weights);
  };
}

/** leastAllocatedScorer compiles leastAllocatedScore for a resource list. */
export function leastAllocatedScorer(resources: readonly ResourceSpec[]): ResourceScorer {
  return weightedScorer(resources, leastRequested);
}

/** mostAllocatedScorer compiles mostAllocatedScore for a resource list. */
export function mostAllocatedScorer(resources: readonly ResourceSpec[]): ResourceScorer {
  return weightedScorer(resources, mostRequested);
}

/** balancedAllocationScorer compiles balancedAllocationScore (with actual, not defaulted, requests) for a resource list. */
export function balancedAllocationScorer(resources: readonly ResourceSpec[]): ResourceScorer {
  const compiled = compile(resources, true);
  const fractions = new Array<number>(compiled.length).fill(0);
  return (nodeInfo, podRequests) => {
    let n = 0;
    for (let i = 0; i < compiled.length; i++) {
      const c = compiled[i] as Compiled;
      const pod = podRequests[i] ?? 0;
      if (pod === 0 && c.scalar) continue;
      const alloc = c.read(nodeInfo.allocatable);
      if (alloc === 0) continue;
      fractions[n++] = Math.min(1, (c.read(nodeInfo.requested) + pod) / alloc);
    }
    return scoreFromFractions(fractions, n);
  };
}
