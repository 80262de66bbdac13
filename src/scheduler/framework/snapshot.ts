import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../api/selectors/index.ts';
import { AffinityTermIndex } from './affinity-term-index.ts';
import { DomainCountsCache, type DomainCounts, type PodQuery } from './domain-counts.ts';
import { NodeInfo } from './node-info.ts';
import { newPodInfo, podKey, type PodInfo } from './pod-info.ts';

// Snapshot is the scheduler's in-memory view of the cluster: every node with its pods, kept up to date incrementally
// from informer events (upstream splits this into a cache and a per-cycle snapshot; one JS thread needs only one).

const zoneLabel = 'topology.kubernetes.io/zone';
const regionLabel = 'topology.kubernetes.io/region';
const legacyZoneLabel = 'failure-domain.beta.kubernetes.io/zone';
const legacyRegionLabel = 'failure-domain.beta.kubernetes.io/region';

/** zoneKeyOf returns the node's region and zone joined as upstream's GetZoneKey does, or "" when it has neither. */
export function zoneKeyOf(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const zone = labels[zoneLabel] ?? labels[legacyZoneLabel] ?? '';
  const region = labels[regionLabel] ?? labels[legacyRegionLabel] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Snapshot holds nodes and the pods assigned to them, with incremental updates and cached lists for the hot path.
 * Besides the nodes it keeps two indexes current for the pod-to-pod plugins: the terms of assigned pods with affinity
 * (affinityTerms) and per-domain counts for recently asked pod queries (domainCounts). Pods on unknown nodes are in
 * neither, as they are not in list().
 */
export class Snapshot {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #zoneOf = new Map<string, string>();
  readonly #podNode = new Map<string, string>();
  /** Pods whose node is not known (yet, or any more) wait here so no accounting is lost. */
  readonly #orphans = new Map<string, Map<string, PodInfo>>();
  readonly #imageNodes = new Map<string, number>();
  #list: NodeInfo[] = [];
  #listDirty = false;
  readonly #terms = new AffinityTermIndex();
  readonly #domainCounts: DomainCountsCache;

  constructor(opts: { domainCountsCapacity?: number } = {}) {
    this.#domainCounts = new DomainCountsCache(opts.domainCountsCapacity);
  }

  /** fromObjects builds a snapshot from node and pod objects; pods without spec.nodeName are ignored. */
  static fromObjects(nodes: readonly Node[], pods: readonly Pod[] = []): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) s.addNode(n);
    for (const p of pods) if (p.spec?.nodeName) s.addPod(p);
    return s;
  }

  /** addNode adds a node or replaces it, keeping its pods (informer add and update both land here). */
  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const existing = this.#nodes.get(name);
    if (existing) {
      this.#countImages(existing.imageSizes, -1);
      // Indexes are keyed by node labels; a heartbeat leaves them alone, a relabel moves the node's pods.
      const relabeled = !sameLabels(existing.labels, node.metadata?.labels ?? {});
      if (relabeled) this.#indexNode(existing, -1);
      existing.setNode(node);
      if (relabeled) this.#indexNode(existing, 1);
      this.#countImages(existing.imageSizes, 1);
    } else {
      const ni = new NodeInfo(node);
      this.#nodes.set(name, ni);
      this.#countImages(ni.imageSizes, 1);
      const waiting = this.#orphans.get(name);
      if (waiting) {
        for (const pi of waiting.values()) ni.addPod(pi);
        this.#orphans.delete(name);
      }
      this.#indexNode(ni, 1);
    }
    const zone = zoneKeyOf(node);
    if (this.#zoneOf.get(name) !== zone || !existing) this.#listDirty = true;
    this.#zoneOf.set(name, zone);
  }

  /** updateNode is addNode, named for the informer's update handler. */
  updateNode(node: Node): void {
    this.addNode(node);
  }

  /** removeNode drops a node; its pods are kept aside until they are deleted or the node comes back. */
  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (!ni) return;
    this.#countImages(ni.imageSizes, -1);
    this.#indexNode(ni, -1);
    this.#nodes.delete(name);
    this.#zoneOf.delete(name);
    if (ni.pods.length > 0) this.#orphans.set(name, new Map(ni.pods.map((p) => [p.key, p])));
    this.#listDirty = true;
  }

  /** addPod accounts an assigned pod on its node, replacing an earlier version of it; terminal pods are removed instead. */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) {
      this.removePod(pod);
      return;
    }
    const pi = newPodInfo(pod);
    this.#removeKey(pi.key);
    this.#podNode.set(pi.key, nodeName);
    const ni = this.#nodes.get(nodeName);
    if (ni) {
      ni.addPod(pi);
      this.#indexPod(pi, ni.labels, 1);
    } else {
      let m = this.#orphans.get(nodeName);
      if (!m) this.#orphans.set(nodeName, (m = new Map()));
      m.set(pi.key, pi);
    }
  }

  /** updatePod is addPod, named for the informer's update handler. */
  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  /** removePod forgets a pod (informer delete, or a failed binding of an assumed pod). */
  removePod(pod: Pod): void {
    this.#removeKey(podKey(pod));
  }

  /** assumePod records a pod on the node chosen for it before the binding is confirmed, and returns that copy. */
  assumePod(pod: Pod, nodeName: string): Pod {
    const assumed: Pod = { ...pod, spec: { ...(pod.spec ?? { containers: [] }), nodeName } };
    this.addPod(assumed);
    return assumed;
  }

  #removeKey(key: string): void {
    const nodeName = this.#podNode.get(key);
    if (nodeName === undefined) return;
    this.#podNode.delete(key);
    const ni = this.#nodes.get(nodeName);
    const removed = ni?.removePod(key);
    if (ni && removed) this.#indexPod(removed, ni.labels, -1);
    const waiting = this.#orphans.get(nodeName);
    if (waiting) {
      waiting.delete(key);
      if (waiting.size === 0) this.#orphans.delete(nodeName);
    }
  }

  #indexPod(pi: PodInfo, labels: Labels, by: 1 | -1): void {
    this.#domainCounts.podChanged(pi, labels, by);
    this.#terms.podChanged(pi, labels, by);
  }

  #indexNode(ni: NodeInfo, by: 1 | -1): void {
    this.#domainCounts.nodeChanged(ni, by);
    for (const pi of ni.pods) this.#terms.podChanged(pi, ni.labels, by);
  }

  #countImages(sizes: ReadonlyMap<string, number>, delta: number): void {
    for (const name of sizes.keys()) {
      const n = (this.#imageNodes.get(name) ?? 0) + delta;
      if (n > 0) this.#imageNodes.set(name, n);
      else this.#imageNodes.delete(name);
    }
  }

  /** get returns a node's info. */
  get(name: string): NodeInfo | undefined {
    return this.#nodes.get(name);
  }

  /** nodeNameOfPod returns the node a pod (by key) is accounted on, if any. */
  nodeNameOfPod(key: string): string | undefined {
    return this.#podNode.get(key);
  }

  /** numNodes is the number of nodes. */
  get numNodes(): number {
    return this.#nodes.size;
  }

  /** imageNumNodes is the number of nodes that report an image name (ImageLocality's spread factor). */
  imageNumNodes(name: string): number {
    return this.#imageNodes.get(name) ?? 0;
  }

  /**
   * list returns every node, ordered as upstream's nodeTree: round-robin across zones, so that looking at only the
   * first part of the list (percentageOfNodesToScore) still sees every zone.
   */
  list(): readonly NodeInfo[] {
    if (this.#listDirty) this.#rebuildList();
    return this.#list;
  }

  /** affinityTerms returns the (anti-)affinity terms of assigned pods, grouped (read-only; valid until the snapshot changes). */
  get affinityTerms(): AffinityTermIndex {
    return this.#terms;
  }

  /**
   * domainCounts returns the per-domain counts of a query over the nodes (read-only; valid until the snapshot
   * changes). The first call counts over every node; later ones are O(1) while the query stays among the most
   * recently used.
   */
  domainCounts(query: PodQuery): DomainCounts {
    return this.#domainCounts.get(query, () => this.#nodes.values());
  }

  #rebuildList(): void {
    const zones = new Map<string, NodeInfo[]>();
    for (const [name, ni] of this.#nodes) {
      const z = this.#zoneOf.get(name) ?? '';
      let bucket = zones.get(z);
      if (!bucket) zones.set(z, (bucket = []));
      bucket.push(ni);
    }
    const buckets = [...zones.values()];
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < this.#nodes.size; i++) {
      for (const b of buckets) {
        const ni = b[i];
        if (ni) out.push(ni);
      }
    }
    this.#list = out;
    this.#listDirty = false;
  }
}
