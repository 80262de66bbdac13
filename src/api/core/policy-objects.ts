import type { Event, LimitRange, ResourceQuota, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, invalidEach, invalidValue, keyPath, required } from '../validation/field.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from '../validation/meta.ts';
import { compareQuantity, formatQuantity, type Quantity } from '../validation/quantity.ts';
import { canonicalizeResourceList, quantityAt, validateContainerResourceName, validateResourceName, validateResourceQuantityValue, type ResourceList } from './resources.ts';

// LimitRange, ResourceQuota and (core/v1) Event: defaulting and the main validation rules.

/** defaultLimitRange canonicalizes quantities and, for Container limits, derives default and defaultRequest. */
export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) canonicalizeResourceList(item[f] as ResourceList | undefined);
    if (item.type !== 'Container') continue;
    const def = (item.default ??= {});
    const defReq = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) if (!Object.hasOwn(def, k)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!Object.hasOwn(defReq, k)) defReq[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!Object.hasOwn(defReq, k)) defReq[k] = v;
  }
}

const limitTypes = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

/** validateLimitRange is upstream's ValidateLimitRange for names, types and the min <= default <= max ordering. */
export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const idx = `spec.limits[${i}]`;
    const typeErrs = invalidEach(`${idx}.type`, item.type, isQualifiedName(item.type ?? ''));
    if (typeErrs.length === 0 && !item.type.includes('/') && !limitTypes.has(item.type)) typeErrs.push(invalidValue(`${idx}.type`, item.type, 'must be a standard limit type or fully qualified'));
    errs.push(...typeErrs);
    if (types.has(item.type)) errs.push(duplicate(`${idx}.type`, item.type));
    types.add(item.type);
    const parsed: Record<string, Map<string, Quantity>> = {};
    const fields = item.type === 'Pod' ? (['max', 'min', 'maxLimitRequestRatio'] as const) : (['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const);
    if (item.type === 'Pod') {
      if (Object.keys(item.default ?? {}).length > 0) errs.push(forbidden(`${idx}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length > 0) errs.push(forbidden(`${idx}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    for (const f of fields) {
      const m = new Map<string, Quantity>();
      for (const [k, v] of Object.entries((item[f] ?? {}) as ResourceList)) {
        const p = keyPath(`${idx}.${f}`, k);
        errs.push(...(item.type === 'Pod' || item.type === 'Container' ? validateContainerResourceName(k, p) : validateResourceName(k, p)));
        const q = quantityAt(v, p, errs);
        if (q) m.set(k, q);
      }
      parsed[f] = m;
    }
    if (item.type === 'PersistentVolumeClaim' && !item.min?.storage && !item.max?.storage) {
      errs.push(required(`${idx}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const keys = new Set(Object.values(parsed).flatMap((m) => [...m.keys()]));
    for (const k of keys) {
      const [min, max, def, defReq, ratio] = (['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const).map((f) => parsed[f]?.get(k));
      const s = (q: Quantity): string => formatQuantity(q);
      if (min && max && compareQuantity(min, max) > 0) errs.push(invalidValue(keyPath(`${idx}.min`, k), s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (defReq && min && compareQuantity(min, defReq) > 0) errs.push(invalidValue(keyPath(`${idx}.defaultRequest`, k), s(defReq), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      if (defReq && max && compareQuantity(defReq, max) > 0) errs.push(invalidValue(keyPath(`${idx}.defaultRequest`, k), s(defReq), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      if (defReq && def && compareQuantity(defReq, def) > 0) errs.push(invalidValue(keyPath(`${idx}.defaultRequest`, k), s(defReq), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      if (def && min && compareQuantity(min, def) > 0) errs.push(invalidValue(keyPath(`${idx}.default`, k), s(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      if (def && max && compareQuantity(def, max) > 0) errs.push(invalidValue(keyPath(`${idx}.default`, k), s(max), `default value ${s(def)} is greater than max value ${s(max)}`));
      if (ratio && ratio.nanos < 1_000_000_000n) errs.push(invalidValue(keyPath(`${idx}.maxLimitRequestRatio`, k), s(ratio), `ratio ${s(ratio)} is less than 1`));
    }
  });
  return errs;
}

const quotaResources = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage']);

function validateQuotaList(list: ResourceList | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const p = keyPath(path, k);
    const nameErrs = validateResourceName(k, p);
    if (!k.includes('/') && !quotaResources.has(k) && !k.startsWith('requests.hugepages-') && !k.startsWith('count/')) nameErrs.push(invalidValue(p, k, 'must be a standard resource for quota'));
    errs.push(...nameErrs);
    const q = quantityAt(v, p, errs);
    if (q) errs.push(...validateResourceQuantityValue(k, q, p));
  }
  return errs;
}

/** defaultResourceQuota canonicalizes the hard limits and status quantities. */
export function defaultResourceQuota(rq: ResourceQuota): void {
  canonicalizeResourceList(rq.spec?.hard as ResourceList | undefined);
  const status = (rq as { status?: ResourceQuotaStatus }).status;
  canonicalizeResourceList(status?.hard as ResourceList | undefined);
  canonicalizeResourceList(status?.used as ResourceList | undefined);
}

/** validateResourceQuota is upstream's ValidateResourceQuota for resource names and quantities. */
export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  return [
    ...validateObjectMeta(rq.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }),
    ...validateQuotaList(rq.spec?.hard as ResourceList | undefined, 'spec.hard'),
    ...validateQuotaList(rq.status?.hard as ResourceList | undefined, 'status.hard'),
    ...validateQuotaList(rq.status?.used as ResourceList | undefined, 'status.used'),
  ];
}

/** validateResourceQuotaUpdate: scopes are fixed after creation. */
export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = [...validateObjectMetaUpdate(rq.metadata, old.metadata), ...validateQuotaList(rq.spec?.hard as ResourceList | undefined, 'spec.hard')];
  const a = new Set(rq.spec?.scopes ?? []);
  const b = new Set(old.spec?.scopes ?? []);
  if (a.size !== b.size || [...a].some((s) => !b.has(s))) errs.push(invalidValue('spec.scopes', rq.spec?.scopes ?? [], 'field is immutable'));
  return errs;
}

/** validateEvent is upstream's legacy (core/v1) event validation: namespaces agree; new-style events name their reporter. */
export function validateEvent(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  if (!ev.eventTime) {
    if (involvedNs ? involvedNs !== ns : ns !== '' && ns !== 'default') errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    if (!ev.reportingComponent) errs.push(required('source'));
    errs.push(...validateQualifiedName(ev.reportingComponent ?? '', 'source'));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    if ((ev.reportingInstance ?? '').length > 128) errs.push(invalidValue('reportingInstance', '', 'can have at most 128 characters'));
    if (!ev.action) errs.push(required('action'));
    if ((ev.action ?? '').length > 128) errs.push(invalidValue('action', '', 'can have at most 128 characters'));
    if (!ev.reason) errs.push(required('reason'));
    if ((ev.reason ?? '').length > 128) errs.push(invalidValue('reason', '', 'can have at most 128 characters'));
    if ((ev.message ?? '').length > 1024) errs.push(invalidValue('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return errs;
}

/** validateEventUpdate re-validates the event after the metadata update rules. */
export function validateEventUpdate(ev: Event, old: Event): FieldError[] {
  return [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...validateEvent(ev)];
}
