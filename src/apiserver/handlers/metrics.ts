import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.ts';
import { buildTable, parseIncludeObject, tableFor } from '../../api/tables/index.ts';
import type { NodeUsage, PodUsage } from '../../metrics/storage.ts';
import { metricsApiVersion, nodeMetricsOf, podMetricsOf } from '../../metrics/objects.ts';
import { negotiateResource } from '../negotiate.ts';
import { renderObject } from '../render.ts';
import type { RequestInfo } from '../request-info.ts';
import type { HandlerContext } from './context.ts';

/** ResourceMetricsSource answers what the metrics pipeline last measured (MetricsStorage implements it). */
export interface ResourceMetricsSource {
  nodeUsage(name: string): NodeUsage | undefined;
  podUsage(namespace: string, name: string): PodUsage | undefined;
}

type ResourceRequestInfo = Extract<RequestInfo, { isResourceRequest: true }>;

/**
 * handleMetrics serves metrics.k8s.io/v1beta1 as metrics-server does: get and list of PodMetrics and
 * NodeMetrics, selected by the pods' and nodes' labels and metadata fields (read from the watch cache),
 * with only the running pods and the nodes that have a measurement; read-only and never watched.
 */
export async function handleMetrics(ctx: HandlerContext, info: ResourceRequestInfo, req: Request, url: URL, source: ResourceMetricsSource): Promise<Response> {
  if (info.version !== 'v1beta1' || (info.resource !== 'pods' && info.resource !== 'nodes') || info.subresource) throw notFound();
  if (info.resource === 'nodes' && info.namespace) throw notFound();
  if (info.verb !== 'get' && info.verb !== 'list') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const pods = info.resource === 'pods';
  const kind = pods ? 'PodMetrics' : 'NodeMetrics';
  const neg = negotiateResource(req.headers.get('accept'), false);
  const q = url.searchParams;
  const now = ctx.clock.now();
  if (q.get('resourceVersion') !== '0') await ctx.hub.waitFresh();
  const cache = ctx.registry.lookup('', 'v1', info.resource)?.cache;
  if (!cache) throw notFound();

  const build = (obj: ApiObject): ApiObject | undefined => {
    const m = obj.metadata ?? {};
    if (pods) {
      // Only running pods have metrics, as metrics-server answers.
      if ((obj.status as { phase?: string } | undefined)?.phase !== 'Running') return undefined;
      const usage = source.podUsage(m.namespace ?? '', m.name ?? '');
      return usage ? (podMetricsOf({ name: m.name ?? '', namespace: m.namespace ?? '', ...labelsOf(m) }, usage, now) as unknown as ApiObject) : undefined;
    }
    const usage = source.nodeUsage(m.name ?? '');
    return usage ? (nodeMetricsOf({ name: m.name ?? '', ...labelsOf(m) }, usage, now) as unknown as ApiObject) : undefined;
  };
  const table = tableFor('metrics.k8s.io', kind);
  const includeObject = parseIncludeObject(q.get('includeObject'));

  if (info.verb === 'get') {
    const key = pods ? `/registry/pods/${info.namespace}/${info.name}` : `/registry/nodes/${info.name}`;
    const cached = cache.get(key);
    const out = cached ? build(cached.obj) : undefined;
    if (!out) throw new ApiError('NotFound', `${info.resource}.metrics.k8s.io "${pods ? `${info.namespace}/` : ''}${info.name}" not found`, { name: pods ? `${info.namespace}/${info.name}` : info.name, group: 'metrics.k8s.io', kind: info.resource });
    if (neg.as === 'Table') return renderObject(buildTable(table, [out], { now, includeObject }) as unknown as ApiObject, { ...neg, as: 'object' }, 200);
    return renderObject(out, neg, 200);
  }

  const labels = q.get('labelSelector') ? parseLabelSelector(q.get('labelSelector') ?? '') : null;
  const fields = q.get('fieldSelector') ? parseFieldSelector(q.get('fieldSelector') ?? '') : null;
  const items: ApiObject[] = [];
  const selected = cache
    .list()
    .filter((o) => !pods || !info.namespace || o.namespace === info.namespace)
    .filter((o) => !labels || labels.matches(o.obj.metadata?.labels))
    .filter((o) => !fields || fields.matches(metaFields(o.obj.metadata ?? {}, pods)))
    .sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
  for (const o of selected) {
    const m = build(o.obj);
    if (m) items.push(m);
  }
  if (neg.as === 'Table') return renderObject(buildTable(table, items, { now, includeObject }) as unknown as ApiObject, { ...neg, as: 'object' }, 200);
  const list: ApiObject = { kind: `${kind}List`, apiVersion: metricsApiVersion, metadata: {}, items } as ApiObject;
  return renderObject(list, { ...neg, as: 'object' }, 200);
}

function notFound(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {});
}

function labelsOf(m: ObjectMeta): { labels?: Record<string, string> } {
  return m.labels ? { labels: m.labels } : {};
}

// The object-meta fields metrics-server matches field selectors against.
function metaFields(m: ObjectMeta, namespaced: boolean): Record<string, string> {
  return namespaced ? { 'metadata.name': m.name ?? '', 'metadata.namespace': m.namespace ?? '' } : { 'metadata.name': m.name ?? '' };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
