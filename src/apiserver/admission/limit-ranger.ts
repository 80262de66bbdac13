import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { podLimitUsage, podRequestUsage } from '../../api/core/pod-resources.ts';
import { parseUsage, type Usage } from '../../api/quota/resource-list.ts';
import { formatQuantity, scaledValue, type Quantity } from '../../api/validation/quantity.ts';
import { admissionForbidden, isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

/** limitRangerAnnotation records which defaults LimitRanger filled in. */
export const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

const limitRanges = { group: '', resource: 'limitranges' };

/** sortedEntries walks a ResourceList in name order (upstream walks a Go map; a fixed order keeps messages stable). */
function sortedEntries(list: Record<string, string | number> | undefined): [string, Quantity][] {
  const parsed = parseUsage(list);
  return [...parsed.keys()].sort().map((k) => [k, parsed.get(k) as Quantity]);
}

// Upstream compares at milli precision, rounding each value up.
const milli = (q: Quantity | undefined): bigint => (q ? scaledValue(q, -3) : 0n);

function minConstraint(type: string, name: string, enforced: Quantity, request: Usage, limit: Usage): string | undefined {
  const req = request.get(name);
  const lim = limit.get(name);
  const min = formatQuantity(enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${min}.  No request is specified`;
  if (milli(req) < milli(enforced)) return `minimum ${name} usage per ${type} is ${min}, but request is ${formatQuantity(req)}`;
  if (lim && milli(lim) < milli(enforced)) return `minimum ${name} usage per ${type} is ${min}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, request: Usage, limit: Usage): string | undefined {
  const req = request.get(name);
  const lim = limit.get(name);
  const max = formatQuantity(enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${max}.  No limit is specified`;
  if (milli(lim) > milli(enforced)) return `maximum ${name} usage per ${type} is ${max}, but limit is ${formatQuantity(lim)}`;
  if (req && milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${max}, but request is ${formatQuantity(req)}`;
  return undefined;
}

/** maxRequestConstraint checks only the request, for kinds without limits (claims). */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, request: Usage): string | undefined {
  const req = request.get(name);
  const max = formatQuantity(enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${max}.  No request is specified`;
  if (milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${max}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, request: Usage, limit: Usage): string | undefined {
  const req = milli(request.get(name));
  const lim = milli(limit.get(name));
  const max = formatQuantity(enforced);
  if (req === 0n) return `${name} max limit to request ratio per ${type} is ${max}, but no request is specified or request is 0`;
  if (lim === 0n) return `${name} max limit to request ratio per ${type} is ${max}, but no limit is specified or limit is 0`;
  const ratio = Number(lim) / Number(req);
  if (ratio * 1000 > Number(milli(enforced))) return `${name} max limit to request ratio per ${type} is ${max}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** checkItem applies one LimitRangeItem's min, max and ratio to a request/limit pair. */
function checkItem(item: LimitRangeItem, request: Usage, limit: Usage, errs: string[]): void {
  const add = (e: string | undefined): void => {
    if (e) errs.push(e);
  };
  for (const [k, v] of sortedEntries(item.min)) add(minConstraint(item.type, k, v, request, limit));
  for (const [k, v] of sortedEntries(item.max)) add(maxConstraint(item.type, k, v, request, limit));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) add(ratioConstraint(item.type, k, v, request, limit));
}

/** mergeContainerDefaults fills a container's missing requests and limits from the range's Container defaults. */
function mergeContainerDefaults(c: Container, requests: Record<string, string>, limits: Record<string, string>, what: string, notes: string[]): void {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  const lim = { ...(res.limits ?? {}) };
  const req = { ...(res.requests ?? {}) };
  for (const [k, v] of Object.entries(limits)) {
    if (lim[k] === undefined) {
      lim[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(requests)) {
    if (req[k] === undefined) {
      req[k] = v;
      setRequests.push(k);
    }
  }
  if (Object.keys(lim).length > 0) res.limits = lim;
  if (Object.keys(req).length > 0) res.requests = req;
  if (setRequests.length > 0) notes.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name}`);
  if (setLimits.length > 0) notes.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name}`);
}

/** applyLimitRangeDefaults sets a pod's missing container requests and limits from one LimitRange and notes it in the annotation. */
export function applyLimitRangeDefaults(lr: LimitRange, pod: Pod): void {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    for (const [k, v] of Object.entries(item.defaultRequest ?? {})) requests[k] = String(v);
    for (const [k, v] of Object.entries(item.default ?? {})) limits[k] = String(v);
  }
  const notes: string[] = [];
  for (const c of pod.spec?.containers ?? []) mergeContainerDefaults(c, requests, limits, 'container', notes);
  for (const c of pod.spec?.initContainers ?? []) mergeContainerDefaults(c, requests, limits, 'init container', notes);
  if (notes.length === 0) return;
  const meta = (pod.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

/** podLimitRangeErrors checks a pod against one LimitRange's Container and Pod items. */
export function podLimitRangeErrors(lr: LimitRange, pod: Pod): string[] {
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        checkItem(item, parseUsage(c.resources?.requests), parseUsage(c.resources?.limits), errs);
      }
    } else if (item.type === 'Pod') {
      checkItem(item, podRequestUsage(pod), podLimitUsage(pod), errs);
    }
  }
  return errs;
}

/** pvcLimitRangeErrors checks a claim's storage request against one LimitRange's PersistentVolumeClaim items. */
export function pvcLimitRangeErrors(lr: LimitRange, pvc: PersistentVolumeClaim): string[] {
  const errs: string[] = [];
  const request = parseUsage(pvc.spec?.resources?.requests);
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of sortedEntries(item.min)) {
      const e = minConstraint(item.type, k, v, request, new Map());
      if (e) errs.push(e);
    }
    for (const [k, v] of sortedEntries(item.max)) {
      const e = maxRequestConstraint(item.type, k, v, request);
      if (e) errs.push(e);
    }
  }
  return errs;
}

/** aggregateMessage prints several errors as upstream's utilerrors aggregate does. */
function aggregateMessage(errs: string[]): string {
  return errs.length === 1 ? (errs[0] as string) : `[${errs.join(', ')}]`;
}

/**
 * LimitRanger applies the namespace's LimitRanges (upstream plugin/pkg/admission/limitranger): it fills in default
 * container requests and limits of new pods, then refuses pods and claims outside the ranges' min, max and
 * limit/request ratio with 403 Forbidden.
 */
export class LimitRanger implements AdmissionPlugin {
  readonly name = 'LimitRanger';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  /** #applies says which writes the ranges govern: new pods (containers are immutable afterwards), new and resized claims. */
  #applies(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
    if (a.subresource !== '' || !a.object) return undefined;
    // Objects already being deleted are left alone.
    if (a.oldObject?.metadata?.deletionTimestamp) return undefined;
    if (isResource(a, '', 'pods') && a.operation === 'CREATE') return 'pod';
    if (isResource(a, '', 'persistentvolumeclaims') && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return 'pvc';
    return undefined;
  }

  #ranges(a: AdmissionAttributes): LimitRange[] {
    return this.#objects.list(limitRanges, a.namespace) as LimitRange[];
  }

  admit(a: AdmissionAttributes): void {
    if (this.#applies(a) !== 'pod') return;
    for (const lr of this.#ranges(a)) applyLimitRangeDefaults(lr, a.object as Pod);
  }

  validate(a: AdmissionAttributes): void {
    const kind = this.#applies(a);
    if (!kind) return;
    for (const lr of this.#ranges(a)) {
      const errs = kind === 'pod' ? podLimitRangeErrors(lr, a.object as Pod) : pvcLimitRangeErrors(lr, a.object as PersistentVolumeClaim);
      if (errs.length > 0) throw admissionForbidden(a, aggregateMessage(errs));
    }
  }
}
