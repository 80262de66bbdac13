import type { PersistentVolumeClaim, Pod, ResourceQuota, ScopedResourceSelectorRequirement, Service } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../object.ts';
import { podLimitUsage, podRequestUsage } from '../core/pod-resources.ts';
import { podQosClass } from '../core/qos.ts';
import { isExtendedResourceName, isNativeResource } from '../core/resources.ts';
import { newQuantity, parseQuantity } from '../validation/quantity.ts';
import { addUsage, one, parseUsage, zero, type Usage } from './resource-list.ts';

// What quota counts for each kind of object (upstream's pkg/quota/v1/evaluator/core and the generic object-count
// evaluator): which quota resource names an object can consume, how much one object consumes, and which quota
// scopes it falls under. The admission plugin charges one object; the resource quota controller adds them all up.

/** QuotaOperation is an admission operation as evaluators see it. */
export type QuotaOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** QuotaEvaluator measures one resource's objects for quota. */
export interface QuotaEvaluator {
  readonly group: string;
  readonly resource: string;
  /** handles tells whether an operation can change what the object consumes. */
  handles(op: QuotaOperation, subresource: string): boolean;
  /** matchingResources returns the quota resource names (of the given ones) this evaluator measures. */
  matchingResources(names: readonly string[]): string[];
  /** matchesScope tells whether an object falls under a quota scope (false for kinds without scopes). */
  matchesScope(sel: ScopedResourceSelectorRequirement, obj: ApiObject): boolean;
  /** constraints returns why an object may not be charged to a quota tracking `required`, or undefined. */
  constraints(required: readonly string[], obj: ApiObject): string | undefined;
  /** usage is what one object consumes at time `now` (ms). */
  usage(obj: ApiObject, now: number): Usage;
}

/** objectCountName is the "count/<resource>[.<group>]" quota name of a resource. */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** parseObjectCountName splits "count/deployments.apps" into group and resource (undefined when not a count name). */
export function parseObjectCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** scopeSelectorsOf lists a quota's scopes (as Exists requirements) followed by its scopeSelector expressions. */
export function scopeSelectorsOf(rq: ResourceQuota): ScopedResourceSelectorRequirement[] {
  const out: ScopedResourceSelectorRequirement[] = (rq.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' }));
  return [...out, ...(rq.spec?.scopeSelector?.matchExpressions ?? [])];
}

/** quotaMatches tells whether a quota with hard limits `hard` tracks an object: it limits one of its resources and all its scopes match. */
export function quotaMatches(rq: ResourceQuota, hard: readonly string[], ev: QuotaEvaluator, obj: ApiObject): boolean {
  if (ev.matchingResources(hard).length === 0) return false;
  return scopeSelectorsOf(rq).every((s) => ev.matchesScope(s, obj));
}

const intersect = (names: readonly string[], known: ReadonlySet<string>): string[] => names.filter((n) => known.has(n));

/** objectCountEvaluator counts objects of any resource, by "count/..." and an optional legacy alias ("secrets"). */
export function objectCountEvaluator(group: string, resource: string, alias?: string): QuotaEvaluator {
  const names = new Set([objectCountName(group, resource), ...(alias ? [alias] : [])]);
  return {
    group,
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (input) => intersect(input, names),
    matchesScope: () => false,
    constraints: () => undefined,
    usage: () => new Map([...names].map((n) => [n, one()])),
  };
}

// NOTE (upstream's words, kept as a rule): quota on cpu or memory requires every container to state them.
const podValidationSet = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
const podResources = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);

function isExtendedQuotaName(name: string): boolean {
  return !isNativeResource(name) && name.startsWith('requests.');
}

/** podComputeUsage maps a container's (or pod's) requests and limits to quota names. */
function podComputeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map([['pods', one()]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) {
      out.set(r, q);
      out.set(`requests.${r}`, q);
    }
    if (isExtendedResourceName(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

/** podCountsForQuota is upstream's QuotaV1Pod: terminal pods, and pods stuck past their deletion grace period, consume no compute. */
export function podCountsForQuota(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const m = pod.metadata;
  if (m?.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds !== null) {
    if (now > Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

function usesCrossNamespaceAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  const cross = (t: { namespaces?: string[]; namespaceSelector?: unknown }): boolean => (t.namespaces ?? []).length > 0 || (t.namespaceSelector !== undefined && t.namespaceSelector !== null);
  for (const terms of [a?.podAffinity, a?.podAntiAffinity]) {
    if ((terms?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(cross)) return true;
    if ((terms?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) => cross(w.podAffinityTerm))) return true;
  }
  return false;
}

/** matchesPriorityClass evaluates a PriorityClass scope selector against the pod's class, as a label selector on {PriorityClass: name}. */
function matchesPriorityClass(pod: Pod, sel: ScopedResourceSelectorRequirement): boolean {
  const name = pod.spec?.priorityClassName ?? '';
  switch (sel.operator) {
    case 'Exists':
      return name !== '';
    case 'DoesNotExist':
      return name === '';
    case 'In':
      return name !== '' && (sel.values ?? []).includes(name);
    case 'NotIn':
      return name === '' || !(sel.values ?? []).includes(name);
    default:
      return false;
  }
}

/** podEvaluator measures pods: count, compute requests and limits, hugepages and extended resources; it knows the pod scopes. */
export const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  handles: (op, subresource) => op === 'CREATE' && subresource === '',
  matchingResources: (input) => input.filter((n) => podResources.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedQuotaName(n)),
  matchesScope(sel, obj) {
    const pod = obj as Pod;
    switch (sel.scopeName) {
      case 'Terminating':
        return (pod.spec?.activeDeadlineSeconds ?? -1) >= 0;
      case 'NotTerminating':
        return !((pod.spec?.activeDeadlineSeconds ?? -1) >= 0);
      case 'BestEffort':
        return podQosClass(pod) === 'BestEffort';
      case 'NotBestEffort':
        return podQosClass(pod) !== 'BestEffort';
      case 'PriorityClass':
        return matchesPriorityClass(pod, sel);
      case 'CrossNamespacePodAffinity':
        return usesCrossNamespaceAffinity(pod);
      default:
        return false;
    }
  },
  constraints(required, obj) {
    const pod = obj as Pod;
    const needed = required.filter((r) => podValidationSet.has(r));
    const missing = new Map<string, Set<string>>();
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      const has = podComputeUsage(parseUsage(c.resources?.requests), parseUsage(c.resources?.limits));
      for (const r of needed) if (!has.has(r)) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
  usage(obj, now) {
    const pod = obj as Pod;
    const count: Usage = new Map([['count/pods', one()]]);
    if (!podCountsForQuota(pod, now)) return count;
    return addUsage(count, podComputeUsage(podRequestUsage(pod, { overhead: true }), podLimitUsage(pod, { overhead: true })));
  },
};

const serviceResources = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

/** serviceEvaluator measures services: count, load balancers and node ports (a type change can change them). */
export const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) => intersect(input, serviceResources),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(obj) {
    const svc = obj as Service;
    const ports = svc.spec?.ports ?? [];
    const out: Usage = new Map([['count/services', one()], ['services', one()], ['services.loadbalancers', zero()], ['services.nodeports', zero()]]);
    if (svc.spec?.type === 'NodePort') out.set('services.nodeports', newQuantity(ports.length));
    if (svc.spec?.type === 'LoadBalancer') {
      // Without node ports allocated, only ports that name one explicitly use one.
      const n = svc.spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
      out.set('services.nodeports', newQuantity(n));
      out.set('services.loadbalancers', one());
    }
    return out;
  },
};

const storageClassSuffix = '.storageclass.storage.k8s.io/';
const pvcResources = ['persistentvolumeclaims', 'requests.storage'];

function storageClassOf(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** pvcEvaluator measures claims: count and requested storage, overall and per storage class. */
export const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) => input.filter((n) => n === 'count/persistentvolumeclaims' || pvcResources.includes(n) || pvcResources.some((r) => n.endsWith(`${storageClassSuffix}${r}`))),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(obj) {
    const pvc = obj as PersistentVolumeClaim;
    const cls = storageClassOf(pvc);
    const out: Usage = new Map([['count/persistentvolumeclaims', one()], ['persistentvolumeclaims', one()]]);
    if (cls) out.set(`${cls}${storageClassSuffix}persistentvolumeclaims`, one());
    const raw = pvc.spec?.resources?.requests?.['storage'];
    const parsed = raw === undefined ? undefined : parseQuantity(raw);
    if (parsed?.ok) {
      out.set('requests.storage', parsed.quantity);
      if (cls) out.set(`${cls}${storageClassSuffix}requests.storage`, parsed.quantity);
    }
    return out;
  },
};

// Kinds quota never tracks (upstream's DefaultIgnoredResources).
const ignored = new Set(['/events', 'events.k8s.io/events']);

const builtin: QuotaEvaluator[] = [
  podEvaluator,
  serviceEvaluator,
  pvcEvaluator,
  objectCountEvaluator('', 'configmaps', 'configmaps'),
  objectCountEvaluator('', 'secrets', 'secrets'),
  objectCountEvaluator('', 'resourcequotas', 'resourcequotas'),
  objectCountEvaluator('', 'replicationcontrollers', 'replicationcontrollers'),
];

/** builtinEvaluators are the evaluators with their own rules (the rest count objects). */
export function builtinEvaluators(): readonly QuotaEvaluator[] {
  return builtin;
}

/** evaluatorFor returns the evaluator of a resource (an object counter unless it has its own), or undefined for ignored kinds. */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator | undefined {
  if (ignored.has(`${group}/${resource}`)) return undefined;
  return builtin.find((e) => e.group === group && e.resource === resource) ?? objectCountEvaluator(group, resource);
}
