import type { PodCondition } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest, conflict, isApiError, staleObjectMessage } from '../../api/errors.ts';
import { metaOf, type ApiObject } from '../../api/object.ts';
import { pdbSelectsPod, setDisruptionAllowedCondition, type PdbObject } from '../../api/other/index.ts';
import { formatTime } from '../../api/time.ts';
import { decodeBody, readBody } from '../body.ts';
import { objectOf } from '../watchcache/resource-cache.ts';
import type { DeleteOptions } from '../registry/store.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { HandlerContext } from './context.ts';
import { deleteOptions } from './query.ts';

/** maxDisruptedPods bounds status.disruptedPods: past it the PDB controller is too far behind to trust (upstream's MaxDisruptedPodSize). */
const maxDisruptedPods = 2000;
/** conflictRetries is how often a conflicting write is retried (upstream's EvictionsRetry steps). */
const conflictRetries = 20;

type Pod = ApiObject & { status?: { phase?: string; conditions?: PodCondition[] } };

const violation = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string, retryAfterSeconds: number): ApiError {
  return new ApiError('TooManyRequests', violation, { causes: [{ reason: 'DisruptionBudget', message: cause }], retryAfterSeconds });
}

function stillProcessing(pdbName: string): ApiError {
  return tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`, 10);
}

function forbidden(pdbName: string, why: string): ApiError {
  return new ApiError('Forbidden', `poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`, { name: pdbName, group: 'policy', kind: 'poddisruptionbudget' });
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** canIgnorePdb: a finished, pending or already terminating pod disrupts nothing by going (upstream's canIgnorePDB). */
function canIgnorePdb(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata?.deletionTimestamp);
}

function withResourceVersion(opts: DeleteOptions, rv: string | undefined): DeleteOptions {
  return rv === undefined ? opts : { ...opts, preconditions: { ...opts.preconditions, resourceVersion: rv } };
}

/**
 * handleEviction serves POST pods/eviction as upstream's EvictionREST: a pod covered by a
 * PodDisruptionBudget is deleted only when the budget allows a disruption, which is taken from
 * status.disruptionsAllowed with a compare-and-swap and recorded in status.disruptedPods; otherwise the
 * answer is 429. Pods that are finished, pending or terminating, and unready pods while the budget is met
 * (or with unhealthyPodEvictionPolicy AlwaysAllow), skip the budget. Two budgets for one pod are a 500.
 */
export async function handleEviction(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, req: Request, q: URLSearchParams): Promise<Response> {
  const raw = await readBody(req);
  const body = raw.byteLength > 0 ? (decodeBody(req.headers.get('content-type'), raw, ctx.ext.protobuf ? (b) => ctx.ext.protobuf?.decode(b) : undefined) as ApiObject) : {};
  const bodyName = body.metadata?.name;
  if (bodyName !== undefined && bodyName !== name) throw badRequest('name in URL does not match name in Eviction object');
  const opts = deleteOptions(q, raw.byteLength > 0 && body.deleteOptions ? new TextEncoder().encode(JSON.stringify(body.deleteOptions)) : null);
  const userRv = opts.preconditions?.resourceVersion;

  let pod: Pod | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = (await served.store.get(namespace, name)) as Pod;
    if (!canIgnorePdb(pod)) break;
    // Pin the version read unless the pod is already on its way out, so it cannot turn ready meanwhile.
    const pin = userRv === undefined && !pod.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(pod.status?.phase ?? '');
    try {
      await deleteWithCondition(ctx, served, namespace, name, pin ? withResourceVersion(opts, pod.metadata?.resourceVersion) : opts);
      return success();
    } catch (err) {
      if (!isApiError(err, 'Conflict') || userRv !== undefined || attempt >= conflictRetries) throw err;
    }
  }

  const pdbServed = ctx.registry.lookup('policy', 'v1', 'poddisruptionbudgets');
  if (!pdbServed) throw new ApiError('InternalError', 'Internal error occurred: poddisruptionbudgets are not served');
  await ctx.hub.waitFresh();
  const selected = pdbServed.cache.list().filter((o) => o.namespace === namespace).map((o) => objectOf(o) as PdbObject).filter((p) => pdbSelectsPod(p, pod));
  if (selected.length > 1) {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 };
    return new Response(JSON.stringify(status), { status: 500, headers: { 'content-type': 'application/json' } });
  }
  const pdb = selected[0];
  let pinRv = false;
  if (pdb) {
    const s = pdb.status;
    // An unready pod does not count as healthy: taking it costs the budget nothing.
    const unhealthyOk = !isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || ((s?.currentHealthy ?? 0) >= (s?.desiredHealthy ?? 0) && (s?.desiredHealthy ?? 0) > 0));
    if (unhealthyOk) pinRv = true;
    else await checkAndDecrement(ctx, pdbServed, pdb, name, opts.dryRun === true);
  }
  try {
    await deleteWithCondition(ctx, served, namespace, name, pinRv && userRv === undefined ? withResourceVersion(opts, pod.metadata?.resourceVersion) : opts);
  } catch (err) {
    // The pod changed (perhaps became ready) since the budget was checked: let the client try again.
    if (isApiError(err, 'Conflict') && pinRv && userRv === undefined && pdb) throw stillProcessing(pdb.metadata?.name ?? '');
    throw err;
  }
  return success();
}

/** checkAndDecrement takes one disruption from the budget with a compare-and-swap on its status, refreshing and retrying on conflicts. */
async function checkAndDecrement(ctx: HandlerContext, pdbServed: ServedResource, first: PdbObject, podName: string, dryRun: boolean): Promise<void> {
  const ns = first.metadata?.namespace ?? '';
  const pdbName = first.metadata?.name ?? '';
  let pdb = first;
  for (let attempt = 0; ; attempt++) {
    const s = pdb.status;
    if ((s?.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(pdbName);
    const allowed = s?.disruptionsAllowed ?? 0;
    if (allowed < 0) throw forbidden(pdbName, 'pdb disruptions allowed is negative');
    if (Object.keys(s?.disruptedPods ?? {}).length > maxDisruptedPods) throw forbidden(pdbName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    if (allowed === 0) throw tooManyRequests(`The disruption budget ${pdbName} needs ${s?.desiredHealthy ?? 0} healthy pods and has ${s?.currentHealthy ?? 0} currently`, 0);
    if (dryRun) return;
    const rv = pdb.metadata?.resourceVersion;
    try {
      await pdbServed.store.update(ns, pdbName, (current) => {
        if (!current || current.metadata?.resourceVersion !== rv) throw conflict({ group: 'policy', resource: 'poddisruptionbudgets' }, pdbName, staleObjectMessage);
        const next = current as PdbObject;
        const status = { ...structuredClone(next.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 }) };
        status.disruptionsAllowed = allowed - 1;
        if (status.disruptionsAllowed === 0) setDisruptionAllowedCondition(status, ctx.clock.now());
        // The PDB controller will not count this pod while it is being deleted, nor for two minutes after.
        status.disruptedPods = { ...status.disruptedPods, [podName]: formatTime(ctx.clock.now()) };
        return { ...next, status };
      }, { subresource: 'status' });
      return;
    } catch (err) {
      if (!isApiError(err, 'Conflict') || attempt >= conflictRetries) {
        if (isApiError(err, 'Conflict')) throw new ApiError('Timeout', `couldn't update PodDisruptionBudget "${pdbName}" due to conflicts`, { retryAfterSeconds: 10 });
        throw err;
      }
      pdb = (await pdbServed.store.get(ns, pdbName)) as PdbObject;
    }
  }
}

/**
 * deleteWithCondition marks the pod DisruptionTarget (EvictionByEvictionAPI) and deletes it with the
 * eviction's options; the condition write honours the preconditions, and the delete then expects the
 * version that write made.
 */
async function deleteWithCondition(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, opts: DeleteOptions): Promise<void> {
  let delOpts = opts;
  if (!opts.dryRun) {
    const { object } = await served.store.update(namespace, name, (current) => {
      if (!current) throw badRequest('not found');
      const pre = opts.preconditions;
      const meta = metaOf(current);
      if (pre?.uid && pre.uid !== meta.uid) throw conflict({ group: '', resource: 'pods' }, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`);
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict({ group: '', resource: 'pods' }, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`);
      }
      const pod = current as Pod;
      const status = (pod.status ??= {});
      const conditions = (status.conditions ??= []);
      const existing = conditions.find((c) => c.type === 'DisruptionTarget');
      const next = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
      if (existing) {
        if (existing.status !== 'True') existing.lastTransitionTime = formatTime(ctx.clock.now());
        Object.assign(existing, next);
      } else {
        conditions.push({ ...next, lastTransitionTime: formatTime(ctx.clock.now()) });
      }
      return pod;
    }, { subresource: 'status' });
    if (opts.preconditions?.resourceVersion) delOpts = withResourceVersion(opts, object.metadata?.resourceVersion);
  }
  await served.store.delete(namespace, name, delOpts);
}

function success(): Response {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  return new Response(JSON.stringify(status), { status: 201, headers: { 'content-type': 'application/json' } });
}
