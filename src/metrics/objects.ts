import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { formatTime } from '../api/time.ts';
import { formatQuantity } from '../api/validation/quantity.ts';
import type { NodeUsage, PodUsage, Usage } from './storage.ts';

// metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics as metrics-server renders them: CPU in nano-cores
// (canonicalised: 400000000n prints as 400m), memory in bytes with binary suffixes, the measurement
// time and window, and the pod's or node's labels.

/** metricsApiVersion is the served group version. */
export const metricsApiVersion = 'metrics.k8s.io/v1beta1';

/** ResourceList is usage by resource name ("cpu", "memory") as quantity strings. */
export type ResourceList = Record<string, string>;

/** PodMetrics is metrics.k8s.io/v1beta1 PodMetrics. */
export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof metricsApiVersion;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceList }[];
}

/** NodeMetrics is metrics.k8s.io/v1beta1 NodeMetrics. */
export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof metricsApiVersion;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: ResourceList;
}

/** usageList renders usage as a ResourceList. */
export function usageList(u: Usage): ResourceList {
  return {
    cpu: formatQuantity({ nanos: BigInt(Math.max(0, Math.floor(u.cpuNanoCores))), format: 'DecimalSI' }),
    memory: formatQuantity({ nanos: BigInt(Math.max(0, Math.floor(u.memoryBytes))) * 1_000_000_000n, format: 'BinarySI' }),
  };
}

/** formatGoDuration prints milliseconds as Go's time.Duration String does ("15s", "1m0.5s", "250ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

const durationUnitsMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseGoDuration reads a Go duration string ("15s", "1m0.5s", "250ms") as milliseconds; undefined if malformed. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (durationUnitsMs[m[2] ?? ''] ?? 0);
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : undefined;
}

function meta(name: string, namespace: string | undefined, labels: Record<string, string> | undefined, nowMs: number): ObjectMeta {
  return { name, ...(namespace !== undefined ? { namespace } : {}), creationTimestamp: formatTime(nowMs), ...(labels && Object.keys(labels).length > 0 ? { labels } : {}) };
}

/** podMetricsOf builds a pod's PodMetrics; creationTimestamp is the time of the request, as upstream. */
export function podMetricsOf(pod: { name: string; namespace: string; labels?: Record<string, string> }, usage: PodUsage, nowMs: number): PodMetrics {
  return {
    kind: 'PodMetrics',
    apiVersion: metricsApiVersion,
    metadata: meta(pod.name, pod.namespace, pod.labels, nowMs),
    timestamp: formatTime(usage.timestampMs),
    window: formatGoDuration(usage.windowMs),
    containers: usage.containers.map((c) => ({ name: c.name, usage: usageList(c) })),
  };
}

/** nodeMetricsOf builds a node's NodeMetrics. */
export function nodeMetricsOf(node: { name: string; labels?: Record<string, string> }, usage: NodeUsage, nowMs: number): NodeMetrics {
  return {
    kind: 'NodeMetrics',
    apiVersion: metricsApiVersion,
    metadata: meta(node.name, undefined, node.labels, nowMs),
    timestamp: formatTime(usage.timestampMs),
    window: formatGoDuration(usage.windowMs),
    usage: usageList(usage),
  };
}
