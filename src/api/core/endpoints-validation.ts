import type { EndpointAddress, Endpoints } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { isDNS1123Label, isValidPortNum } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from '../validation/meta.ts';
import { ipFamilyOf, ipv6Groups, validateIP } from '../validation/network.ts';

// Endpoints validation (ValidateEndpoints) and ValidateNonSpecialIP, which Services' external IPs share.

function ipv4Octets(ip: string): number[] | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  return m ? m.slice(1).map(Number) : undefined;
}

/** validateNonSpecialIP rejects unspecified, loopback and link-local addresses (upstream's ValidateNonSpecialIP). */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  const family = ipFamilyOf(ip);
  if (!family) return [invalidValue(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v4 = family === 'IPv4' ? ipv4Octets(ip) : undefined;
  const v6 = v4 ? undefined : (ipv6Groups(ip) ?? []);
  const unspecified = v4 ? v4.every((o) => o === 0) : v6?.every((g) => g === 0);
  if (unspecified) errs.push(invalidValue(path, ip, `may not be unspecified (${ip})`));
  const loopback = v4 ? v4[0] === 127 : v6?.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
  if (loopback) errs.push(invalidValue(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const first = v6?.[0] ?? 0;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : (first & 0xffc0) === 0xfe80;
  if (linkLocal) errs.push(invalidValue(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : (first & 0xff0f) === 0xff02;
  if (linkLocalMulticast) errs.push(invalidValue(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateAddress(a: EndpointAddress, path: string): FieldError[] {
  const errs = validateIP(childPath(path, 'ip'), a.ip ?? '');
  if (a.hostname) errs.push(...invalidEach(childPath(path, 'hostname'), a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName) errs.push(...invalidEach(childPath(path, 'nodeName'), a.nodeName, nameIsDNSSubdomain(a.nodeName, false)));
  return [...errs, ...validateNonSpecialIP(a.ip ?? '', childPath(path, 'ip'))];
}

/** validateEndpoints is upstream's ValidateEndpoints. */
export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  (ep.subsets ?? []).forEach((ss, i) => {
    const idx = indexPath('subsets', i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) errs.push(required(idx, 'must specify `addresses` or `notReadyAddresses`'));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, indexPath(childPath(idx, 'addresses'), j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, indexPath(childPath(idx, 'notReadyAddresses'), j))));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => {
      const pp = indexPath(childPath(idx, 'ports'), j);
      if (ports.length > 1 && !p.name) errs.push(required(childPath(pp, 'name')));
      else if (p.name) errs.push(...invalidEach(childPath(pp, 'name'), p.name, isDNS1123Label(p.name)));
      errs.push(...invalidEach(childPath(pp, 'port'), p.port ?? 0, isValidPortNum(p.port ?? 0)));
      if (!p.protocol) errs.push(required(childPath(pp, 'protocol')));
      else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(notSupported(childPath(pp, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
      if (p.appProtocol !== undefined) errs.push(...validateQualifiedName(p.appProtocol, childPath(pp, 'appProtocol')));
    });
  });
  return errs;
}

/** validateEndpointsUpdate re-validates the new object after the metadata rules. */
export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}

/** defaultEndpoints sets port protocols to TCP (SetDefaults_Endpoints). */
export function defaultEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}
