import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { isExtendedResourceName, isHugePageResourceName } from '../../api/core/resources.ts';
import { milliValue, parseQuantity, value } from '../../api/validation/quantity.ts';

// Resource arithmetic as the scheduler sees it (upstream's framework.Resource and resourcehelper.PodRequests):
// cpu in millicores, everything else in whole units, all as plain numbers so the per-node checks stay cheap.

/** ResourceListLike is a resource name → quantity map as it appears in a pod or node. */
export type ResourceListLike = Readonly<Record<string, string | number>>;

/** Resource is an amount of each resource: cpu in millicores, memory and storage in bytes, extended resources in units. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** allowedPodNumber is only meaningful for a node's allocatable. */
  allowedPodNumber: number;
  /** scalar holds extended resources (nvidia.com/gpu), hugepages and other scalar resources. */
  scalar: Map<string, number>;
}

/** defaultMilliCPURequest is the cpu a container without a cpu request counts as when scoring (upstream: 100m). */
export const defaultMilliCPURequest = 100;
/** defaultMemoryRequest is the memory a container without a memory request counts as when scoring (upstream: 200Mi). */
export const defaultMemoryRequest = 200 * 1024 * 1024;

/** newResource returns an all-zero resource. */
export function newResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

/** cloneResource copies a resource. */
export function cloneResource(r: Resource): Resource {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, allowedPodNumber: r.allowedPodNumber, scalar: new Map(r.scalar) };
}

/** isScalarResourceName tells whether a resource is tracked in Resource.scalar (upstream's IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  return (
    isHugePageResourceName(name) ||
    name.startsWith('attachable-volumes-') ||
    name.includes('kubernetes.io/') ||
    isExtendedResourceName(name)
  );
}

function quantityOf(name: string, raw: string | number): number {
  const r = parseQuantity(raw);
  if (!r.ok) return 0;
  return name === 'cpu' ? milliValue(r.quantity) : value(r.quantity);
}

type Combine = (a: number, b: number) => number;
const sum: Combine = (a, b) => a + b;

function combineList(r: Resource, list: ResourceListLike | undefined, combine: Combine): void {
  if (!list) return;
  for (const name of Object.keys(list)) {
    const raw = list[name];
    if (raw === undefined) continue;
    const v = quantityOf(name, raw);
    switch (name) {
      case 'cpu':
        r.milliCPU = combine(r.milliCPU, v);
        break;
      case 'memory':
        r.memory = combine(r.memory, v);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage = combine(r.ephemeralStorage, v);
        break;
      case 'pods':
        r.allowedPodNumber = combine(r.allowedPodNumber, v);
        break;
      default:
        if (isScalarResourceName(name)) r.scalar.set(name, combine(r.scalar.get(name) ?? 0, v));
    }
  }
}

function combineResource(r: Resource, other: Resource, combine: Combine): void {
  r.milliCPU = combine(r.milliCPU, other.milliCPU);
  r.memory = combine(r.memory, other.memory);
  r.ephemeralStorage = combine(r.ephemeralStorage, other.ephemeralStorage);
  for (const [name, v] of other.scalar) r.scalar.set(name, combine(r.scalar.get(name) ?? 0, v));
}

/** resourceFromList converts a ResourceList (a node's allocatable) to a Resource. */
export function resourceFromList(list: ResourceListLike | undefined): Resource {
  const r = newResource();
  combineList(r, list, sum);
  return r;
}

/** addResource adds other into r in place (pods count is left alone). */
export function addResource(r: Resource, other: Resource): void {
  combineResource(r, other, sum);
}

/** subtractResource subtracts other from r in place. */
export function subtractResource(r: Resource, other: Resource): void {
  combineResource(r, other, (a, b) => a - b);
}

/** PodRequestOptions selects the upstream variant: nonMissing counts 100m/200Mi for containers that request no cpu/memory. */
export interface PodRequestOptions {
  readonly nonMissing?: boolean;
}

function containerRequests(c: Container, nonMissing: boolean): Resource {
  const r = newResource();
  const requests = c.resources?.requests;
  combineList(r, requests, sum);
  if (nonMissing) {
    if (requests?.['cpu'] === undefined) r.milliCPU = defaultMilliCPURequest;
    if (requests?.['memory'] === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * podRequests computes what a pod needs on a node, as upstream's resourcehelper.PodRequests: the sum of app containers
 * plus restartable (sidecar) init containers, or the largest init container plus the sidecars started before it,
 * whichever is larger in each resource, plus the pod overhead. All containers land on the node together.
 */
export function podRequests(pod: Pod, opts: PodRequestOptions = {}): Resource {
  const nonMissing = opts.nonMissing === true;
  const spec = pod.spec;
  const reqs = newResource();
  for (const c of spec?.containers ?? []) combineResource(reqs, containerRequests(c, nonMissing), sum);
  const sidecars = newResource();
  const initMax = newResource();
  for (const c of spec?.initContainers ?? []) {
    const cr = containerRequests(c, nonMissing);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running next to the app containers, and next to every init container started after it.
      combineResource(reqs, cr, sum);
      combineResource(sidecars, cr, sum);
      combineResource(initMax, sidecars, Math.max);
    } else {
      combineResource(cr, sidecars, sum);
      combineResource(initMax, cr, Math.max);
    }
  }
  combineResource(reqs, initMax, Math.max);
  combineList(reqs, spec?.overhead, sum);
  return reqs;
}

/** isZeroResource tells whether a request asks for nothing at all (a best-effort pod). */
export function isZeroResource(r: Resource): boolean {
  if (r.milliCPU !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0) return false;
  for (const v of r.scalar.values()) if (v !== 0) return false;
  return true;
}
