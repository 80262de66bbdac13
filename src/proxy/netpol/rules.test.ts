import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { hashed } from '../rules.ts';
import { buildNetpolRuleset, policyTypesOf } from './rules.ts';

const pod = (ns: string, name: string, ip: string, labels: Record<string, string>, node = 'n1'): Pod => ({
  metadata: { namespace: ns, name, labels },
  spec: { nodeName: node, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }] },
  status: { phase: 'Running', podIP: ip },
});
const pods = [pod('app', 'web', '10.42.0.2', { app: 'web' }), pod('app', 'cli', '10.42.0.3', { role: 'cli' }), pod('other', 'mon', '10.42.1.4', { role: 'mon' }, 'n2')];
const namespaces: Namespace[] = [{ metadata: { name: 'app', labels: { team: 'a' } } }, { metadata: { name: 'other', labels: { team: 'ops' } } }];
const policy = (spec: NetworkPolicy['spec'], ns = 'app'): NetworkPolicy => ({ metadata: { namespace: ns, name: 'p' }, spec });
const ingressOf = (name: string): string => `ingress-${hashed(`app/${name}`)}`;
const egressOf = (name: string): string => `egress-${hashed(`app/${name}`)}`;

describe('buildNetpolRuleset', () => {
  const cases: { name: string; policies: NetworkPolicy[]; chain: string; want: string[] | undefined }[] = [
    { name: 'unselected pods are not isolated', policies: [], chain: ingressOf('web'), want: undefined },
    { name: 'default deny ingress', policies: [policy({ podSelector: {}, policyTypes: ['Ingress'] })], chain: ingressOf('web'), want: ['drop'] },
    {
      name: 'pod selector in the policy namespace, named port resolved on the receiving pod',
      policies: [policy({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'cli' } } }], ports: [{ port: 'http' }] }] })],
      chain: ingressOf('web'),
      want: ['ip saddr { 10.42.0.3 } meta l4proto tcp th dport { 8080 } return', 'drop'],
    },
    {
      name: 'namespace selector picks pods of other namespaces (on any node); endPort ranges',
      policies: [policy({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ port: 9000, endPort: 9100 }, { protocol: 'UDP', port: 53 }] }] })],
      chain: ingressOf('web'),
      want: ['ip saddr { 10.42.1.4 } meta l4proto tcp th dport { 9000-9100 } return', 'ip saddr { 10.42.1.4 } meta l4proto udp th dport { 53 } return', 'drop'],
    },
    {
      name: 'ipBlock with except; empty from allows every source on the ports',
      policies: [policy({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.42.0.0/16'] } }] }, { ports: [{ port: 80 }] }] })],
      chain: ingressOf('web'),
      want: ['ip saddr 10.0.0.0/8 ip saddr != { 10.42.0.0/16 } return', 'meta l4proto tcp th dport { 80 } return', 'drop'],
    },
    {
      name: 'egress named ports resolve on each peer pod',
      policies: [policy({ podSelector: { matchLabels: { role: 'cli' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 'dns', protocol: 'UDP' }] }] })],
      chain: egressOf('cli'),
      want: ['ip daddr { 10.42.0.2, 10.42.0.3 } meta l4proto udp th dport { 5353 } return', 'drop'],
    },
    {
      name: 'policies add up',
      policies: [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'cli' } } }] }] }), { ...policy({ podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }), metadata: { namespace: 'app', name: 'q' } }],
      chain: ingressOf('web'),
      want: ['ip saddr { 10.42.0.3 } return', 'meta l4proto tcp th dport { 443 } return', 'drop'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rs = buildNetpolRuleset({ table: 't', nodeName: 'n1', pods, namespaces, policies: c.policies });
      assert.deepEqual(rs.chains.get(c.chain)?.rules, c.want);
    });
  }

  it('enforces only for this node’s pods', () => {
    const rs = buildNetpolRuleset({ table: 't', nodeName: 'n1', pods, namespaces, policies: [policy({ podSelector: {} }, 'other')] });
    assert.deepEqual(Object.fromEntries(rs.sets.get('ingress-pods')?.elements ?? []), {});
  });

  it('defaults policyTypes as upstream', () => {
    assert.deepEqual(policyTypesOf(policy({ podSelector: {} })), ['Ingress']);
    assert.deepEqual(policyTypesOf(policy({ podSelector: {}, egress: [{}] })), ['Ingress', 'Egress']);
    assert.deepEqual(policyTypesOf(policy({ podSelector: {}, policyTypes: ['Egress'] })), ['Egress']);
  });
});
