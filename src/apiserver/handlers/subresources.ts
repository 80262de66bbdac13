import { ApiError, badRequest, invalid, reasonCodes, type StatusReason } from '../../api/errors.ts';
import { metaOf, type ApiObject } from '../../api/object.ts';
import { decodeBody, readBody } from '../body.ts';
import type { Negotiated } from '../negotiate.ts';
import type { ServedResource } from '../registry/registry.ts';
import { renderObject } from '../render.ts';
import type { HandlerContext } from './context.ts';
import { podConnectLocation, type ConnectSubresource } from './pod-connect.ts';
import { writeOptions } from './query.ts';
import { formatTime } from '../../api/time.ts';
import { fromWebResponse, plainTextResponse, type ApiRequest, type ApiResponse } from '../message.ts';

/** scaleOf renders a workload's autoscaling/v1 Scale, as upstream's scale subresource does. */
export function scaleOf(obj: ApiObject): ApiObject {
  const meta = obj.metadata ?? {};
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } };
  const status = (obj.status ?? {}) as { replicas?: number };
  const scale: ApiObject = {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
  return scale;
}

/** selectorString renders a LabelSelector as the string form Scale.status.selector uses. */
function selectorString(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.sort().join(',');
}

/** handleScale serves GET/PUT/PATCH of /scale on deployments, replicasets and statefulsets. */
export async function handleScale(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, verb: string, req: ApiRequest, q: URLSearchParams, neg: Negotiated): Promise<ApiResponse> {
  const json: Negotiated = { ...neg, encoding: neg.encoding === 'protobuf' ? 'json' : neg.encoding, as: 'object' };
  if (verb === 'get') return renderObject(scaleOf(await served.store.get(namespace, name)), json, 200);
  if (verb !== 'update' && verb !== 'patch') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const opts = writeOptions(q);
  const body = decodeBody(req.headers.get('content-type'), await readBody(req));
  const res = await served.store.update(namespace, name, (current) => {
    if (!current) throw badRequest('not found');
    const scale = scaleOf(current);
    let wanted: ApiObject;
    if (verb === 'update') {
      wanted = body as ApiObject;
      const rv = (wanted.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (rv) metaOf(current).resourceVersion = rv;
      else delete metaOf(current).resourceVersion;
    } else {
      wanted = ctx.ext.applyPatch({ def: served.def, type: patchTypeOf(req), current: scale, patch: body, fieldManager: opts.fieldManager ?? 'unknown', force: false, subresource: 'scale', now: ctx.clock.now() });
      delete metaOf(current).resourceVersion;
    }
    const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
    }
    (current.spec as { replicas?: number }).replicas = replicas;
    return current;
  }, opts);
  return renderObject(scaleOf(res.object), json, 200);
}

function patchTypeOf(req: ApiRequest): 'json' | 'merge' | 'strategic' | 'apply' {
  const t = (req.headers.get('content-type') ?? '').split(';')[0]?.trim();
  if (t === 'application/json-patch+json') return 'json';
  if (t === 'application/strategic-merge-patch+json') return 'strategic';
  if (t === 'application/apply-patch+yaml') return 'apply';
  return 'merge';
}

/** handleBinding serves POST pods/binding: it assigns the pod to a node exactly once, as the scheduler's binder expects. */
export async function handleBinding(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, req: ApiRequest, neg: Negotiated): Promise<ApiResponse> {
  const body = decodeBody(req.headers.get('content-type'), await readBody(req), ctx.ext.protobuf ? (b) => ctx.ext.protobuf?.decode(b) : undefined) as ApiObject;
  const target = (body.target ?? {}) as { kind?: string; name?: string };
  if (!target.name) throw invalid({ group: '', kind: 'Binding' }, name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  if (target.kind && target.kind !== 'Node') throw invalid({ group: '', kind: 'Binding' }, name, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: target.kind, detail: 'supported values: "Node"' }]);
  await served.store.update(namespace, name, (current) => {
    if (!current) throw badRequest('not found');
    const spec = (current.spec ?? {}) as { nodeName?: string };
    if (current.metadata?.deletionTimestamp) throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"`);
    // The store hands a trusted subresource the cached pod with only its top level and metadata copied: replace
    // spec and status rather than change them.
    current.spec = { ...spec, nodeName: target.name };
    const status = (current.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTime(ctx.clock.now()) });
    current.status = { ...status, conditions };
    delete metaOf(current).resourceVersion;
    return current;
  }, { subresource: 'binding', trustedSubresource: true });
  return renderObject({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, { ...neg, encoding: 'json', as: 'object' }, 201);
}

/** handleFinalize serves PUT namespaces/x/finalize, which only changes spec.finalizers. */
export async function handleFinalize(served: ServedResource, name: string, req: ApiRequest, neg: Negotiated): Promise<ApiResponse> {
  const body = decodeBody(req.headers.get('content-type'), await readBody(req)) as ApiObject;
  const finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  const res = await served.store.update(undefined, name, (current) => {
    if (!current) throw badRequest('not found');
    current.spec = { ...((current.spec as object | undefined) ?? {}), finalizers };
    const rv = body.metadata?.resourceVersion;
    if (rv) metaOf(current).resourceVersion = rv;
    else delete metaOf(current).resourceVersion;
    return current;
  }, { subresource: 'finalize' });
  return renderObject(res.object, neg, 200);
}

/** handlePodConnect serves pods/log by streaming the node agent's answer; exec, attach and portforward need an upgrade. */
export async function handlePodConnect(ctx: HandlerContext, namespace: string, name: string, sub: ConnectSubresource, q: URLSearchParams): Promise<ApiResponse> {
  const location = await podConnectLocation(ctx, namespace, name, sub, q);
  if (sub !== 'log') throw badRequest('Upgrade request required');
  if (!location) return plainTextResponse(200, '');
  if (!ctx.kubelet) throw new ApiError('ServiceUnavailable', `pods/log for pod ${name}: the API server has no credentials for node agents`);
  // The client going away cancels the body stream, which closes the connection to the agent.
  const res = await ctx.kubelet.get(location);
  if (res.status === 200) return fromWebResponse(res);
  // The agent answers errors with a Status; its message and reason reach kubectl unchanged.
  const text = await res.text();
  let status: { message?: string; reason?: string } = {};
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    status = { message: text };
  }
  const reason = status.reason && status.reason in reasonCodes ? (status.reason as StatusReason) : 'InternalError';
  throw new ApiError(reason, status.message ?? `the node agent answered ${res.status}`, undefined, res.status);
}
