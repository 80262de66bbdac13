import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabels } from '../validation/label-selector.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum } from '../validation/names.ts';
import { nameIsDNS1035Label, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from '../validation/meta.ts';
import { ipFamilyOf, isDualStack, validateCIDR, validateIP } from '../validation/network.ts';
import { validatePortNumOrName } from './probe-validation.ts';
import { isExternallyAccessible, isHeadlessService } from './service-defaults.ts';
import { validateNonSpecialIP } from './endpoints-validation.ts';

// Service validation (ValidateService, ValidateServiceUpdate) and the node-port range check of the allocator.

const protocols = ['SCTP', 'TCP', 'UDP'];
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const lbOnly = "may only be used when `type` is 'LoadBalancer'";

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(childPath(path, 'name')));
  else if (sp.name) {
    errs.push(...invalidEach(childPath(path, 'name'), sp.name, isDNS1123Label(sp.name)));
    if (names.has(sp.name)) errs.push(duplicate(childPath(path, 'name'), sp.name));
    else names.add(sp.name);
  }
  errs.push(...invalidEach(childPath(path, 'port'), sp.port ?? 0, isValidPortNum(sp.port ?? 0)));
  if (!sp.protocol) errs.push(required(childPath(path, 'protocol')));
  else if (!protocols.includes(sp.protocol)) errs.push(notSupported(childPath(path, 'protocol'), sp.protocol, protocols));
  errs.push(...validatePortNumOrName(sp.targetPort, childPath(path, 'targetPort')));
  if (sp.appProtocol !== undefined) errs.push(...validateQualifiedName(sp.appProtocol, childPath(path, 'appProtocol')));
  return errs;
}

function validateClusterIPs(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidValue('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalidValue('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!['IPv4', 'IPv6'].includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (spec.ipFamilyPolicy !== undefined && !policies.includes(spec.ipFamilyPolicy)) errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, policies));
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        bad = true;
        errs.push(invalidValue('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(`spec.clusterIPs[${i}]`, ip);
    if (e.length > 0) bad = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalidValue('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && !isDualStack(ips)) errs.push(invalidValue('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  if (!isHeadlessService(svc)) {
    ips.forEach((ip, i) => {
      const want = spec.ipFamilies?.[i];
      if (want && ipFamilyOf(ip) !== want) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, `expected an ${want} value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** validateService is upstream's ValidateService. */
export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameValidator: nameIsDNS1035Label });
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const headless = isHeadlessService(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && headless) {
    errs.push(invalidValue('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'ExternalName') {
    if ((spec.clusterIPs ?? []).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, indexPath('spec.ports', i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (!spec.sessionAffinityConfig) errs.push(required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!spec.sessionAffinityConfig.clientIP) errs.push(required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'));
    else if (t === undefined) errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (t <= 0 || t > 86400) errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(svc));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const e = validateIP(`spec.externalIPs[${i}]`, ip);
    errs.push(...(e.length > 0 ? e : validateNonSpecialIP(ip, `spec.externalIPs[${i}]`)));
  });
  if (!spec.type) errs.push(required('spec.type'));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, serviceTypes));
  if (spec.type === 'ClusterIP') ports.forEach((p, i) => { if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")); });
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const key = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(key);
    }
    const key = `${p.protocol}/${p.port}`;
    if (portKeys.has(key)) errs.push(duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }));
    portKeys.add(key);
  });
  if ((spec.loadBalancerSourceRanges ?? []).length > 0) {
    if (spec.type !== 'LoadBalancer') errs.push(forbidden('spec.LoadBalancerSourceRanges', lbOnly));
    (spec.loadBalancerSourceRanges ?? []).forEach((r, i) => errs.push(...validateCIDR(`spec.LoadBalancerSourceRanges[${i}]`, r.trim())));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.type !== 'LoadBalancer') errs.push(forbidden('spec.allocateLoadBalancerNodePorts', lbOnly));
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) errs.push(required('allocateLoadBalancerNodePorts'));
  if (spec.loadBalancerClass !== undefined) {
    if (spec.type === 'LoadBalancer') errs.push(...validateQualifiedName(spec.loadBalancerClass, 'spec.loadBalancerClass'));
    else errs.push(forbidden('spec.loadBalancerClass', lbOnly));
  }
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}

function validateTrafficPolicies(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  if (!isExternallyAccessible(svc)) {
    if (spec.externalTrafficPolicy) errs.push(invalidValue('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) {
    errs.push(required('spec.externalTrafficPolicy'));
  } else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  const needsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && spec.healthCheckNodePort) {
    errs.push(invalidValue('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (needsHealthCheck && spec.healthCheckNodePort) {
    // Left out, one is allocated after validation (upstream allocates first and then requires it; the
    // allocator here fails the write itself when the range is full).
    errs.push(...invalidEach('spec.healthCheckNodePort', spec.healthCheckNodePort, isValidPortNum(spec.healthCheckNodePort)));
  }
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type ?? '')) errs.push(required('spec.internalTrafficPolicy'));
  if (spec.internalTrafficPolicy && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  const td = (spec as { trafficDistribution?: string }).trafficDistribution;
  const distributions = ['PreferClose', 'PreferSameZone', 'PreferSameNode'];
  if (td !== undefined && !distributions.includes(td)) errs.push(notSupported('spec.trafficDistribution', td, distributions));
  return errs;
}

/** validateServiceUpdate is upstream's ValidateServiceUpdate: cluster IPs and families keep their primary once set. */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const external = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  if (!external && !(isHeadlessService(svc) && isHeadlessService(old))) {
    const next = svc.spec?.clusterIPs ?? [];
    const prev = old.spec?.clusterIPs ?? [];
    if (next.length === prev.length) {
      prev.forEach((ip, i) => { if (ip !== next[i]) errs.push(invalidValue(`spec.clusterIPs[${i}]`, next, 'may not change once set')); });
    } else if (prev.length > next.length) {
      if (next.length === 0) errs.push(invalidValue('spec.clusterIPs[0]', next, 'primary clusterIP can not be unset'));
      else if (next[0] !== prev[0]) errs.push(invalidValue('spec.clusterIPs[0]', next, 'may not change once set'));
      if (next.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalidValue('spec.ipFamilyPolicy', svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (prev.length > 0 && next[0] !== prev[0]) {
      errs.push(invalidValue('spec.clusterIPs[0]', next, 'may not change once set'));
    }
  }
  if (svc.spec?.type === 'LoadBalancer' && old.spec?.type === 'LoadBalancer' && svc.spec.loadBalancerClass !== old.spec.loadBalancerClass) {
    errs.push(invalidValue('spec.loadBalancerClass', svc.spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  const healthChecked = (s: Service): boolean => s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
  // Left out, it keeps its port (the allocator fills it in, as upstream's patchAllocatedValues).
  if (healthChecked(svc) && healthChecked(old) && svc.spec?.healthCheckNodePort && svc.spec.healthCheckNodePort !== old.spec?.healthCheckNodePort) {
    errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return [...errs, ...validateService(svc)];
}

/** NodePortRange is the inclusive range node ports are allocated from (upstream default 30000-32767). */
export interface NodePortRange {
  base: number;
  size: number;
}

/** validateServiceNodePorts is the allocator's range check for user-chosen node ports. */
export function validateServiceNodePorts(svc: Service, range: NodePortRange = { base: 30000, size: 2768 }): FieldError[] {
  const last = range.base + range.size - 1;
  const errs: FieldError[] = [];
  const check = (port: number | undefined, path: string): void => {
    if (port && (port < range.base || port > last)) errs.push(invalidValue(path, port, `provided port is not in the valid range. The range of valid ports is ${range.base}-${last}`));
  };
  (svc.spec?.ports ?? []).forEach((p, i) => check(p.nodePort, `spec.ports[${i}].nodePort`));
  check(svc.spec?.healthCheckNodePort, 'spec.healthCheckNodePort');
  return errs;
}
