import { Counter, Histogram, Registry } from 'prom-client';
import type { Target } from './routing.ts';

/** requestLabels are the labels of the request metrics (ingress-nginx's names, a subset of its labels). */
const requestLabels = ['ingress', 'namespace', 'service', 'status', 'canary'] as const;
type RequestLabel = (typeof requestLabels)[number];

interface StatHandles {
  count: { inc(): void };
  latency: { observe(v: number): void };
}

/** IngressMetrics are the ingress's Prometheus metrics, named as ingress-nginx's so its dashboards and HPA recipes apply. */
export class IngressMetrics {
  readonly registry: Registry;
  readonly requests: Counter<RequestLabel>;
  readonly latency: Histogram<RequestLabel>;
  readonly #unrouted: StatHandles;

  /** constructor registers the metrics in registry (a new one when absent), e.g. the API server's to share its /metrics. */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.requests = new Counter({ name: 'nginx_ingress_controller_requests', help: 'Requests served by the ingress, by Ingress, Service and HTTP status.', labelNames: requestLabels, registers: [registry] });
    this.latency = new Histogram({
      name: 'nginx_ingress_controller_request_duration_seconds',
      help: 'Time from the first request byte read to the last response byte sent, by Ingress, Service and HTTP status.',
      labelNames: requestLabels,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.#unrouted = this.#handles({ ingress: '', namespace: '', service: '', status: '404', canary: '' });
  }

  /** observe counts one request; per-target handles are cached on the target so the hot path does no label hashing. */
  observe(target: Target | null, status: number, seconds: number): void {
    let h: StatHandles;
    if (!target) {
      h = status === 404 ? this.#unrouted : this.#handles({ ingress: '', namespace: '', service: '', status: String(status), canary: '' });
    } else {
      const stats = (target.stats ??= new Map<number, unknown>());
      let found = stats.get(status) as StatHandles | undefined;
      if (!found) {
        found = this.#handles({ ingress: target.ingressName, namespace: target.namespace, service: target.service, status: String(status), canary: target.canary ? target.backend?.name ?? '' : '' });
        stats.set(status, found);
      }
      h = found;
    }
    h.count.inc();
    h.latency.observe(seconds);
  }

  #handles(labels: Record<RequestLabel, string>): StatHandles {
    return { count: this.requests.labels(labels), latency: this.latency.labels(labels) };
  }
}
