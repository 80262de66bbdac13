import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, indexPath, invalidEach, invalidValue, notSupported, required, tooMany } from '../validation/field.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from '../validation/meta.ts';
import { ipFamilyOf } from '../validation/network.ts';

// discovery.k8s.io/v1 EndpointSlice and events.k8s.io/v1 Event.

/** defaultEndpointSlice gives each port an empty name and protocol TCP (SetDefaults_EndpointPort). */
export function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

/** validateEndpointSlice checks the address type, 1-100 addresses per endpoint matching it, and ports. */
export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const type = slice.addressType ?? '';
  if (!type) errs.push(required('addressType'));
  else if (!addressTypes.includes(type)) errs.push(notSupported('addressType', type, addressTypes));
  (slice.endpoints ?? []).forEach((ep, i) => {
    const ap = childPath(indexPath('endpoints', i), 'addresses');
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(required(ap, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      const p = indexPath(ap, j);
      if (type === 'FQDN') errs.push(...invalidEach(p, a, isDNS1123Subdomain(a)));
      else if (type && ipFamilyOf(a) !== type) errs.push(invalidValue(p, a, `must be a valid ${type} address`));
    });
    if (ep.hostname) errs.push(...invalidEach(childPath(indexPath('endpoints', i), 'hostname'), ep.hostname, isDNS1123Label(ep.hostname)));
  });
  const names = new Set<string>();
  (slice.ports ?? []).forEach((p, i) => {
    const pp = indexPath('ports', i);
    const name = p.name ?? '';
    if (name) errs.push(...invalidEach(childPath(pp, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(childPath(pp, 'name'), name));
    names.add(name);
    if (p.port !== undefined) errs.push(...invalidEach(childPath(pp, 'port'), p.port, isValidPortNum(p.port)));
    if (!p.protocol) errs.push(required(childPath(pp, 'protocol')));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(childPath(pp, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (p.appProtocol !== undefined) errs.push(...validateQualifiedName(p.appProtocol, childPath(pp, 'appProtocol')));
  });
  return errs;
}

/** validateEndpointSliceUpdate: the address type is fixed. */
export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  return [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...validateEndpointSlice(slice), ...validateImmutableField(slice.addressType, old.addressType, 'addressType')];
}

/** validateEventsV1Event is upstream's event validation for events.k8s.io/v1 requests (reporter, action and time required). */
export function validateEventsV1Event(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  const ns = ev.metadata?.namespace ?? '';
  if (!ev.regarding?.namespace && ns !== 'default' && ns !== 'kube-system') errs.push(invalidValue('involvedObject.namespace', ev.regarding?.namespace ?? '', 'does not match event.namespace'));
  if (!ev.eventTime) errs.push(required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (ev.deprecatedFirstTimestamp) errs.push(invalidValue('firstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(invalidValue('lastTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedCount) errs.push(invalidValue('count', '', 'needs to be unset'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) errs.push(invalidValue('source', '', 'needs to be unset'));
  if (!ev.reportingController) errs.push(required('reportingController'));
  errs.push(...validateQualifiedName(ev.reportingController ?? '', 'reportingController'));
  const limited: [string, string | undefined, number][] = [['reportingInstance', ev.reportingInstance, 128], ['action', ev.action, 128], ['reason', ev.reason, 128]];
  for (const [field, value, max] of limited) {
    if (!value) errs.push(required(field));
    if ((value ?? '').length > max) errs.push(invalidValue(field, '', `can have at most ${max} characters`));
  }
  if ((ev.note ?? '').length > 1024) errs.push(invalidValue('message', '', 'can have at most 1024 characters'));
  errs.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return errs;
}

/** validateEventsV1EventUpdate re-validates after the metadata update rules. */
export function validateEventsV1EventUpdate(ev: Event, old: Event): FieldError[] {
  return [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...validateEventsV1Event(ev)];
}
