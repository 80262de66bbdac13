import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podResolvConf } from './resolv-conf.ts';

const settings = { clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: 'nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n' };
const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ metadata: { namespace: 'shop' }, spec: { containers: [], ...spec } });

describe('podResolvConf', () => {
  const cases: { name: string; pod: Pod; want: { servers: string[]; searches: string[]; options: string[] } }[] = [
    { name: 'ClusterFirst', pod: pod({}), want: { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] } },
    { name: 'ClusterFirst on the host network is Default', pod: pod({ hostNetwork: true }), want: { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] } },
    { name: 'ClusterFirstWithHostNet', pod: pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), want: { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] } },
    { name: 'Default', pod: pod({ dnsPolicy: 'Default' }), want: { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] } },
    {
      name: 'None with dnsConfig',
      pod: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }),
      want: { servers: ['1.2.3.4'], searches: ['a.example'], options: ['ndots:2', 'rotate'] },
    },
    { name: 'dnsConfig options override', pod: pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), want: { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:1'] } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(podResolvConf(c.pod, settings), c.want));
});
