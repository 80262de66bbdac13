import type { Service } from 'kubernetes-types/core/v1.js';
import { ipFamilyOf, type IPFamily } from '../validation/network.ts';

// Service defaulting: SetDefaults_Service, plus two things upstream does on create outside SetDefaults because
// they need the service registry's context: syncing clusterIPs with clusterIP (the strategy's normalizeClusterIPs)
// and choosing ipFamilyPolicy/ipFamilies (the IP allocator). Cluster IPs and node ports themselves are allocated
// by the registry, not here.

/** isExternallyAccessible is upstream's ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function isExternallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs ?? []).length > 0);
}

/** isHeadlessService tells whether clusterIPs is exactly ["None"]. */
export function isHeadlessService(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

/** defaultService is SetDefaults_Service plus the clusterIP/clusterIPs sync of the service strategy. */
export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (isExternallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  // Old clients set only clusterIP; new ones set both, and then validation checks they agree.
  if (spec.clusterIP && (spec.clusterIPs ?? []).length === 0) spec.clusterIPs = [spec.clusterIP];
}

/** defaultServiceIPFamilies chooses ipFamilyPolicy and ipFamilies as upstream's allocator does on create. */
export function defaultServiceIPFamilies(svc: Service, clusterFamilies: readonly IPFamily[] = ['IPv4']): void {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return;
  const headlessWithoutSelector = isHeadlessService(svc) && Object.keys(spec.selector ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
  if ((spec.ipFamilies ?? []).length > 0) return;
  if (headlessWithoutSelector || spec.ipFamilyPolicy === 'RequireDualStack' || spec.ipFamilyPolicy === 'PreferDualStack') {
    spec.ipFamilies = [...clusterFamilies];
    return;
  }
  const fromIPs = (spec.clusterIPs ?? []).map(ipFamilyOf).filter((f): f is IPFamily => f !== undefined);
  spec.ipFamilies = fromIPs.length > 0 ? fromIPs.slice(0, 1) : clusterFamilies.slice(0, 1);
}
