import type { MetricsPoint, ResourceMetricsBatch } from './resource-metrics.ts';

// The metrics pipeline's memory: the last two points of every node and container, from which CPU usage
// is a rate (cumulative CPU difference over the time between the points) as metrics-server computes it.

/** freshContainerMinMs: a container younger than this at its first point has too little CPU history to rate. */
const freshContainerMinMs = 10_000;

/** Usage is a node's or container's resource use over its window. */
export interface Usage {
  cpuNanoCores: number;
  memoryBytes: number;
}

/** TimeInfo is when usage was measured (the later point) and over which window. */
export interface TimeInfo {
  timestampMs: number;
  windowMs: number;
}

/** NodeUsage is a node's usage with its time window. */
export type NodeUsage = Usage & TimeInfo;

/** PodUsage is every container's usage, with the earliest container time window. */
export interface PodUsage extends TimeInfo {
  containers: ({ name: string } & Usage)[];
}

/** usageBetween rates CPU between two points of one node or container; undefined when they do not form a window. */
export function usageBetween(last: MetricsPoint, prev: MetricsPoint): NodeUsage | undefined {
  if (last.startTimeMs !== undefined && prev.startTimeMs !== undefined && last.startTimeMs < prev.startTimeMs) return undefined;
  if (last.cpuNanoSeconds < prev.cpuNanoSeconds) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  return { cpuNanoCores: Math.floor((last.cpuNanoSeconds - prev.cpuNanoSeconds) / (windowMs / 1000)), memoryBytes: last.memoryBytes, timestampMs: last.timestampMs, windowMs };
}

/**
 * MetricsStorage keeps the two latest points per node and container. Each store replaces the whole
 * state with the new batch, so nodes and pods that are gone stop being reported; a point moves to
 * "previous" only when the new one is later and the container did not restart in between.
 */
export class MetricsStorage {
  readonly #resolutionMs: number;
  #lastNodes = new Map<string, MetricsPoint>();
  #prevNodes = new Map<string, MetricsPoint>();
  #lastPods = new Map<string, Map<string, MetricsPoint>>();
  #prevPods = new Map<string, Map<string, MetricsPoint>>();

  constructor(opts: { resolutionMs: number }) {
    this.#resolutionMs = opts.resolutionMs;
  }

  /** store takes a complete scrape of the cluster. */
  store(batch: ResourceMetricsBatch): void {
    const lastNodes = new Map<string, MetricsPoint>();
    const prevNodes = new Map<string, MetricsPoint>();
    for (const [name, point] of batch.nodes) {
      lastNodes.set(name, point);
      const prev = this.#previous(point, this.#lastNodes.get(name), this.#prevNodes.get(name), false);
      if (prev) prevNodes.set(name, prev);
    }
    const lastPods = new Map<string, Map<string, MetricsPoint>>();
    const prevPods = new Map<string, Map<string, MetricsPoint>>();
    for (const [key, containers] of batch.pods) {
      const prevContainers = new Map<string, MetricsPoint>();
      for (const [name, point] of containers) {
        const prev = this.#previous(point, this.#lastPods.get(key)?.get(name), this.#prevPods.get(key)?.get(name), true);
        if (prev) prevContainers.set(name, prev);
      }
      lastPods.set(key, containers);
      if (prevContainers.size > 0) prevPods.set(key, prevContainers);
    }
    this.#lastNodes = lastNodes;
    this.#prevNodes = prevNodes;
    this.#lastPods = lastPods;
    this.#prevPods = prevPods;
  }

  // previous picks the point to rate `point` against: the stored last one if it is older, else the stored
  // previous one if still older; a container young enough is rated against its own start (zero CPU then).
  #previous(point: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined, container: boolean): MetricsPoint | undefined {
    const start = point.startTimeMs;
    if (container && start !== undefined && start < point.timestampMs) {
      const age = point.timestampMs - start;
      if (age < this.#resolutionMs && age >= freshContainerMinMs) return { ...point, timestampMs: start, cpuNanoSeconds: 0 };
    }
    if (!last) return undefined;
    // A start after the last point means a restart: the counter began again, so nothing before it counts.
    if (start !== undefined && start >= last.timestampMs) return undefined;
    if (point.timestampMs > last.timestampMs) return last;
    if (prev && prev.timestampMs < point.timestampMs) return prev;
    return undefined;
  }

  /** nodeUsage returns a node's usage, or undefined until it has two points. */
  nodeUsage(name: string): NodeUsage | undefined {
    const last = this.#lastNodes.get(name);
    const prev = this.#prevNodes.get(name);
    return last && prev ? usageBetween(last, prev) : undefined;
  }

  /** podUsage returns a pod's container usage, or undefined until every container has two points. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const last = this.#lastPods.get(key);
    const prev = this.#prevPods.get(key);
    if (!last || !prev) return undefined;
    const containers: PodUsage['containers'] = [];
    let earliest: TimeInfo | undefined;
    for (const [cname, point] of last) {
      const p = prev.get(cname);
      if (!p) return undefined;
      const u = usageBetween(point, p);
      // metrics-server skips a container whose points do not rate rather than the whole pod.
      if (!u) continue;
      containers.push({ name: cname, cpuNanoCores: u.cpuNanoCores, memoryBytes: u.memoryBytes });
      if (!earliest || u.timestampMs < earliest.timestampMs) earliest = { timestampMs: u.timestampMs, windowMs: u.windowMs };
    }
    if (!earliest) return undefined;
    return { ...earliest, containers };
  }

  /** counts reports how many nodes and pods can be answered for. */
  counts(): { nodes: number; pods: number } {
    return { nodes: this.#prevNodes.size, pods: this.#prevPods.size };
  }
}
