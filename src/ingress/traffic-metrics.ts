import { pause } from '../abort.ts';
import type { CustomMetricsSource, CustomMetricValue, DescribedMetric } from '../metrics/custom/source.ts';
import type { IngressMetrics } from './metrics.ts';

// The ingress's request rate and latency per Ingress, per backend Service and per endpoint Pod as custom
// metrics, so an HPA can scale a Deployment on "response time" (the seed's signal) the way prometheus-adapter
// recipes derive them from ingress-nginx's metrics: rate(requests[window]) and
// rate(duration_sum[window]) / rate(duration_count[window]). The sampler reads the Prometheus counters the
// proxy already keeps, and the per-pod totals it adds to at the end of each request (ingress-nginx has no
// per-pod series; the adapter recipes read pods' own metrics instead).

/** trafficMetricNames are the metrics served for Ingresses, Services and Pods. */
export const trafficMetricNames = ['requests_per_second', 'request_duration_seconds'] as const;

interface Totals {
  count: number;
  durationSum: number;
}

interface Sample {
  atMs: number;
  byIngress: Map<string, Totals>;
  byService: Map<string, Totals>;
  byPod: Map<string, Totals>;
}

const zero: Totals = { count: 0, durationSum: 0 };

const described: DescribedMetric[] = trafficMetricNames.flatMap((metric) => [
  { resource: 'ingresses.networking.k8s.io', metric, kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
  { resource: 'services', metric, kind: 'Service', apiVersion: 'v1' },
  { resource: 'pods', metric, kind: 'Pod', apiVersion: 'v1' },
]);

/** IngressTrafficMetrics samples the ingress counters and serves windowed rates and mean latency. */
export class IngressTrafficMetrics implements CustomMetricsSource {
  readonly #metrics: IngressMetrics;
  readonly #windowMs: number;
  readonly #now: () => number;
  #samples: Sample[] = [];

  /** windowMs is the rate window (default 60 s); sample() should run several times per window. */
  constructor(metrics: IngressMetrics, opts: { windowMs?: number; now?: () => number } = {}) {
    this.#metrics = metrics;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** sample records the counters now and forgets samples older than the window. */
  async sample(): Promise<void> {
    const [requests, latency] = await Promise.all([this.#metrics.requests.get(), this.#metrics.latency.get()]);
    const at = this.#now();
    const byPod = new Map<string, Totals>();
    for (const [pod, t] of this.#metrics.pods) byPod.set(pod, { count: t.count, durationSum: t.durationSum });
    const s: Sample = { atMs: at, byIngress: new Map(), byService: new Map(), byPod };
    const add = (key: string, into: Map<string, Totals>, f: (t: Totals) => void): void => {
      const t = into.get(key) ?? { count: 0, durationSum: 0 };
      f(t);
      into.set(key, t);
    };
    for (const v of requests.values) {
      const { namespace, ingress, service } = v.labels as Record<string, string>;
      if (!namespace) continue;
      if (ingress) add(`${namespace}/${ingress}`, s.byIngress, (t) => (t.count += v.value));
      if (service) add(`${namespace}/${service}`, s.byService, (t) => (t.count += v.value));
    }
    for (const v of latency.values) {
      if (v.metricName !== 'nginx_ingress_controller_request_duration_seconds_sum') continue;
      const { namespace, ingress, service } = v.labels as Record<string, string>;
      if (!namespace) continue;
      if (ingress) add(`${namespace}/${ingress}`, s.byIngress, (t) => (t.durationSum += v.value));
      if (service) add(`${namespace}/${service}`, s.byService, (t) => (t.durationSum += v.value));
    }
    // Keep one sample at or before the window's start, so a full window is always covered.
    const keepFrom = at - this.#windowMs;
    const older = this.#samples.filter((x) => x.atMs <= keepFrom);
    this.#samples = [...older.slice(-1), ...this.#samples.filter((x) => x.atMs > keepFrom), s];
  }

  /** run samples every intervalMs until the signal aborts. */
  async run(signal: AbortSignal, intervalMs = 5_000): Promise<void> {
    while (!signal.aborted) {
      await this.sample().catch(() => {});
      await pause(intervalMs, signal);
    }
  }

  metrics(): DescribedMetric[] {
    return described;
  }

  objectMetric(namespace: string, resource: string, name: string, metric: string): CustomMetricValue | undefined {
    const pick = this.#picker(resource);
    const last = this.#samples.at(-1);
    const first = this.#samples[0];
    if (!pick || !last || !first || first === last) return undefined;
    const key = `${namespace}/${name}`;
    const b = pick(last).get(key);
    if (!b) return undefined;
    // A pod that left the endpoints and came back counts from zero again (a counter reset, as Prometheus' rate() sees it).
    let a = pick(first).get(key) ?? zero;
    if (a.count > b.count) a = zero;
    const seconds = (last.atMs - first.atMs) / 1000;
    const requests = b.count - a.count;
    const windowSeconds = Math.round(seconds);
    if (metric === 'requests_per_second') return { value: requests / seconds, timestampMs: last.atMs, windowSeconds };
    if (metric === 'request_duration_seconds') return { value: requests > 0 ? (b.durationSum - a.durationSum) / requests : 0, timestampMs: last.atMs, windowSeconds };
    return undefined;
  }

  objectNames(namespace: string, resource: string, metric: string): string[] {
    const pick = this.#picker(resource);
    const last = this.#samples.at(-1);
    if (!pick || !last || !(trafficMetricNames as readonly string[]).includes(metric)) return [];
    return [...pick(last).keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1));
  }

  #picker(resource: string): ((s: Sample) => Map<string, Totals>) | undefined {
    if (resource === 'ingresses.networking.k8s.io') return (s) => s.byIngress;
    if (resource === 'services') return (s) => s.byService;
    if (resource === 'pods') return (s) => s.byPod;
    return undefined;
  }
}
