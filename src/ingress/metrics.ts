import { Counter, Registry } from 'prom-client';
import { DurationHistogram, countDuration, emptyCounts, type DurationCounts, type DurationSeries } from './duration-histogram.ts';
import type { Target } from './routing.ts';

/** requestLabels are the labels of the request metrics (ingress-nginx's names, a subset of its labels). */
const requestLabels = ['ingress', 'namespace', 'service', 'status', 'canary'] as const;
type RequestLabel = (typeof requestLabels)[number];

/** RequestObserver receives one call per finished request (IngressMetrics, or a worker thread's batch). */
export interface RequestObserver {
  /** observe counts a request; pod is the Pod whose answer was sent ("namespace/name"; '' when none answered). */
  observe(target: Target | null, status: number, seconds: number, pod: string): void;
}

/** RequestLabelValues are the label values of one request series. */
export type RequestLabelValues = Record<RequestLabel, string>;

/** PodTotals are the requests one Pod answered through the ingress and the sum of their durations in seconds. */
export interface PodTotals {
  count: number;
  durationSum: number;
}

/** ObservationBatch is what a data-plane worker thread observed since its last report: duration counts per label set, totals per Pod. */
export interface ObservationBatch {
  series: { labels: RequestLabelValues; counts: DurationCounts }[];
  pods: [pod: string, totals: PodTotals][];
}

/** labelsOf names the series a request is counted in (canary: the canary backend's name). */
function labelsOf(target: Target | null, status: number): RequestLabelValues {
  if (!target) return { ingress: '', namespace: '', service: '', status: String(status), canary: '' };
  return { ingress: target.ingressName, namespace: target.namespace, service: target.service, status: String(status), canary: target.canary ? target.backend?.name ?? '' : '' };
}

/**
 * ObservationBuffer collects observations in a data-plane worker thread, where the registry is not, until
 * drain() hands them to the thread that owns IngressMetrics (record).
 */
export class ObservationBuffer implements RequestObserver {
  #pending = new Map<Target | null, Map<number, DurationCounts>>();
  #pods = new Map<string, PodTotals>();
  // The series and Pod of the last observation: a busy route's requests mostly land where the previous one did.
  #lastTarget: Target | null = null;
  #lastStatus = -1;
  #lastCounts: DurationCounts | null = null;
  #lastPod = '';
  #lastPodTotals: PodTotals | null = null;

  observe(target: Target | null, status: number, seconds: number, pod: string): void {
    let counts = this.#lastCounts;
    if (counts === null || target !== this.#lastTarget || status !== this.#lastStatus) {
      let byStatus = this.#pending.get(target);
      if (!byStatus) this.#pending.set(target, (byStatus = new Map()));
      counts = byStatus.get(status) ?? null;
      if (!counts) byStatus.set(status, (counts = emptyCounts()));
      this.#lastTarget = target;
      this.#lastStatus = status;
      this.#lastCounts = counts;
    }
    countDuration(counts, seconds);
    if (pod === '') return;
    let totals = this.#lastPodTotals;
    if (totals === null || pod !== this.#lastPod) {
      totals = this.#pods.get(pod) ?? null;
      if (!totals) this.#pods.set(pod, (totals = { count: 0, durationSum: 0 }));
      this.#lastPod = pod;
      this.#lastPodTotals = totals;
    }
    totals.count++;
    totals.durationSum += seconds;
  }

  /** drain returns and forgets what was observed since the last drain. */
  drain(): ObservationBatch {
    const out: ObservationBatch = { series: [], pods: [...this.#pods] };
    for (const [target, byStatus] of this.#pending) for (const [status, counts] of byStatus) out.series.push({ labels: labelsOf(target, status), counts });
    this.#pending = new Map();
    this.#pods = new Map();
    this.#lastCounts = null;
    this.#lastTarget = null;
    this.#lastPodTotals = null;
    return out;
  }
}

/** addToPod adds to the totals of a Pod in the map (a Pod not in it is not counted). */
function addToPod(pods: Map<string, PodTotals>, pod: string, count: number, seconds: number): void {
  const t = pods.get(pod);
  if (t === undefined) return;
  t.count += count;
  t.durationSum += seconds;
}

interface StatHandles {
  count: { inc(n?: number): void };
  latency: DurationSeries;
}

/** IngressMetrics are the ingress's Prometheus metrics, named as ingress-nginx's so its dashboards and HPA recipes apply. */
export class IngressMetrics implements RequestObserver {
  readonly registry: Registry;
  readonly requests: Counter<RequestLabel>;
  readonly latency: DurationHistogram<RequestLabel>;
  readonly #unrouted: StatHandles;
  readonly #byLabels = new Map<string, StatHandles>();
  readonly #pods = new Map<string, PodTotals>();

  /** constructor registers the metrics in registry (a new one when absent), e.g. the API server's to share its /metrics. */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.requests = new Counter({ name: 'nginx_ingress_controller_requests', help: 'Requests served by the ingress, by Ingress, Service and HTTP status.', labelNames: requestLabels, registers: [registry] });
    this.latency = new DurationHistogram({
      name: 'nginx_ingress_controller_request_duration_seconds',
      help: 'Time from the first request byte read to the last response byte sent, by Ingress, Service and HTTP status.',
      labelNames: requestLabels,
      registry,
    });
    this.#unrouted = this.#handles({ ingress: '', namespace: '', service: '', status: '404', canary: '' });
  }

  /**
   * pods are the cumulative totals per endpoint Pod of the routing configuration (see trackPods), kept apart from
   * the Prometheus series: ingress-nginx has no per-pod series, and pods come and go far more often than Services.
   */
  get pods(): ReadonlyMap<string, Readonly<PodTotals>> {
    return this.#pods;
  }

  /** trackPods sets the Pods counted (the endpoints' pods): new ones start at zero, ones no longer endpoints are forgotten. */
  trackPods(pods: Iterable<string>): void {
    const keep = new Set(pods);
    for (const p of this.#pods.keys()) if (!keep.has(p)) this.#pods.delete(p);
    for (const p of keep) if (!this.#pods.has(p)) this.#pods.set(p, { count: 0, durationSum: 0 });
  }

  /** observe counts one request; per-target handles are cached on the target so the hot path does no label hashing. */
  observe(target: Target | null, status: number, seconds: number, pod: string): void {
    if (pod !== '') addToPod(this.#pods, pod, 1, seconds);
    let h: StatHandles;
    if (!target) {
      h = status === 404 ? this.#unrouted : this.#handles(labelsOf(null, status));
    } else {
      const stats = (target.stats ??= new Map<number, unknown>());
      let found = stats.get(status) as StatHandles | undefined;
      if (!found) {
        found = this.#handles(labelsOf(target, status));
        stats.set(status, found);
      }
      h = found;
    }
    h.count.inc();
    h.latency.observe(seconds);
  }

  /** record counts what a worker thread's ObservationBuffer collected. */
  record(batch: ObservationBatch): void {
    // A Pod gone from the configuration since the thread counted it is not counted again.
    for (const [pod, t] of batch.pods) addToPod(this.#pods, pod, t.count, t.durationSum);
    for (const { labels, counts } of batch.series) {
      const key = requestLabels.map((l) => labels[l]).join('\0');
      let h = this.#byLabels.get(key);
      if (!h) this.#byLabels.set(key, (h = this.#handles(labels)));
      h.count.inc(counts.count);
      h.latency.add(counts);
    }
  }

  #handles(labels: RequestLabelValues): StatHandles {
    return { count: this.requests.labels(labels), latency: this.latency.labels(labels) };
  }
}
