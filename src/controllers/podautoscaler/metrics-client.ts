import type { Client } from '../../client/client.ts';
import { milliValue, parseQuantity } from '../../api/validation/quantity.ts';
import type { ApiObject } from '../../api/object.ts';
import { parseGoDuration, type PodMetrics } from '../../metrics/objects.ts';
import type { PodMetricsInfo } from './replica-calculator.ts';

/** ResourceMetricResult is every selected pod's use of one resource, with the time of the first sample. */
export interface ResourceMetricResult {
  metrics: PodMetricsInfo;
  timestampMs: number;
}

/**
 * resourceMetric reads pods' resource usage from metrics.k8s.io through the API server, as upstream's
 * REST metrics client: per pod the sum over its containers (or one named container) in milli-units;
 * a pod lacking the resource in any container is left out.
 */
export async function resourceMetric(client: Client, resource: string, namespace: string, selector: string, container: string): Promise<ResourceMetricResult> {
  let items: PodMetrics[];
  try {
    const list = await client.resource<ApiObject>('metrics.k8s.io/v1beta1', 'pods').list(namespace, { labelSelector: selector });
    items = list.items as unknown as PodMetrics[];
  } catch (err) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  const metrics: PodMetricsInfo = new Map();
  for (const m of items) {
    const timestampMs = Date.parse(m.timestamp);
    const windowMs = parseGoDuration(m.window) ?? 0;
    let sum = 0;
    let complete = true;
    let found = container === '';
    for (const c of m.containers ?? []) {
      if (container && c.name !== container) continue;
      found = true;
      const raw = c.usage?.[resource];
      const q = raw === undefined ? undefined : parseQuantity(raw);
      if (!q?.ok) {
        complete = false;
        break;
      }
      sum += milliValue(q.quantity);
    }
    if (!found) throw new Error(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace ?? ''}/${m.metadata.name ?? ''}`);
    if (complete) metrics.set(m.metadata.name ?? '', { value: sum, timestampMs, windowMs });
  }
  return { metrics, timestampMs: Date.parse(items[0]?.timestamp ?? '') };
}
