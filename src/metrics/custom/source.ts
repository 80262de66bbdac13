// The custom metrics API's source (custom.metrics.k8s.io, the API prometheus-adapter serves for the HPA's
// Object and Pods metrics). Berth's own components register what they measure; the API server answers
// from it and the HPA reads it through the API, as with an adapter.

/** CustomMetricValue is one object's metric over a window ending at timestampMs. */
export interface CustomMetricValue {
  /** value is in the metric's unit (seconds, requests per second, ...). */
  value: number;
  timestampMs: number;
  windowSeconds: number;
}

/** DescribedMetric names a metric of a kind of object: resource is "<plural>.<group>" ("ingresses.networking.k8s.io", "services"). */
export interface DescribedMetric {
  resource: string;
  metric: string;
  /** kind and apiVersion describe the objects in MetricValue.describedObject. */
  kind: string;
  apiVersion: string;
}

/** CustomMetricsSource answers object metrics of namespaced objects. */
export interface CustomMetricsSource {
  /** metrics lists the metrics served (for discovery). */
  metrics(): DescribedMetric[];
  /** objectMetric is one object's metric, or undefined when it has none (never measured, or no traffic yet). */
  objectMetric(namespace: string, resource: string, name: string, metric: string): CustomMetricValue | undefined;
  /** objectNames lists the objects of a resource in a namespace that have the metric (for `*` requests). */
  objectNames(namespace: string, resource: string, metric: string): string[];
}

/** CustomMetricsRegistry serves the metrics of every registered source; components add theirs when they start. */
export class CustomMetricsRegistry implements CustomMetricsSource {
  readonly #sources: CustomMetricsSource[] = [];

  /** add registers a source; it returns a function that removes it. */
  add(source: CustomMetricsSource): () => void {
    this.#sources.push(source);
    return () => {
      const i = this.#sources.indexOf(source);
      if (i >= 0) this.#sources.splice(i, 1);
    };
  }

  metrics(): DescribedMetric[] {
    return this.#sources.flatMap((s) => s.metrics());
  }

  objectMetric(namespace: string, resource: string, name: string, metric: string): CustomMetricValue | undefined {
    for (const s of this.#owners(resource, metric)) {
      const v = s.objectMetric(namespace, resource, name, metric);
      if (v) return v;
    }
    return undefined;
  }

  objectNames(namespace: string, resource: string, metric: string): string[] {
    return [...new Set(this.#owners(resource, metric).flatMap((s) => s.objectNames(namespace, resource, metric)))];
  }

  #owners(resource: string, metric: string): CustomMetricsSource[] {
    return this.#sources.filter((s) => s.metrics().some((m) => m.resource === resource && m.metric === metric));
  }
}
