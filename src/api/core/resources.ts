import type { ResourceRequirements } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, keyPath, notFound, required } from '../validation/field.ts';
import { isQualifiedName } from '../validation/names.ts';
import { compareQuantity, formatQuantity, parseQuantity, roundUpToMilli, scaledValue, type Quantity } from '../validation/quantity.ts';

// Resource names and quantities (pkg/apis/core/helper and the resource parts of core validation), and the
// ResourceList defaulting that rounds every value up to a milli-unit and prints it canonically.

/** ResourceList is a map of resource name to quantity, as it arrives in JSON (strings, sometimes numbers). */
export type ResourceList = Record<string, string | number>;

/** canonicalizeResourceList rounds each parsable quantity up to milli precision and reprints it canonically (SetDefaults_ResourceList). */
export function canonicalizeResourceList(list: ResourceList | undefined): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) {
    const r = parseQuantity(v);
    if (r.ok) list[k] = formatQuantity(roundUpToMilli(r.quantity));
  }
}

/** canonicalizeQuantityField reprints one quantity-valued field canonically (no rounding), leaving bad values for validation. */
export function canonicalizeQuantityField<K extends string>(holder: Partial<Record<K, string | number>> | undefined, key: K): void {
  const v = holder?.[key];
  if (holder === undefined || v === undefined) return;
  const r = parseQuantity(v);
  if (r.ok) holder[key] = formatQuantity(r.quantity);
}

/** quantityAt parses a quantity for validation, reporting upstream's decode error at the field when it does not parse. */
export function quantityAt(raw: string | number | undefined, path: string, errs: FieldError[]): Quantity | undefined {
  if (raw === undefined) return undefined;
  const r = parseQuantity(raw);
  if (!r.ok) {
    errs.push(invalidValue(path, raw, r.error));
    return undefined;
  }
  return r.quantity;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const standardQuotaResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'storage',
  'requests.storage', 'services.nodeports', 'services.loadbalancers', 'count/',
]);
const integerResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

/** isHugePageResourceName tells whether a name is hugepages-<size>. */
export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** isNativeResource tells whether a name is unprefixed or in the kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** isExtendedResourceName tells whether a name is a fully-qualified, non-native resource ("example.com/gpu"). */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** isOvercommitAllowed tells whether requests may be below limits for a resource. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

/** isStandardResourceName tells whether an unprefixed name is one Kubernetes knows. */
export function isStandardResourceName(name: string): boolean {
  const base = name.replace(/^(requests|limits)\./, '');
  return standardContainerResources.has(base) || isHugePageResourceName(base) || standardQuotaResources.has(name);
}

function isIntegerResourceName(name: string): boolean {
  return integerResources.has(name) || isExtendedResourceName(name);
}

/** validateResourceName is upstream's validateResourceName: qualified, and standard when unprefixed. */
export function validateResourceName(name: string, path: string): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) errs.push(invalidValue(path, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

/** validateContainerResourceName is upstream's validateContainerResourceName. */
export function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePageResourceName(name)) errs.push(invalidValue(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalidValue(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** validateResourceQuantityValue is upstream's ValidateResourceQuantityValue: non-negative, whole for countable resources. */
export function validateResourceQuantityValue(name: string, q: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.nanos < 0n) errs.push(invalidValue(path, formatQuantity(q), 'must be greater than or equal to 0'));
  if (isIntegerResourceName(name) && scaledValue(q, -3) % 1000n !== 0n) errs.push(invalidValue(path, formatQuantity(q), 'must be an integer'));
  return errs;
}

/** validateResourceRequirements is upstream's ValidateContainerResourceRequirements (requests within limits, names, hugepages). */
export function validateResourceRequirements(req: ResourceRequirements | undefined, path: string, claimNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = childPath(path, 'limits');
  const reqPath = childPath(path, 'requests');
  const limits = (req?.limits ?? {}) as ResourceList;
  const requests = (req?.requests ?? {}) as ResourceList;
  const parsedLimits = new Map<string, Quantity>();
  let limCpuMem = false;
  let reqCpuMem = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(limits)) {
    const fp = keyPath(limPath, name);
    errs.push(...validateContainerResourceName(name, fp));
    const q = quantityAt(raw, fp, errs);
    if (!q) continue;
    parsedLimits.set(name, q);
    errs.push(...validateResourceQuantityValue(name, q, fp));
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, raw] of Object.entries(requests)) {
    const fp = keyPath(reqPath, name);
    errs.push(...validateContainerResourceName(name, fp));
    const q = quantityAt(raw, fp, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, fp));
    const limit = parsedLimits.get(name);
    if (limit) {
      const cmp = compareQuantity(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalidValue(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalidValue(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name) && !Object.hasOwn(limits, name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && hugePages) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  (req?.claims ?? []).forEach((claim, i) => {
    const cp = indexPath(childPath(path, 'claims'), i);
    if (!claim.name) {
      errs.push(required(cp));
      return;
    }
    if (seen.has(claim.name)) errs.push(duplicate(cp, claim.name));
    seen.add(claim.name);
    if (!claimNames.has(claim.name)) errs.push(notFound(cp, claim.name));
  });
  return errs;
}
