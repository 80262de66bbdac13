import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../api/object.ts';
import { milliValue, parseQuantity } from '../api/validation/quantity.ts';
import type { Informer } from '../client/informer.ts';
import type { Clock } from '../clock.ts';
import type { CustomMetricsSource, CustomMetricValue, DescribedMetric } from '../metrics/custom/source.ts';

// Per-pod custom metrics of simulated pods, which tests feed through an annotation as they feed CPU usage:
//
//   sim.berth.dev/custom-metrics: "requests_per_second=25,request_duration_seconds=300m"
//
// Values are numbers or quantities in the metric's unit. Unlike CPU usage, which `berth sim` reports as a
// kubelet would, nothing in Kubernetes carries a pod's custom metrics from its node: an adapter reads them from a
// monitoring system. So this source runs inside `berth server` (behind --sim-custom-metrics), follows pods
// through the API, and answers custom.metrics.k8s.io's pods/<metric> for running pods that `berth sim` runs
// (their container IDs are sim://...). Real pods are never given annotated values.

/** customMetricsAnnotation sets a simulated pod's custom metrics ("name=value,..."). */
export const customMetricsAnnotation = 'sim.berth.dev/custom-metrics';

/** simMetricWindowSeconds is the window each value is reported over (the ingress's rate window). */
export const simMetricWindowSeconds = 60;

// Prometheus metric names, which is what adapters serve.
const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** parseCustomMetrics reads the annotation; items that do not parse (or are negative) are left out. */
export function parseCustomMetrics(raw: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of raw?.split(',') ?? []) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim();
    const q = parseQuantity(item.slice(eq + 1).trim());
    if (eq > 0 && metricName.test(name) && q.ok && q.quantity.nanos >= 0n) out.set(name, milliValue(q.quantity) / 1000);
  }
  return out;
}

/** isSimulatedRunning tells whether `berth sim` runs the pod: Running, with sim:// container IDs. */
export function isSimulatedRunning(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).some((c) => c.containerID?.startsWith('sim://'));
}

/** SimPodCustomMetrics serves the annotated custom metrics of simulated pods as `pods/<metric>`. */
export class SimPodCustomMetrics implements CustomMetricsSource {
  readonly #clock: Clock;
  /** #byNamespace maps namespace → pod name → metric → value. */
  readonly #byNamespace = new Map<string, Map<string, Map<string, number>>>();
  /** #podsWith counts the pods reporting each metric, for discovery. */
  readonly #podsWith = new Map<string, number>();
  #described: DescribedMetric[] = [];

  constructor(opts: { clock: Clock }) {
    this.#clock = opts.clock;
  }

  /** follow keeps the source in step with a pod informer. */
  follow(pods: Informer<Pod & ApiObject>): void {
    pods.addHandler({ onAdd: (p) => this.upsert(p), onUpdate: (_old, p) => this.upsert(p), onDelete: (p) => this.remove(p) });
  }

  /** upsert records a pod's values (none unless it is a running simulated pod with the annotation). */
  upsert(pod: Pod): void {
    const values = isSimulatedRunning(pod) ? parseCustomMetrics(pod.metadata?.annotations?.[customMetricsAnnotation]) : new Map<string, number>();
    this.#set(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', values);
  }

  /** remove forgets a deleted pod. */
  remove(pod: Pod): void {
    this.#set(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', new Map());
  }

  metrics(): DescribedMetric[] {
    return this.#described;
  }

  objectMetric(namespace: string, resource: string, name: string, metric: string): CustomMetricValue | undefined {
    if (resource !== 'pods') return undefined;
    const value = this.#byNamespace.get(namespace)?.get(name)?.get(metric);
    return value === undefined ? undefined : { value, timestampMs: this.#clock.now(), windowSeconds: simMetricWindowSeconds };
  }

  objectNames(namespace: string, resource: string, metric: string): string[] {
    if (resource !== 'pods') return [];
    const pods = this.#byNamespace.get(namespace);
    return pods ? [...pods].filter(([, values]) => values.has(metric)).map(([name]) => name) : [];
  }

  #set(namespace: string, name: string, values: Map<string, number>): void {
    let pods = this.#byNamespace.get(namespace);
    const old = pods?.get(name);
    for (const m of old?.keys() ?? []) this.#count(m, -1);
    for (const m of values.keys()) this.#count(m, 1);
    if (values.size > 0) {
      if (!pods) this.#byNamespace.set(namespace, (pods = new Map()));
      pods.set(name, values);
    } else if (pods) {
      pods.delete(name);
      if (pods.size === 0) this.#byNamespace.delete(namespace);
    }
  }

  #count(metric: string, delta: number): void {
    const n = (this.#podsWith.get(metric) ?? 0) + delta;
    const changed = (n > 0) !== this.#podsWith.has(metric);
    if (n > 0) this.#podsWith.set(metric, n);
    else this.#podsWith.delete(metric);
    if (changed) this.#described = [...this.#podsWith.keys()].sort().map((metric) => ({ resource: 'pods', metric, kind: 'Pod', apiVersion: 'v1' }));
  }
}
