import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { isValidPortName, isValidPortNum } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { cidrContains, parseCIDR, validateCIDR } from '../validation/network.ts';

// NetworkPolicy defaulting (SetDefaults_NetworkPolicy, _NetworkPolicyPort) and validation (ValidateNetworkPolicy).

/** defaultNetworkPolicy sets port protocols to TCP and policyTypes to Ingress (plus Egress when egress rules exist). */
export function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = (np.spec ??= { podSelector: {} });
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
  if ((spec.policyTypes ?? []).length === 0) spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function validatePort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) errs.push(notSupported(childPath(path, 'protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  if (port.port === undefined) {
    if (port.endPort !== undefined) errs.push(invalidValue(childPath(path, 'endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    errs.push(...invalidEach(childPath(path, 'port'), port.port, isValidPortNum(port.port)));
    if (port.endPort !== undefined) {
      if (port.endPort < port.port) errs.push(invalidValue(childPath(path, 'endPort'), port.port, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(childPath(path, 'endPort'), port.endPort, isValidPortNum(port.endPort)));
    }
  } else {
    if (port.endPort !== undefined) errs.push(invalidValue(childPath(path, 'endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(childPath(path, 'port'), port.port, isValidPortName(port.port)));
  }
  return errs;
}

function validateIPBlock(block: IPBlock, path: string): FieldError[] {
  if (!block.cidr) return [required(childPath(path, 'cidr'))];
  const errs = validateCIDR(childPath(path, 'cidr'), block.cidr);
  const cidr = parseCIDR(block.cidr);
  if (!cidr) return errs;
  (block.except ?? []).forEach((ex, i) => {
    const ep = indexPath(childPath(path, 'except'), i);
    const e = validateCIDR(ep, ex);
    errs.push(...e);
    const parsed = parseCIDR(ex);
    if (!parsed) return;
    if (!cidrContains(cidr, parsed.ip) || cidr.prefix >= parsed.prefix) errs.push(invalidValue(ep, ex, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, childPath(path, 'podSelector')));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, childPath(path, 'namespaceSelector')));
  }
  if (peer.ipBlock) {
    n++;
    errs.push(...validateIPBlock(peer.ipBlock, childPath(path, 'ipBlock')));
  }
  if (n === 0) errs.push(required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateSpec(np: NetworkPolicy): FieldError[] {
  const spec: NetworkPolicySpec = np.spec ?? { podSelector: {} };
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  (spec.ingress ?? []).forEach((rule, i) => {
    const rp = indexPath('spec.ingress', i);
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, indexPath(childPath(rp, 'ports'), j))));
    (rule.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, indexPath(childPath(rp, 'from'), j))));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const rp = indexPath('spec.egress', i);
    (rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, indexPath(childPath(rp, 'ports'), j))));
    (rule.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, indexPath(childPath(rp, 'to'), j))));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, invalidValue('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(indexPath('spec.policyTypes', i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

/** validateNetworkPolicy is upstream's ValidateNetworkPolicy. */
export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  return [...validateObjectMeta(np.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateSpec(np)];
}

/** validateNetworkPolicyUpdate is upstream's ValidateNetworkPolicyUpdate. */
export function validateNetworkPolicyUpdate(np: NetworkPolicy, old: NetworkPolicy): FieldError[] {
  return [...validateObjectMetaUpdate(np.metadata, old.metadata), ...validateSpec(np)];
}
