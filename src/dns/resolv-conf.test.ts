import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatResolvConf, hostResolvConf, parseResolvConf, podDnsConfig, type PodDnsSettings, type ResolvConf } from './resolv-conf.ts';

const host: ResolvConf = { nameservers: ['192.168.1.1'], searches: ['corp.example'], options: ['timeout:2'] };
const node: PodDnsSettings = { clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', host };
const clusterSearch = ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

function pod(spec: Pod['spec'] = { containers: [] }): Pod {
  return { metadata: { name: 'p', namespace: 'ns1', uid: 'u1' }, spec: { ...spec, containers: [] } };
}

describe('podDnsConfig', () => {
  const cases: { name: string; pod: Pod; settings?: PodDnsSettings; want: ResolvConf; warnings?: string[] }[] = [
    { name: 'ClusterFirst (the default)', pod: pod(), want: { nameservers: ['10.43.0.10'], searches: [...clusterSearch, 'corp.example'], options: ['ndots:5'] } },
    { name: 'ClusterFirst on the host network falls back to Default', pod: pod({ containers: [], dnsPolicy: 'ClusterFirst', hostNetwork: true }), want: host },
    { name: 'ClusterFirstWithHostNet', pod: pod({ containers: [], dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), want: { nameservers: ['10.43.0.10'], searches: [...clusterSearch, 'corp.example'], options: ['ndots:5'] } },
    { name: 'Default uses the host', pod: pod({ containers: [], dnsPolicy: 'Default' }), want: host },
    { name: 'Default without a host resolv.conf', pod: pod({ containers: [], dnsPolicy: 'Default' }), settings: { ...node, host: null }, want: { nameservers: ['127.0.0.1'], searches: ['.'], options: [] } },
    { name: 'ClusterFirst without a host resolv.conf', pod: pod(), settings: { ...node, host: null }, want: { nameservers: ['10.43.0.10'], searches: clusterSearch, options: ['ndots:5'] } },
    {
      name: 'None takes only dnsConfig',
      pod: pod({ containers: [], dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }),
      want: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2', 'edns0'] },
    },
    {
      name: 'dnsConfig merges: duplicates dropped, options overridden by name',
      pod: pod({ containers: [], dnsConfig: { nameservers: ['10.43.0.10', '1.1.1.1'], searches: ['svc.cluster.local', 'b.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request-reopen' }] } }),
      want: { nameservers: ['10.43.0.10', '1.1.1.1'], searches: [...clusterSearch, 'corp.example', 'b.example'], options: ['ndots:1', 'single-request-reopen'] },
    },
    {
      name: 'no cluster DNS: ClusterFirst falls back to Default with an event',
      pod: pod(),
      settings: { ...node, clusterDns: [] },
      want: host,
      warnings: ['MissingClusterDNS: pod: "p_ns1(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.'],
    },
    {
      name: 'at most 3 nameservers',
      pod: pod({ containers: [], dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } }),
      want: { nameservers: ['10.43.0.10', '1.1.1.1', '8.8.8.8'], searches: [...clusterSearch, 'corp.example'], options: ['ndots:5'] },
      warnings: ['DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.43.0.10 1.1.1.1 8.8.8.8'],
    },
    {
      name: 'at most 32 search paths',
      pod: pod({ containers: [], dnsPolicy: 'None', dnsConfig: { searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`) } }),
      want: { nameservers: [], searches: Array.from({ length: 32 }, (_, i) => `s${i}.example`), options: [] },
      warnings: [`DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${Array.from({ length: 32 }, (_, i) => `s${i}.example`).join(' ')}`],
    },
    {
      name: 'search paths over 253 characters are dropped, the line is cut to 2048 characters',
      pod: pod({ containers: [], dnsPolicy: 'None', dnsConfig: { searches: ['x'.repeat(254), ...Array.from({ length: 10 }, (_, i) => `${String(i).repeat(250)}`)] } }),
      want: { nameservers: [], searches: Array.from({ length: 8 }, (_, i) => `${String(i).repeat(250)}`), options: [] },
      warnings: [`DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${Array.from({ length: 8 }, (_, i) => `${String(i).repeat(250)}`).join(' ')}`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = podDnsConfig(c.pod, c.settings ?? node);
      assert.deepEqual(got.config, c.want);
      assert.deepEqual(got.warnings.map((w) => `${w.reason}: ${w.message}`), c.warnings ?? []);
    });
  }
});

describe('resolv.conf files', () => {
  it('parseResolvConf: nameservers add up, the last search wins, options merge', () => {
    const text = '# comment\nnameserver 10.0.0.1\nsearch a.example b.example.\nnameserver 10.0.0.2\nsearch c.example. .\noptions ndots:2 timeout:1\noptions ndots:3\n';
    assert.deepEqual(parseResolvConf(text), { nameservers: ['10.0.0.1', '10.0.0.2'], searches: ['c.example'], options: ['ndots:3', 'timeout:1'] });
  });

  it('formatResolvConf renders a pod file', () => {
    const got = formatResolvConf(podDnsConfig(pod(), { ...node, host: { nameservers: [], searches: [], options: [] } }).config);
    assert.equal(got, 'search ns1.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n');
  });

  it('hostResolvConf looks past a loopback stub to systemd-resolved\'s list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-resolv-'));
    try {
      writeFileSync(join(dir, 'stub'), 'nameserver 127.0.0.53\nsearch lan\n');
      writeFileSync(join(dir, 'real'), 'nameserver 192.0.2.1\nsearch lan\n');
      writeFileSync(join(dir, 'plain'), 'nameserver 192.0.2.9\n');
      assert.deepEqual(hostResolvConf(join(dir, 'stub'), join(dir, 'real')).nameservers, ['192.0.2.1']);
      assert.deepEqual(hostResolvConf(join(dir, 'stub'), join(dir, 'missing')).nameservers, ['127.0.0.53']);
      assert.deepEqual(hostResolvConf(join(dir, 'plain'), join(dir, 'real')).nameservers, ['192.0.2.9']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
