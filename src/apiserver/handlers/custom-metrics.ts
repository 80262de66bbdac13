import { ApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { parseLabelSelector } from '../../api/selectors/index.ts';
import { formatQuantity, newMilliQuantity } from '../../api/validation/quantity.ts';
import type { CustomMetricsSource, DescribedMetric } from '../../metrics/custom/source.ts';
import { negotiateResource } from '../negotiate.ts';
import { resourcePrefix } from '../registry/keys.ts';
import { renderObject } from '../render.ts';
import type { ApiRequest, ApiResponse } from '../message.ts';
import type { RequestInfo } from '../request-info.ts';
import type { HandlerContext } from './context.ts';

// custom.metrics.k8s.io/v1beta2 as the custom-metrics-apiserver library serves it (prometheus-adapter):
// GET namespaces/<ns>/<resource>/<name>/<metric> for one object, `*` with an optional labelSelector for
// every object of the resource that has the metric. Read-only, never listed or watched.

export const customMetricsGroup = 'custom.metrics.k8s.io';
export const customMetricsVersion = 'v1beta2';

type ResourceRequestInfo = Extract<RequestInfo, { isResourceRequest: true }>;

/** customMetricsDiscovery are the discovery entries of the served metrics ("ingresses.networking.k8s.io/requests_per_second"). */
export function customMetricsDiscovery(source: CustomMetricsSource): { group: string; version: string; kind: string; listKind: string; resource: string; singular: string; namespaced: boolean; shortNames: string[]; categories: string[]; subresources: string[]; verbs: string[] }[] {
  return source.metrics().map((m) => ({ group: customMetricsGroup, version: customMetricsVersion, kind: 'MetricValueList', listKind: 'MetricValueList', resource: `${m.resource}/${m.metric}`, singular: '', namespaced: true, shortNames: [], categories: [], subresources: [], verbs: ['get'] }));
}

/** handleCustomMetrics answers one custom metrics request. */
export async function handleCustomMetrics(ctx: HandlerContext, info: ResourceRequestInfo, req: ApiRequest, url: URL, source: CustomMetricsSource): Promise<ApiResponse> {
  const metric = info.subresource;
  if (info.version !== customMetricsVersion || !info.namespace || !info.name || !metric) throw notFound();
  if (info.verb !== 'get') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  // client-go escapes the `*` of a selector request as %2A (Go's path escaping); request paths reach us undecoded.
  const name = info.name === '%2A' || info.name === '%2a' ? '*' : info.name;
  const described = source.metrics().find((m) => m.resource === info.resource && m.metric === metric);
  if (!described) throw metricNotFound(metric, info.resource, name);
  const neg = negotiateResource(req.headers.get('accept'), false);
  let names: string[];
  if (name === '*') {
    // As the adapter, which lists the objects the selector matches and answers for those with a value: a
    // source's name of an object that no longer exists is left out.
    const selector = url.searchParams.get('labelSelector');
    const sel = selector ? parseLabelSelector(selector) : null;
    const [plural = '', ...rest] = info.resource.split('.');
    const served = ctx.registry.lookup(rest.join('.'), described.apiVersion.split('/').at(-1) ?? 'v1', plural);
    const prefix = served ? resourcePrefix(served.def.info) : '';
    names = source.objectNames(info.namespace, info.resource, metric).sort().filter((n) => {
      const obj = served?.cache.get(`${prefix}${info.namespace}/${n}`)?.obj;
      if (served && !obj) return false;
      return sel === null || sel.matches(obj?.metadata?.labels);
    });
  } else {
    names = [name];
  }
  const items = names.flatMap((name) => {
    const v = source.objectMetric(info.namespace ?? '', info.resource, name, metric);
    return v ? [metricValue(described, info.namespace ?? '', name, v)] : [];
  });
  if (name !== '*' && items.length === 0) throw metricNotFound(metric, info.resource, name);
  const list = { kind: 'MetricValueList', apiVersion: `${customMetricsGroup}/${customMetricsVersion}`, metadata: {}, items } as unknown as ApiObject;
  return renderObject(list, { ...neg, as: 'object' }, 200);
}

function metricValue(d: DescribedMetric, namespace: string, name: string, v: { value: number; timestampMs: number; windowSeconds: number }): object {
  return {
    describedObject: { kind: d.kind, namespace, name, apiVersion: d.apiVersion },
    metric: { name: d.metric },
    timestamp: new Date(v.timestampMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    windowSeconds: v.windowSeconds,
    value: formatQuantity(newMilliQuantity(Math.round(v.value * 1000))),
  };
}

function notFound(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {});
}

/** metricNotFound is the adapter library's 404 for a metric an object does not have. */
function metricNotFound(metric: string, resource: string, name: string): ApiError {
  return new ApiError('NotFound', `the server could not find the metric ${metric} for ${resource} ${name}`, {});
}
