import type { ResourceQuota, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { builtinEvaluators, objectCountEvaluator, parseObjectCountName, scopeSelectorsOf, type QuotaEvaluator } from '../../api/quota/evaluators.ts';
import { addUsage, formatUsage, maskUsage, parseUsage, zero, type Usage } from '../../api/quota/resource-list.ts';

// What a quota's status should say, from the objects in its namespace (upstream's quota.CalculateUsage and the
// resource quota controller's syncResourceQuota).

/** evaluatorsFor lists the evaluators that measure some of a quota's hard resources: the built-in ones, plus an object counter per other "count/..." name. */
export function evaluatorsFor(hard: readonly string[]): QuotaEvaluator[] {
  const out = builtinEvaluators().filter((ev) => ev.matchingResources(hard).length > 0);
  for (const name of hard) {
    const gr = parseObjectCountName(name);
    if (!gr || out.some((ev) => ev.matchingResources([name]).length > 0)) continue;
    out.push(objectCountEvaluator(gr.group, gr.resource));
  }
  return out;
}

/** ObjectLister returns the objects of an evaluator's resource in a namespace. */
export type ObjectLister = (ev: QuotaEvaluator, namespace: string) => readonly ApiObject[];

/**
 * quotaStatus computes status.hard (spec.hard) and status.used: for every tracked resource, the sum over the
 * namespace's objects that fall under the quota's scopes. Usage of names no evaluator measures is kept as it was.
 */
export function quotaStatus(rq: ResourceQuota, list: ObjectLister, now: number): ResourceQuotaStatus {
  const hardRaw = rq.spec?.hard ?? {};
  const hard = Object.keys(hardRaw);
  const namespace = rq.metadata?.namespace ?? '';
  const scopes = scopeSelectorsOf(rq);
  let used: Usage = parseUsage(rq.status?.used);
  for (const ev of evaluatorsFor(hard)) {
    let measured: Usage = new Map(ev.matchingResources(hard).map((n) => [n, zero()]));
    for (const obj of list(ev, namespace)) {
      if (scopes.every((s) => ev.matchesScope(s, obj))) measured = addUsage(measured, ev.usage(obj, now));
    }
    for (const [k, v] of maskUsage(measured, ev.matchingResources(hard))) used.set(k, v);
  }
  used = maskUsage(used, hard);
  return { hard: { ...hardRaw }, used: formatUsage(used) };
}
