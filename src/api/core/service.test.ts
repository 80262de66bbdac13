import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultService, defaultServiceIPFamilies } from './service-defaults.ts';
import { validateService, validateServiceNodePorts, validateServiceUpdate } from './service-validation.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);

function newService(spec: ServiceSpec = { ports: [{ port: 80 }], selector: { app: 'web' } }, name = 'web'): Service {
  const svc: Service = { metadata: { name, namespace: 'default', resourceVersion: '1' }, spec };
  defaultService(svc);
  defaultServiceIPFamilies(svc);
  return svc;
}

describe('defaultService', () => {
  it('matches upstream for kubectl expose --port=80', () => {
    const svc = newService({ ports: [{ port: 80 }], selector: { app: 'web' } });
    assert.deepEqual(svc.spec, {
      internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: 'web' }, sessionAffinity: 'None', type: 'ClusterIP',
    });
  });
  it('defaults NodePort and LoadBalancer traffic fields', () => {
    const svc = newService({ type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] });
    assert.equal(svc.spec?.externalTrafficPolicy, 'Cluster');
    assert.equal(svc.spec?.allocateLoadBalancerNodePorts, true);
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 'https');
  });
  it('syncs clusterIPs and defaults ClientIP affinity config', () => {
    const svc = newService({ clusterIP: '10.0.0.10', sessionAffinity: 'ClientIP', ports: [{ port: 53, protocol: 'UDP' }] });
    assert.deepEqual(svc.spec?.clusterIPs, ['10.0.0.10']);
    assert.deepEqual(svc.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });
  it('headless without selector requires dual stack', () => {
    const svc = newService({ clusterIP: 'None', ports: [{ port: 80 }] });
    assert.equal(svc.spec?.ipFamilyPolicy, 'RequireDualStack');
  });
});

describe('validateService', () => {
  const dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  const cases: { name: string; svc: Service; want: string[] }[] = [
    { name: 'valid', svc: newService(), want: [] },
    { name: 'name starting with a digit', svc: newService(undefined, '1web'), want: [`metadata.name: Invalid value: "1web": ${dns1035}`] },
    { name: 'no ports', svc: newService({ selector: { a: 'b' } }), want: ['spec.ports: Required value'] },
    { name: 'port out of range', svc: newService({ ports: [{ port: 0, targetPort: 80 }] }), want: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'] },
    { name: 'bad protocol', svc: newService({ ports: [{ port: 80, protocol: 'FOO' }] }), want: ['spec.ports[0].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"'] },
    { name: 'two ports need names', svc: newService({ ports: [{ port: 80 }, { port: 81, name: 'b' }] }), want: ['spec.ports[0].name: Required value'] },
    { name: 'bad type', svc: newService({ type: 'Magic', ports: [{ port: 80 }] }), want: ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'] },
    { name: 'nodePort on ClusterIP', svc: newService({ ports: [{ port: 80, nodePort: 30080 }] }), want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
    { name: 'bad clusterIP', svc: newService({ clusterIP: '10.0.0', ports: [{ port: 80 }] }), want: ['spec.clusterIPs[0]: Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
    { name: 'external name required', svc: newService({ type: 'ExternalName' }), want: ['spec.externalName: Required value'] },
    { name: 'loopback external IP', svc: newService({ ports: [{ port: 80 }], externalIPs: ['127.0.0.1'] }), want: ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'] },
    { name: 'unspecified IPv6 external IP', svc: newService({ ports: [{ port: 80 }], externalIPs: ['::'] }), want: ['spec.externalIPs[0]: Invalid value: "::": may not be unspecified (::)'] },
    { name: 'selector label', svc: newService({ ports: [{ port: 80 }], selector: { 'a/b/c': 'x' } }), want: ["spec.selector: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateService(c.svc)), c.want));

  it('checks node ports against the allocation range', () => {
    const svc = newService({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] });
    assert.deepEqual(fmt(validateServiceNodePorts(svc)), ['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767']);
  });

  it('keeps cluster IPs on update', () => {
    const old = newService({ clusterIP: '10.0.0.1', ports: [{ port: 80 }] });
    const next = newService({ clusterIP: '10.0.0.2', ports: [{ port: 80 }] });
    assert.deepEqual(fmt(validateServiceUpdate(next, old)), ['spec.clusterIPs[0]: Invalid value: ["10.0.0.2"]: may not change once set']);
  });
});
