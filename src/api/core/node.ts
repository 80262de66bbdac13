import type { Node, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, indexPath, invalidValue } from '../validation/field.ts';
import { validateLabelName } from '../validation/label-selector.ts';
import { isValidLabelValue } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { isDualStack, validateCIDR } from '../validation/network.ts';
import { canonicalizeResourceList, quantityAt, validateResourceQuantityValue, type ResourceList } from './resources.ts';
import { validateTaintEffect } from './scheduling-validation.ts';

// Node defaulting and validation (SetDefaults_NodeStatus, ValidateNode, ValidateNodeUpdate).

/** defaultNode canonicalizes capacity and allocatable, and copies capacity into a missing allocatable. */
export function defaultNode(node: Node): void {
  const status = (node as { status?: NodeStatus }).status;
  if (!status) return;
  canonicalizeResourceList(status.capacity as ResourceList | undefined);
  canonicalizeResourceList(status.allocatable as ResourceList | undefined);
  if (!status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
}

/** validateNodeTaints checks taint keys, values and effects, and that each key/effect pair is unique. */
export function validateNodeTaints(taints: readonly Taint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const idx = indexPath(path, i);
    errs.push(...validateLabelName(t.key ?? '', `${idx}.key`));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length > 0) errs.push(invalidValue(`${idx}.value`, t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${idx}.effect`));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) errs.push({ ...duplicate(idx, t), detail: 'taints must be unique by key and effect pair' });
    else seen.add(key);
  });
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [k, v] of Object.entries((node.status?.[field] ?? {}) as ResourceList)) {
      // Upstream builds these paths with dots: status.capacity.cpu.
      const path = `status.${field}.${k}`;
      const q = quantityAt(v, path, errs);
      if (q) errs.push(...validateResourceQuantityValue(k, q, path));
    }
  }
  return errs;
}

/** validateNode is upstream's ValidateNode. */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameValidator: nameIsDNSSubdomain });
  // Upstream reports spec.taints under metadata (sic): metadata.taints[0].key.
  errs.push(...validateNodeTaints(node.spec?.taints, 'metadata.taints'));
  errs.push(...validateNodeResources(node));
  const cidrs = node.spec?.podCIDRs ?? [];
  cidrs.forEach((c, i) => errs.push(...validateCIDR(`spec.podCIDRs[${i}]`, c)));
  if (cidrs.length > 1) {
    const ips = cidrs.map((c) => c.split('/')[0] ?? '');
    if (!isDualStack(ips) || cidrs.length > 2) errs.push(invalidValue('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(`spec.podCIDRs[${i}]`, c));
      seen.add(c);
    });
  }
  return errs;
}

/** validateNodeUpdate: pod CIDRs and provider ID are fixed once set; addresses are unique. */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const key = `${a.type}\u0000${a.address}`;
    if (seen.has(key)) errs.push(duplicate(`status.addresses[${i}]`, a));
    seen.add(key);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i]))) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateNodeTaints(node.spec?.taints, 'metadata.taints'));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
