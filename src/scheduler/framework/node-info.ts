import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../api/selectors/index.ts';
import type { HostPort, PodInfo } from './pod-info.ts';
import { addResource, cloneResource, newResource, resourceFromList, subtractResource, type Resource } from './resources.ts';

// NodeInfo aggregates one node and the pods bound (or assumed) to it (upstream's framework.NodeInfo).

const noLabels: Labels = Object.freeze({});
const noTaints: readonly Taint[] = Object.freeze([]);

/** HostPortInfo tracks used host ports: ip → set of "protocol/port" (upstream's HostPortInfo). */
export class HostPortInfo {
  readonly #byIP = new Map<string, Map<string, number>>();

  /** add records a pod's host port; ports are reference-counted because two pods may both be assumed on a node. */
  add(p: HostPort): void {
    let m = this.#byIP.get(p.ip);
    if (!m) this.#byIP.set(p.ip, (m = new Map()));
    const k = `${p.protocol}/${p.port}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }

  /** remove forgets one use of a host port. */
  remove(p: HostPort): void {
    const m = this.#byIP.get(p.ip);
    if (!m) return;
    const k = `${p.protocol}/${p.port}`;
    const n = (m.get(k) ?? 0) - 1;
    if (n > 0) m.set(k, n);
    else m.delete(k);
    if (m.size === 0) this.#byIP.delete(p.ip);
  }

  /** conflicts tells whether a wanted port clashes: 0.0.0.0 clashes with any ip, a specific ip with itself and 0.0.0.0. */
  conflicts(p: HostPort): boolean {
    if (p.port <= 0) return false;
    const k = `${p.protocol}/${p.port}`;
    if (p.ip === '0.0.0.0') {
      for (const m of this.#byIP.values()) if (m.has(k)) return true;
      return false;
    }
    return (this.#byIP.get('0.0.0.0')?.has(k) ?? false) || (this.#byIP.get(p.ip)?.has(k) ?? false);
  }

  /** size is the number of ips with ports in use. */
  get size(): number {
    return this.#byIP.size;
  }

  /** clone copies the port table. */
  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, m] of this.#byIP) c.#byIP.set(ip, new Map(m));
    return c;
  }
}

/** imageSizesOf maps every name a node reports for its images to the image size in bytes. */
export function imageSizesOf(node: Node): Map<string, number> {
  const out = new Map<string, number>();
  for (const img of node.status?.images ?? []) for (const name of img.names ?? []) out.set(name, img.sizeBytes ?? 0);
  return out;
}

/** NodeInfo is a node plus the pods on it and the resources, ports and images they use. */
export class NodeInfo {
  node: Node;
  name: string;
  labels: Labels;
  taints: readonly Taint[];
  /** unschedulable mirrors spec.unschedulable (cordoned), kept on the NodeInfo because every cycle reads it for every node. */
  unschedulable: boolean;
  allocatable: Resource;
  imageSizes: ReadonlyMap<string, number>;
  readonly pods: PodInfo[] = [];
  requested: Resource = newResource();
  nonZeroRequested: Resource = newResource();
  usedPorts = new HostPortInfo();
  /** generation increases on every change, so callers can tell whether a node changed since they last looked. */
  generation = 0;

  constructor(node: Node, parsed?: { readonly allocatable: Resource; readonly imageSizes: ReadonlyMap<string, number> }) {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? noLabels;
    this.taints = node.spec?.taints ?? noTaints;
    this.unschedulable = node.spec?.unschedulable === true;
    // Clones share the parsed allocatable and images: both are replaced, never mutated, when the node changes.
    this.allocatable = parsed?.allocatable ?? resourceFromList(node.status?.allocatable);
    this.imageSizes = parsed?.imageSizes ?? imageSizesOf(node);
  }

  /** setNode replaces the node object, keeping the pods. */
  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? noLabels;
    this.taints = node.spec?.taints ?? noTaints;
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = resourceFromList(node.status?.allocatable);
    this.imageSizes = imageSizesOf(node);
    this.generation++;
  }

  /** addPod accounts a pod on this node. */
  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    addResource(this.requested, pi.requests);
    addResource(this.nonZeroRequested, pi.nonZeroRequests);
    for (const p of pi.hostPorts) this.usedPorts.add(p);
    this.generation++;
  }

  /** removePod forgets a pod by key and returns it, or undefined when it was not here. */
  removePod(key: string): PodInfo | undefined {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return undefined;
    const [pi] = this.pods.splice(i, 1);
    if (!pi) return undefined;
    subtractResource(this.requested, pi.requests);
    subtractResource(this.nonZeroRequested, pi.nonZeroRequests);
    for (const p of pi.hostPorts) this.usedPorts.remove(p);
    this.generation++;
    return pi;
  }

  /** clone copies the node's accounting so preemption can try removing pods without touching the snapshot. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node, this);
    c.pods.push(...this.pods);
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    c.usedPorts = this.usedPorts.clone();
    c.generation = this.generation;
    return c;
  }
}
