import { ApiError, badRequest, notFound } from '../../api/errors.ts';
import { apiVersionOf } from '../../api/kinds.ts';
import { metaOf, type ApiObject } from '../../api/object.ts';
import { decodeBody, readBody } from '../body.ts';
import type { PatchType } from '../extensions.ts';
import { negotiateResource, parseMediaType, type Negotiated } from '../negotiate.ts';
import { listResource, parseResourceVersion } from '../registry/list.ts';
import type { ServedResource } from '../registry/registry.ts';
import { renderCached, renderList, renderObject, type RenderOptions } from '../render.ts';
import type { RequestInfo } from '../request-info.ts';
import type { HandlerContext, RequestUser } from './context.ts';
import { customMetricsGroup, handleCustomMetrics } from './custom-metrics.ts';
import { handleMetrics } from './metrics.ts';
import { handleReview, reviewResources } from './reviews.ts';
import { deleteOptions, intParam, writeOptions, type FieldValidation } from './query.ts';
import { handleEviction } from './eviction.ts';
import { handleProxy, isProxyResource } from './proxy.ts';
import { handleBinding, handleFinalize, handlePodConnect, handleScale } from './subresources.ts';
import { servedView } from './served-view.ts';
import { handleTokenRequest } from './token-request.ts';
import { serveWatch } from './watch.ts';
import type { ApiRequest, ApiResponse } from '../message.ts';

type ResourceRequestInfo = Extract<RequestInfo, { isResourceRequest: true }>;

/** notServed is upstream's answer for a path that names no served resource. */
export function notServed(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {});
}

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** handleResource serves one request for a resource or its status subresource. */
export async function handleResource(ctx: HandlerContext, info: ResourceRequestInfo, req: ApiRequest, url: URL, user: RequestUser | null): Promise<ApiResponse> {
  if (reviewResources[`${info.group}/${info.resource}`] && info.version === 'v1') {
    return handleReview(ctx, info.group, info.resource, info.verb, req, user, ctx.reviewToken);
  }
  if (info.group === 'metrics.k8s.io') {
    if (!ctx.resourceMetrics) throw notServed();
    return handleMetrics(ctx, info, req, url, ctx.resourceMetrics);
  }
  if (info.group === customMetricsGroup) {
    if (!ctx.customMetrics) throw notServed();
    return handleCustomMetrics(ctx, info, req, url, ctx.customMetrics);
  }
  const served = ctx.registry.lookup(info.group, info.version, info.resource);
  if (!served) throw notServed();
  const { def } = served;
  const namespaced = def.info.namespaced;
  if (!namespaced && info.namespace && !(info.group === '' && info.resource === 'namespaces')) throw notServed();
  const namespace = namespaced ? info.namespace : '';
  const q = url.searchParams;
  const apiVersion = apiVersionOf(def.info.group, def.info.version);
  const protobufOk = ctx.ext.protobuf?.encodable(apiVersion, def.info.kind) ?? false;
  const neg = negotiateResource(req.headers.get('accept'), protobufOk);
  const render: RenderOptions = { includeObject: q.get('includeObject') ?? 'Metadata' };
  const table = ctx.ext.tableFor(def);
  if (table) render.table = table;
  if (ctx.ext.protobuf) render.protobuf = ctx.ext.protobuf.encode;
  const sub = info.subresource;
  // pods/ephemeralcontainers reads and writes the pod itself, with its own update strategy.
  const podWrite = sub === 'ephemeralcontainers' && def.info.group === '' && def.info.resource === 'pods' && ['get', 'update', 'patch'].includes(info.verb);
  if (sub && sub !== 'status' && !podWrite) {
    if (!def.info.subresources.includes(sub) || !info.name || (namespaced && !namespace)) throw notServed();
    switch (sub) {
      case 'scale':
        return handleScale(ctx, served, namespace, info.name, info.verb, req, q, neg);
      case 'binding':
        if (info.verb !== 'create') break;
        return handleBinding(ctx, served, namespace, info.name, req, neg);
      case 'eviction':
        if (info.verb !== 'create') break;
        return handleEviction(ctx, served, namespace, info.name, req, q);
      case 'token':
        if (info.verb !== 'create') break;
        return handleTokenRequest(ctx, served, namespace, info.name, req, ctx.issueToken);
      case 'finalize':
        if (info.verb !== 'update') break;
        return handleFinalize(served, info.name, req, neg);
      case 'log':
      case 'exec':
      case 'attach':
      case 'portforward':
        if (def.info.group !== '' || def.info.resource !== 'pods') break;
        return handlePodConnect(ctx, namespace, info.name, sub, q);
      case 'proxy':
        if (def.info.group !== '' || !isProxyResource(def.info.resource)) break;
        return handleProxy(ctx, def.info.resource, namespace, info.name, req, url);
      default:
        break;
    }
    throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
  if (sub === 'status' && !def.strategy.hasStatus) throw notServed();
  if (namespaced && !namespace && !['list', 'watch'].includes(info.verb)) throw notServed();

  switch (info.verb) {
    case 'get': {
      // A consistent read from the watch cache: wait until it has every acknowledged write, then
      // answer with the object's JSON text as cached (resourceVersion "0" accepts any cached state).
      if (q.get('resourceVersion') !== '0') await ctx.hub.waitFresh();
      const cached = served.cache.get(served.store.key(namespace, info.name));
      if (!cached) throw notFound(def.info, info.name);
      const view = servedView(def);
      return renderCached(view ? view(cached) : cached, neg, render);
    }
    case 'list': {
      const filter = ctx.ext.filterFor(def, q.get('labelSelector'), q.get('fieldSelector'));
      const page = await listResource(def, served.cache, ctx.hub, ctx.store, {
        ...(namespace ? { namespace } : {}),
        ...(filter ? { filter } : {}),
        ...optional('limit', intParam(q, 'limit')),
        ...optional('continueToken', q.get('continue') ?? undefined),
        ...optional('resourceVersion', q.get('resourceVersion') ?? undefined),
        ...optional('resourceVersionMatch', q.get('resourceVersionMatch') ?? undefined),
      });
      const view = servedView(def);
      return renderList(view ? page.items.map(view) : page.items, { apiVersion, listKind: def.info.listKind, rv: page.rv, ...optional('continue', page.continue), ...optional('remainingItemCount', page.remainingItemCount) }, neg, render);
    }
    case 'watch':
      return watch(ctx, served, namespace, info.name, q, neg, render, req.watchObjects === true);
    case 'create': {
      const opts = writeOptions(q);
      const body = await decodeRequest(ctx, req);
      const warnings = checkFields(ctx, served, body, opts.fieldValidation);
      const obj = body as ApiObject;
      if (ctx.ext.trackManagedFields) ctx.ext.trackManagedFields(def, obj, null, manager(opts.fieldManager, req), '', ctx.clock.now());
      const created = await served.store.create(namespace, obj, opts);
      return renderObject(created, neg, 201, { ...render, warnings });
    }
    case 'update': {
      const opts = writeOptions(q);
      const body = await decodeRequest(ctx, req);
      const warnings = checkFields(ctx, served, body, opts.fieldValidation);
      const mgr = manager(opts.fieldManager, req);
      const res = await served.store.update(
        namespace,
        info.name,
        (current) => {
          const obj = structuredClone(body) as ApiObject;
          if (ctx.ext.trackManagedFields) ctx.ext.trackManagedFields(def, obj, current, mgr, sub, ctx.clock.now());
          return obj;
        },
        { ...opts, subresource: sub, allowCreate: false },
      );
      return renderObject(res.object, neg, res.created ? 201 : 200, { ...render, warnings });
    }
    case 'patch':
      return patch(ctx, served, namespace, info.name, sub, req, q, neg, render);
    case 'delete': {
      const body = await readBody(req);
      const opts = deleteOptions(q, body);
      const res = await served.store.delete(namespace, info.name, opts);
      return renderObject(res.object, neg, 200, render);
    }
    case 'deletecollection': {
      const body = await readBody(req);
      const opts = deleteOptions(q, body);
      const filter = ctx.ext.filterFor(def, q.get('labelSelector'), q.get('fieldSelector'));
      const page = await listResource(def, served.cache, ctx.hub, ctx.store, { ...(namespace ? { namespace } : {}), ...(filter ? { filter } : {}) });
      const deleted: ApiObject[] = [];
      for (const o of page.items) {
        try {
          deleted.push((await served.store.delete(o.namespace || undefined, o.name, opts)).object);
        } catch (err) {
          if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
        }
      }
      const list = { kind: def.info.listKind, apiVersion, metadata: {}, items: deleted };
      return renderObject(list, { ...neg, as: 'object' }, 200, {});
    }
    default:
      throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** manager is the field manager of a write: the query's, else the user agent's program name, as upstream. */
function manager(fieldManager: string | undefined, req: ApiRequest): string {
  if (fieldManager) return fieldManager;
  const ua = req.headers.get('user-agent') ?? 'unknown';
  return ua.split('/')[0] ?? 'unknown';
}

async function decodeRequest(ctx: HandlerContext, req: ApiRequest): Promise<unknown> {
  const body = await readBody(req);
  const pb = ctx.ext.protobuf;
  return decodeBody(req.headers.get('content-type'), body, pb ? (b) => pb.decode(b) : undefined);
}

/** checkFields applies fieldValidation: Strict refuses unknown fields, Warn reports them, Ignore drops them silently. */
function checkFields(ctx: HandlerContext, served: ServedResource, body: unknown, mode: FieldValidation): string[] {
  if (mode === 'Ignore' || body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const unknown = ctx.ext.unknownFields(served.def, body as ApiObject);
  if (unknown.length === 0) return [];
  const messages = unknown.map((f) => `unknown field "${f}"`);
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${messages.join(', ')}`);
  return messages;
}

function watch(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, q: URLSearchParams, neg: Negotiated, render: RenderOptions, objects: boolean): ApiResponse {
  const { def } = served;
  const selectorFilter = ctx.ext.filterFor(def, q.get('labelSelector'), q.get('fieldSelector'));
  const nsPrefix = namespace ? `${namespace}` : '';
  const filter = (o: { namespace: string; name: string; obj: ApiObject }): boolean =>
    (!nsPrefix || o.namespace === nsPrefix) && (!name || o.name === name) && (!selectorFilter || selectorFilter(o as Parameters<typeof selectorFilter>[0]));
  const rv = q.get('resourceVersion') ?? '';
  const fromRv = rv === '' || rv === '0' ? null : parseResourceVersion(rv);
  const timeoutSeconds = intParam(q, 'timeoutSeconds');
  const timeoutMs = timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : ctx.minRequestTimeoutMs * (1 + Math.random());
  const convert = servedView(def);
  return serveWatch({
    ...(convert ? { convert } : {}),
    cache: served.cache,
    filter,
    fromRv,
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
    timeoutMs,
    neg,
    apiVersion: apiVersionOf(def.info.group, def.info.version),
    kind: def.info.kind,
    ...(render.table ? { table: render.table } : {}),
    // In-process callers asking for objects get them for plain JSON watches only (not tables or metadata).
    ...(objects && neg.as === 'object' && neg.encoding === 'json' ? { objects: true } : {}),
  });
}

async function patch(
  ctx: HandlerContext,
  served: ServedResource,
  namespace: string,
  name: string,
  sub: string,
  req: ApiRequest,
  q: URLSearchParams,
  neg: Negotiated,
  render: RenderOptions,
): Promise<ApiResponse> {
  const type = patchTypes[parseMediaType(req.headers.get('content-type') ?? '').type];
  if (!type) {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
  const opts = writeOptions(q);
  const body = await readBody(req);
  const patchBody = decodeBody(req.headers.get('content-type'), body);
  const force = q.get('force') === 'true';
  if (type === 'apply' && !opts.fieldManager) {
    throw new ApiError('BadRequest', 'PATCH /apply requires fieldManager to be set', { causes: [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'is required for apply patch' }] });
  }
  if (force && type !== 'apply') throw badRequest('force: Invalid value: true: may not be specified for non-apply patch');
  const mgr = manager(opts.fieldManager, req);
  let warnings: string[] = [];
  const res = await served.store.update(
    namespace,
    name,
    (current) => {
      const patched = ctx.ext.applyPatch({ def: served.def, type, current, patch: patchBody, fieldManager: mgr, force, subresource: sub, now: ctx.clock.now() });
      warnings = checkFields(ctx, served, patched, opts.fieldValidation);
      if (type !== 'apply' && ctx.ext.trackManagedFields) ctx.ext.trackManagedFields(served.def, patched, current, mgr, sub, ctx.clock.now());
      // A patch without a resourceVersion is unconditional: drop the one it inherited from the stored
      // object, so a concurrent write makes the store re-read and re-apply the patch instead of failing.
      if (!hasRv(patchBody)) delete metaOf(patched).resourceVersion;
      return patched;
    },
    { ...opts, subresource: sub, allowCreate: type === 'apply' },
  );
  return renderObject(res.object, neg, res.created ? 201 : 200, { ...render, warnings });
}

function hasRv(p: unknown): boolean {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return false;
  const m = (p as { metadata?: { resourceVersion?: unknown } }).metadata;
  return typeof m?.resourceVersion === 'string' && m.resourceVersion !== '';
}
