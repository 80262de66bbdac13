import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { categorizeEndpoints, servicePortsOf, type ProxyEndpoint, type ServicePortInfo } from './model.ts';

const svc = (spec: Service['spec'], extra: Partial<Service> = {}): Service => ({ metadata: { name: 'web', namespace: 'ns' }, spec: { clusterIP: '10.43.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec }, ...extra });
const slice = (endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): EndpointSlice => ({ addressType: 'IPv4', endpoints, ports });

describe('servicePortsOf', () => {
  const ignored: { name: string; svc: Service }[] = [
    { name: 'headless', svc: svc({ clusterIP: 'None' }) },
    { name: 'ExternalName', svc: svc({ type: 'ExternalName', externalName: 'example.org', clusterIP: '' }) },
    { name: 'another proxy’s', svc: svc({}, { metadata: { name: 'web', namespace: 'ns', labels: { 'service.kubernetes.io/service-proxy-name': 'other' } } }) },
  ];
  for (const c of ignored) it(`ignores ${c.name} Services`, () => assert.deepEqual(servicePortsOf(c.svc, [], 'n1'), []));

  it('reads ports, policies, affinity, external and load-balancer IPs, and endpoints by port name', () => {
    const s = svc(
      { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }], externalTrafficPolicy: 'Local', healthCheckNodePort: 31999, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, externalIPs: ['192.168.1.200'] },
      { status: { loadBalancer: { ingress: [{ ip: '172.31.254.10', ipMode: 'VIP' }, { ip: '172.31.254.11', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } } },
    );
    const ports = servicePortsOf(s, [slice([{ addresses: ['10.42.0.2'], nodeName: 'n1' }, { addresses: ['10.42.1.2'], conditions: { ready: false }, nodeName: 'n2' }], [{ name: 'http', port: 8080, protocol: 'TCP' }])], 'n1');
    assert.equal(ports.length, 2);
    const [http, dns] = ports as [ServicePortInfo, ServicePortInfo];
    assert.deepEqual({ ...http, endpoints: undefined }, {
      namespace: 'ns', name: 'web', portName: 'http', protocol: 'tcp', clusterIP: '10.43.0.50', port: 80, nodePort: 30080, externalIPs: ['192.168.1.200'],
      loadBalancerIPs: ['172.31.254.10'], loadBalancerSourceRanges: [], affinitySeconds: 60, internalLocal: false, externalLocal: true, healthCheckNodePort: 31999, endpoints: undefined,
    });
    assert.deepEqual(http.endpoints, [
      { ip: '10.42.0.2', port: 8080, ready: true, serving: true, terminating: false, local: true },
      { ip: '10.42.1.2', port: 8080, ready: false, serving: false, terminating: false, local: false },
    ]);
    assert.deepEqual(dns.endpoints, []); // No slice carries the UDP "dns" port.
  });

  it('counts an address listed in two slices once, the ready copy winning', () => {
    const [p] = servicePortsOf(svc({}), [slice([{ addresses: ['10.42.0.2'], conditions: { ready: false } }]), slice([{ addresses: ['10.42.0.2'], conditions: { ready: true } }])], 'n1');
    assert.deepEqual(p?.endpoints.map((e) => e.ready), [true]);
  });
});

describe('categorizeEndpoints', () => {
  const e = (ip: string, o: Partial<ProxyEndpoint>): ProxyEndpoint => ({ ip, port: 80, ready: true, serving: true, terminating: false, local: false, ...o });
  const base = servicePortsOf(svc({}), [], 'n1')[0] as ServicePortInfo;
  const cases: { name: string; sp: Partial<ServicePortInfo>; cluster: string[]; local: string[]; hasAny: boolean }[] = [
    { name: 'ready endpoints only', sp: { endpoints: [e('a', {}), e('b', { ready: false, serving: false })] }, cluster: ['a'], local: [], hasAny: true },
    { name: 'terminating fallback', sp: { endpoints: [e('a', { ready: false, serving: true, terminating: true }), e('b', { ready: false, serving: false, terminating: true })] }, cluster: ['a'], local: [], hasAny: true },
    { name: 'none usable', sp: { endpoints: [e('a', { ready: false, serving: false })] }, cluster: [], local: [], hasAny: false },
    { name: 'internal Local', sp: { internalLocal: true, endpoints: [e('a', { local: true }), e('b', {})] }, cluster: [], local: ['a'], hasAny: true },
    { name: 'internal Local, nothing local', sp: { internalLocal: true, endpoints: [e('b', {})] }, cluster: [], local: [], hasAny: true },
    { name: 'external Local keeps cluster endpoints for short-circuits', sp: { nodePort: 30000, externalLocal: true, endpoints: [e('a', { local: true }), e('b', {})] }, cluster: ['a', 'b'], local: ['a'], hasAny: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = categorizeEndpoints({ ...base, ...c.sp });
      assert.deepEqual({ cluster: r.cluster.map((x) => x.ip), local: r.local.map((x) => x.ip), hasAny: r.hasAny }, { cluster: c.cluster, local: c.local, hasAny: c.hasAny });
    });
  }
});
