import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { etcHostsContent, sandboxHostname } from './etc-hosts.ts';

const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name, namespace: 'shop' }, spec: { containers: [], ...spec } });
const localhost = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

describe('etcHostsContent', () => {
  const cases: { name: string; pod: Pod; want: string }[] = [
    { name: 'plain pod', pod: pod('web-1'), want: `${localhost}10.42.0.7\tweb-1\n` },
    { name: 'hostname and subdomain', pod: pod('db-0', { hostname: 'db-0', subdomain: 'db' }), want: `${localhost}10.42.0.7\tdb-0.db.shop.svc.cluster.local\tdb-0\n` },
    {
      name: 'host aliases',
      pod: pod('a', { hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }] }),
      want: `${localhost}10.42.0.7\ta\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n`,
    },
    { name: 'host network keeps the node\'s file', pod: pod('h', { hostNetwork: true }), want: '# Kubernetes-managed hosts file (host network).\n127.0.0.1 node\n' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(etcHostsContent(c.pod, ['10.42.0.7'], 'cluster.local', '127.0.0.1 node'), c.want));
});

describe('sandboxHostname', () => {
  const cases = [
    { name: 'the pod name, cut to 63 without a trailing dash', pod: pod(`${'a'.repeat(62)}-b`), want: 'a'.repeat(62) },
    { name: 'spec.hostname', pod: pod('x', { hostname: 'h' }), want: 'h' },
    { name: 'setHostnameAsFQDN', pod: pod('x', { hostname: 'h', subdomain: 's', setHostnameAsFQDN: true }), want: 'h.s.shop.svc.cluster.local' },
    { name: 'host network', pod: pod('x', { hostNetwork: true }), want: '' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(sandboxHostname(c.pod, 'cluster.local'), c.want));
});
