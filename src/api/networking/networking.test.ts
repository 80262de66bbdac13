import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { formatFieldError, type FieldError } from '../errors.ts';
import { defaultIngressClass, validateIngress, validateIngressClass } from './ingress.ts';
import { defaultNetworkPolicy, validateNetworkPolicy } from './network-policy.ts';

const fmt = (errs: FieldError[]): string[] => errs.map(formatFieldError);
const meta = { name: 'web', namespace: 'default' };
const backend = { service: { name: 'web', port: { number: 80 } } };

describe('Ingress', () => {
  const ing = (spec: Ingress['spec']): Ingress => ({ metadata: meta, spec });
  const cases: { name: string; ing: Ingress; want: string[] }[] = [
    { name: 'valid', ing: ing({ rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] }), want: [] },
    { name: 'nothing to route', ing: ing({}), want: ['spec: Invalid value: []: either `defaultBackend` or `rules` must be specified'] },
    { name: 'pathType required', ing: ing({ rules: [{ http: { paths: [{ path: '/', backend } as never] } }] }), want: ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'] },
    { name: 'relative prefix path', ing: ing({ rules: [{ http: { paths: [{ path: 'api', pathType: 'Prefix', backend }] } }] }), want: ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'] },
    { name: 'bad path type', ing: ing({ rules: [{ http: { paths: [{ path: '/', pathType: 'Regex', backend }] } }] }), want: ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'] },
    { name: 'ip host', ing: ing({ rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Exact', backend }] } }] }), want: ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'] },
    { name: 'backend without port', ing: ing({ defaultBackend: { service: { name: 'web' } } }), want: ['spec.defaultBackend: Required value: port name or number is required'] },
    { name: 'empty paths', ing: ing({ rules: [{ http: { paths: [] } }] }), want: ['spec.rules[0].http.paths: Required value'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateIngress(c.ing)), c.want));
});

describe('IngressClass', () => {
  it('defaults parameter scope and validates the controller', () => {
    const ic: IngressClass = { metadata: { name: 'nginx' }, spec: { controller: 'nginx', parameters: { kind: 'Config', name: 'c' } } };
    defaultIngressClass(ic);
    assert.equal(ic.spec?.parameters?.scope, 'Cluster');
    assert.deepEqual(fmt(validateIngressClass(ic)), ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
  });
});

describe('NetworkPolicy', () => {
  it('defaults policy types and port protocols', () => {
    const np: NetworkPolicy = { metadata: meta, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } };
    defaultNetworkPolicy(np);
    assert.deepEqual(np.spec?.policyTypes, ['Ingress', 'Egress']);
    assert.equal(np.spec?.egress?.[0]?.ports?.[0]?.protocol, 'TCP');
    const ingressOnly: NetworkPolicy = { metadata: meta, spec: { podSelector: {} } };
    defaultNetworkPolicy(ingressOnly);
    assert.deepEqual(ingressOnly.spec?.policyTypes, ['Ingress']);
  });
  const cases: { name: string; spec: NetworkPolicy['spec']; want: string[] }[] = [
    { name: 'valid', spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }, want: [] },
    { name: 'empty peer', spec: { podSelector: {}, ingress: [{ from: [{}] }] }, want: ['spec.ingress[0].from[0]: Required value: must specify a peer'] },
    { name: 'except outside cidr', spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }, want: ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`'] },
    { name: 'endPort below port', spec: { podSelector: {}, egress: [{ ports: [{ port: 100, endPort: 90 }] }] }, want: ['spec.egress[0].ports[0].endPort: Invalid value: 100: must be greater than or equal to `port`'] },
    { name: 'bad policy type', spec: { podSelector: {}, policyTypes: ['Sideways'] }, want: ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fmt(validateNetworkPolicy({ metadata: meta, spec: c.spec })), c.want));
});
