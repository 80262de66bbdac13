import { formatPrometheusText, parsePrometheusText, type MetricFamily } from './prometheus.ts';

// The kubelet's /metrics/resource endpoint: the node's and every container's cumulative CPU time and
// memory working set, each sample with the time it was measured. Berth's agents write it and the
// metrics scraper reads it, with the metric names upstream's kubelet and metrics-server use.

/** nodeLabel marks node-level series when one endpoint serves several nodes (berth sim); a kubelet omits it. */
export const nodeLabel = 'node';

/** MetricsPoint is one measurement of a node or container. */
export interface MetricsPoint {
  /** startTimeMs is when the container (or node) started; its cumulative CPU was zero then. */
  startTimeMs?: number;
  timestampMs: number;
  /** cpuNanoSeconds is the cumulative CPU time used since the start, in core-nanoseconds. */
  cpuNanoSeconds: number;
  memoryBytes: number;
}

/** ResourceMetricsBatch is what one scrape (or several merged) says about nodes and pods. */
export interface ResourceMetricsBatch {
  nodes: Map<string, MetricsPoint>;
  /** pods maps "namespace/name" to its containers' points by container name. */
  pods: Map<string, Map<string, MetricsPoint>>;
}

/** emptyBatch returns a batch with nothing in it. */
export function emptyBatch(): ResourceMetricsBatch {
  return { nodes: new Map(), pods: new Map() };
}

/** DecodeOptions say which nodes an endpoint speaks for and what time an unstamped sample has. */
export interface DecodeOptions {
  /** nodes are the nodes whose status names this endpoint; node series for any other node are dropped. */
  nodes: readonly string[];
  defaultTimeMs: number;
}

interface Partial {
  startTimeMs?: number;
  timestampMs: number;
  cpuNanoSeconds: number;
  memoryBytes: number;
  seen: boolean;
}

const blank = (): Partial => ({ timestampMs: 0, cpuNanoSeconds: 0, memoryBytes: 0, seen: false });

/**
 * decodeResourceMetrics reads a /metrics/resource exposition. Node series without a node label belong to
 * the endpoint's only node (ambiguous, and dropped, when it serves several). As metrics-server does, a
 * node or pod with a zero CPU or memory value is incomplete and left out.
 */
export function decodeResourceMetrics(text: string, opts: DecodeOptions): ResourceMetricsBatch {
  const allowed = new Set(opts.nodes);
  const nodes = new Map<string, Partial>();
  const pods = new Map<string, Map<string, Partial>>();
  const nodeOf = (labels: Record<string, string>): Partial | undefined => {
    const name = labels[nodeLabel] ?? (opts.nodes.length === 1 ? opts.nodes[0] : undefined);
    if (name === undefined || !allowed.has(name)) return undefined;
    let p = nodes.get(name);
    if (!p) nodes.set(name, (p = blank()));
    return p;
  };
  const containerOf = (labels: Record<string, string>): Partial | undefined => {
    const { namespace, pod, container } = labels;
    if (!namespace || !pod || !container) return undefined;
    const key = `${namespace}/${pod}`;
    let cs = pods.get(key);
    if (!cs) pods.set(key, (cs = new Map()));
    let p = cs.get(container);
    if (!p) cs.set(container, (p = blank()));
    return p;
  };
  for (const s of parsePrometheusText(text)) {
    const ts = s.timestampMs ?? opts.defaultTimeMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
      case 'container_cpu_usage_seconds_total': {
        const p = s.name.startsWith('node') ? nodeOf(s.labels) : containerOf(s.labels);
        if (!p) break;
        p.cpuNanoSeconds = Math.round(s.value * 1e9);
        p.timestampMs = ts;
        p.seen = true;
        break;
      }
      case 'node_memory_working_set_bytes':
      case 'container_memory_working_set_bytes': {
        const p = s.name.startsWith('node') ? nodeOf(s.labels) : containerOf(s.labels);
        if (!p) break;
        p.memoryBytes = Math.round(s.value);
        p.timestampMs = ts;
        p.seen = true;
        break;
      }
      case 'container_start_time_seconds': {
        const p = containerOf(s.labels);
        if (p) {
          p.startTimeMs = s.value * 1000;
          p.seen = true;
        }
        break;
      }
      default:
        break;
    }
  }
  const out = emptyBatch();
  for (const [name, p] of nodes) {
    const point = complete(p);
    if (point) out.nodes.set(name, point);
  }
  for (const [key, cs] of pods) {
    const points = new Map<string, MetricsPoint>();
    let ok = true;
    for (const [name, p] of cs) {
      if (!p.seen) continue;
      const point = complete(p);
      if (!point) {
        ok = false;
        break;
      }
      points.set(name, point);
    }
    if (ok && points.size > 0) out.pods.set(key, points);
  }
  return out;
}

function complete(p: Partial): MetricsPoint | undefined {
  if (p.timestampMs === 0 || p.cpuNanoSeconds === 0 || p.memoryBytes === 0) return undefined;
  const point: MetricsPoint = { timestampMs: p.timestampMs, cpuNanoSeconds: p.cpuNanoSeconds, memoryBytes: p.memoryBytes };
  if (p.startTimeMs !== undefined) point.startTimeMs = p.startTimeMs;
  return point;
}

/** ContainerSample is one container's measurement, for writing /metrics/resource. */
export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  point: MetricsPoint;
}

/** NodeSample is a node's measurement; `name` is written as the node label only when set. */
export interface NodeSample {
  name?: string;
  point: MetricsPoint;
}

/** formatResourceMetrics writes /metrics/resource: node, container and pod series with their timestamps. */
export function formatResourceMetrics(nodes: readonly NodeSample[], containers: readonly ContainerSample[], scrapeError = false): string {
  const nodeLabels = (n: NodeSample): Record<string, string> | undefined => (n.name === undefined ? undefined : { [nodeLabel]: n.name });
  const cLabels = (c: ContainerSample) => ({ container: c.container, namespace: c.namespace, pod: c.pod });
  const pods = new Map<string, { namespace: string; pod: string; cpu: number; mem: number; ts: number }>();
  for (const c of containers) {
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { namespace: c.namespace, pod: c.pod, cpu: 0, mem: 0, ts: 0 };
    p.cpu += c.point.cpuNanoSeconds;
    p.mem += c.point.memoryBytes;
    p.ts = Math.max(p.ts, c.point.timestampMs);
    pods.set(key, p);
  }
  const families: MetricFamily[] = [
    {
      name: 'container_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
      type: 'counter',
      samples: containers.map((c) => ({ labels: cLabels(c), value: c.point.cpuNanoSeconds / 1e9, timestampMs: c.point.timestampMs })),
    },
    {
      name: 'container_memory_working_set_bytes',
      help: '[STABLE] Current working set of the container in bytes',
      type: 'gauge',
      samples: containers.map((c) => ({ labels: cLabels(c), value: c.point.memoryBytes, timestampMs: c.point.timestampMs })),
    },
    {
      name: 'container_start_time_seconds',
      help: '[STABLE] Start time of the container since unix epoch in seconds',
      type: 'gauge',
      samples: containers.filter((c) => c.point.startTimeMs !== undefined).map((c) => ({ labels: cLabels(c), value: (c.point.startTimeMs ?? 0) / 1000, timestampMs: c.point.timestampMs })),
    },
    {
      name: 'node_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
      type: 'counter',
      samples: nodes.map((n) => ({ ...labelsOpt(nodeLabels(n)), value: n.point.cpuNanoSeconds / 1e9, timestampMs: n.point.timestampMs })),
    },
    {
      name: 'node_memory_working_set_bytes',
      help: '[STABLE] Current working set of the node in bytes',
      type: 'gauge',
      samples: nodes.map((n) => ({ ...labelsOpt(nodeLabels(n)), value: n.point.memoryBytes, timestampMs: n.point.timestampMs })),
    },
    {
      name: 'pod_cpu_usage_seconds_total',
      help: '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
      type: 'counter',
      samples: [...pods.values()].map((p) => ({ labels: { namespace: p.namespace, pod: p.pod }, value: p.cpu / 1e9, timestampMs: p.ts })),
    },
    {
      name: 'pod_memory_working_set_bytes',
      help: '[STABLE] Current working set of the pod in bytes',
      type: 'gauge',
      samples: [...pods.values()].map((p) => ({ labels: { namespace: p.namespace, pod: p.pod }, value: p.mem, timestampMs: p.ts })),
    },
    {
      name: 'resource_scrape_error',
      help: '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
      type: 'gauge',
      samples: [{ value: scrapeError ? 1 : 0 }],
    },
  ];
  return formatPrometheusText(families);
}

function labelsOpt(labels: Record<string, string> | undefined): { labels?: Record<string, string> } {
  return labels ? { labels } : {};
}
