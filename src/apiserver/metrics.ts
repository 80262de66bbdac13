import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** ApiMetrics are the API server's Prometheus metrics, in a registry of their own (no global state). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'verb' | 'group' | 'resource' | 'code'>;
  readonly latency: Histogram<'verb' | 'group' | 'resource'>;
  readonly watchers: Gauge<'group' | 'resource'>;

  constructor() {
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Requests by verb, group, resource and HTTP code.', labelNames: ['verb', 'group', 'resource', 'code'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Request latency by verb, group and resource (watches excluded).',
      labelNames: ['verb', 'group', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.watchers = new Gauge({ name: 'apiserver_registered_watchers', help: 'Open watches by group and resource.', labelNames: ['group', 'resource'], registers: [this.registry] });
  }
}
