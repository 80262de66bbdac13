import type { Client } from '../../client/client.ts';
import { milliValue, parseQuantity } from '../../api/validation/quantity.ts';
import type { ApiObject } from '../../api/object.ts';
import type { PodMetricsInfo } from './replica-calculator.ts';

// The HPA's reads of custom.metrics.k8s.io/v1beta2 through the API server (upstream's custom metrics
// client): an object's metric for Object sources, every selected pod's for Pods sources. Values are kept
// in milli-units as upstream's calculations use them.

const group = 'custom.metrics.k8s.io';
const version = 'v1beta2';

interface MetricValue {
  describedObject: { kind: string; name: string; namespace?: string };
  timestamp: string;
  windowSeconds?: number;
  value: string;
}

interface MetricValueList extends ApiObject {
  items: MetricValue[];
}

function milli(raw: string): number {
  const q = parseQuantity(raw);
  if (!q.ok) throw new Error(`invalid metric value ${JSON.stringify(raw)}`);
  return milliValue(q.quantity);
}

/** objectMetric reads one object's metric; resource is "<plural>.<group>" or a core plural. */
export async function objectMetric(client: Client, namespace: string, resource: string, name: string, metric: string, metricSelector?: string): Promise<{ value: number; timestampMs: number }> {
  const c = client.resource<MetricValueList>({ group, version, resource, namespaced: true, kind: 'MetricValueList' });
  let list: MetricValueList;
  try {
    list = await c.getSubresource<MetricValueList>(namespace, name, metric, metricSelector ? { metricLabelSelector: metricSelector } : {});
  } catch (err) {
    throw new Error(`unable to fetch metrics from custom metrics API: ${err instanceof Error ? err.message : String(err)}`);
  }
  const v = list.items?.[0];
  if (!v) throw new Error('unable to fetch metrics from custom metrics API: no metrics returned');
  return { value: milli(v.value), timestampMs: Date.parse(v.timestamp) };
}

/** podsMetric reads a metric of every pod matching selector. */
export async function podsMetric(client: Client, namespace: string, selector: string, metric: string, metricSelector?: string): Promise<PodMetricsInfo> {
  const c = client.resource<MetricValueList>({ group, version, resource: 'pods', namespaced: true, kind: 'MetricValueList' });
  let list: MetricValueList;
  try {
    list = await c.getSubresource<MetricValueList>(namespace, '*', metric, { labelSelector: selector, ...(metricSelector ? { metricLabelSelector: metricSelector } : {}) });
  } catch (err) {
    throw new Error(`unable to fetch metrics from custom metrics API: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!list.items?.length) throw new Error('no metrics returned from custom metrics API');
  const out: PodMetricsInfo = new Map();
  for (const v of list.items) out.set(v.describedObject.name, { value: milli(v.value), timestampMs: Date.parse(v.timestamp), windowMs: (v.windowSeconds ?? 0) * 1000 });
  return out;
}
