import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp, dashedIp, ipFromDashed, normalizeName, parseReverseName, parseZoneName, reverseName, type ZoneName } from './names.ts';

const zone = 'cluster.local';

describe('parseZoneName', () => {
  const cases: { name: string; want: ZoneName }[] = [
    { name: 'cluster.local', want: { kind: 'apex' } },
    { name: 'svc.cluster.local', want: { kind: 'empty' } },
    { name: 'pod.cluster.local', want: { kind: 'empty' } },
    { name: 'default.svc.cluster.local', want: { kind: 'empty' } },
    { name: 'dns.cluster.local', want: { kind: 'empty' } },
    { name: 'ns.dns.cluster.local', want: { kind: 'nameserver' } },
    { name: 'x.ns.dns.cluster.local', want: { kind: 'invalid' } },
    { name: 'dns-version.cluster.local', want: { kind: 'dns-version' } },
    { name: 'web.default.svc.cluster.local', want: { kind: 'service', namespace: 'default', service: 'web', port: '', protocol: '', endpoint: '' } },
    { name: 'web-0.web.default.svc.cluster.local', want: { kind: 'service', namespace: 'default', service: 'web', port: '', protocol: '', endpoint: 'web-0' } },
    { name: '_http._tcp.web.default.svc.cluster.local', want: { kind: 'service', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp', endpoint: '' } },
    { name: 'a.b.c.web.default.svc.cluster.local', want: { kind: 'invalid' } },
    { name: '10-1-2-3.default.pod.cluster.local', want: { kind: 'pod', namespace: 'default', ip: '10.1.2.3' } },
    { name: 'fd00--1.default.pod.cluster.local', want: { kind: 'pod', namespace: 'default', ip: 'fd00::1' } },
    { name: 'not-an-ip.default.pod.cluster.local', want: { kind: 'pod', namespace: 'default', ip: null } },
    { name: 'x.10-1-2-3.default.pod.cluster.local', want: { kind: 'invalid' } },
    { name: 'web.default.cluster.local', want: { kind: 'invalid' } },
    { name: 'other.cluster.local', want: { kind: 'invalid' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseZoneName(c.name, zone), c.want));
});

describe('names and addresses', () => {
  const cases: { name: string; got: () => unknown; want: unknown }[] = [
    { name: 'normalizeName lowercases and drops the root dot', got: () => normalizeName('Web.Default.SVC.cluster.local.'), want: 'web.default.svc.cluster.local' },
    { name: 'dashedIp v4', got: () => dashedIp('10.42.0.7'), want: '10-42-0-7' },
    { name: 'dashedIp v6', got: () => dashedIp('fd00::7'), want: 'fd00--7' },
    { name: 'ipFromDashed rejects 300', got: () => ipFromDashed('300-1-2-3'), want: null },
    { name: 'canonicalIp compresses IPv6', got: () => canonicalIp('FD00:0:0:0:0:0:0:1'), want: 'fd00::1' },
    { name: 'reverseName v4', got: () => reverseName('10.43.0.10'), want: '10.0.43.10.in-addr.arpa' },
    { name: 'reverseName v6', got: () => reverseName('fd00::1'), want: `1.${'0.'.repeat(27)}0.0.d.f.ip6.arpa` },
    { name: 'parseReverseName v4', got: () => parseReverseName('10.0.43.10.in-addr.arpa'), want: { zone: 'in-addr.arpa', ip: '10.43.0.10' } },
    { name: 'parseReverseName partial v4', got: () => parseReverseName('43.10.in-addr.arpa'), want: { zone: 'in-addr.arpa', ip: null } },
    { name: 'parseReverseName leading zero', got: () => parseReverseName('010.0.43.10.in-addr.arpa'), want: { zone: 'in-addr.arpa', ip: null } },
    { name: 'parseReverseName v6', got: () => parseReverseName(reverseName('fd00::1')), want: { zone: 'ip6.arpa', ip: 'fd00::1' } },
    { name: 'parseReverseName elsewhere', got: () => parseReverseName('example.com'), want: null },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});
