import type { Service } from 'kubernetes-types/core/v1.js';
import { isExternallyAccessible } from './service-defaults.ts';

// When a Service changes type, the fields only the old type used go, unless the update changed them too
// (upstream's dropTypeDependentFields in the service strategy): `kubectl patch svc -p
// '{"spec":{"type":"ClusterIP"}}'` on a NodePort Service must not fail validation over its node ports.

const needsClusterIP = (s: Service): boolean => s.spec?.type !== 'ExternalName';
const needsNodePorts = (s: Service): boolean => s.spec?.type === 'NodePort' || (s.spec?.type === 'LoadBalancer' && s.spec.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckPort = (s: Service): boolean => s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** dropTypeDependentFields clears, on a type change, what the old type needed and the new one may not have. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = svc.spec;
  const was = old.spec;
  if (!spec || !was) return;
  // The health check port also goes when only the external policy leaves Local (upstream checks it on any update).
  if (needsHealthCheckPort(old) && !needsHealthCheckPort(svc) && spec.healthCheckNodePort === was.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type === was.type) return;
  if (needsClusterIP(old) && !needsClusterIP(svc) && same(spec.clusterIPs, was.clusterIPs)) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    if (same(spec.ipFamilies, was.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, was.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  const oldPorts = (was.ports ?? []).map((p) => p.nodePort);
  if (needsNodePorts(old) && !needsNodePorts(svc) && same((spec.ports ?? []).map((p) => p.nodePort), oldPorts)) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (was.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === was.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === was.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (isExternallyAccessible(old) && !isExternallyAccessible(svc) && spec.externalTrafficPolicy === was.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type === 'ExternalName' && spec.internalTrafficPolicy === was.internalTrafficPolicy) delete spec.internalTrafficPolicy;
}
