import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerQuestion, type ZoneConfig } from './answer.ts';
import { ClusterIndex } from './cluster-index.ts';
import { newService, newSlice, summarize } from './testing.ts';

const cfg: ZoneConfig = { zone: 'cluster.local', ttl: 5, nameservers: ['10.43.0.10'] };
const clock = { now: () => 1_700_000_000_000 };

function seeded(): ClusterIndex {
  const index = new ClusterIndex({ zone: cfg.zone, clock });
  index.upsertService(newService('default', 'web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
  index.upsertService(newService('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
  index.upsertSlice(newSlice('default', 'db-abc', 'db', [{ ip: '10.42.0.5', hostname: 'db-0' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7', ready: false }], [{ name: 'pg', port: 5432 }]));
  index.upsertService(newService('default', 'bare', { clusterIP: 'None', ports: [] }));
  index.upsertSlice(newSlice('default', 'bare-x', 'bare', [{ ip: '10.42.1.9' }]));
  index.upsertService(newService('default', 'empty', { clusterIP: 'None' }));
  index.upsertService(newService('default', 'ext', { externalName: 'example.com' }));
  index.upsertService(newService('default', 'alias', { externalName: 'web.default.svc.cluster.local' }));
  index.upsertService(newService('prod', 'dual', { clusterIPs: ['10.43.0.30', 'fd00::30'] }));
  index.markSynced();
  return index;
}

interface Want {
  rcode: string;
  answers?: string[];
  additionals?: string[];
  soa?: boolean;
  chase?: string;
  forward?: boolean;
}

describe('answerQuestion', () => {
  const cases: { name: string; q: string; type: string; want: Want }[] = [
    { name: 'ClusterIP A', q: 'web.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.43.0.20'] } },
    { name: 'names are case-insensitive', q: 'WEB.Default.SVC.Cluster.Local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.43.0.20'] } },
    { name: 'AAAA of a v4-only service is NODATA', q: 'web.default.svc.cluster.local', type: 'AAAA', want: { rcode: 'NOERROR', soa: true } },
    { name: 'MX of a service is NODATA', q: 'web.default.svc.cluster.local', type: 'MX', want: { rcode: 'NOERROR', soa: true } },
    { name: 'missing service is NXDOMAIN', q: 'nope.default.svc.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'missing service is NXDOMAIN for any type', q: 'nope.default.svc.cluster.local', type: 'TXT', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'dual-stack A', q: 'dual.prod.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.43.0.30'] } },
    { name: 'dual-stack AAAA', q: 'dual.prod.svc.cluster.local', type: 'AAAA', want: { rcode: 'NOERROR', answers: ['AAAA fd00::30'] } },
    { name: 'SRV of a named port', q: '_http._tcp.web.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NOERROR', answers: ['SRV 0 100 80 web.default.svc.cluster.local'], additionals: ['A 10.43.0.20'] } },
    { name: 'SRV protocol must match', q: '_dns._tcp.web.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'SRV of the service name lists every port', q: 'web.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NOERROR', answers: ['SRV 0 50 80 web.default.svc.cluster.local', 'SRV 0 50 53 web.default.svc.cluster.local'], additionals: ['A 10.43.0.20'] } },
    { name: 'A of an SRV name answers the ClusterIP', q: '_http._tcp.web.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.43.0.20'] } },
    { name: '_proto empty non-terminal is NODATA', q: '_tcp.web.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NOERROR', soa: true } },
    { name: '_proto without such ports is NXDOMAIN', q: '_sctp.web.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'headless A lists ready endpoints', q: 'db.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.42.0.5', 'A 10.42.0.6'] } },
    {
      name: 'headless SRV targets each endpoint',
      q: '_pg._tcp.db.default.svc.cluster.local',
      type: 'SRV',
      want: { rcode: 'NOERROR', answers: ['SRV 0 50 5432 db-0.db.default.svc.cluster.local', 'SRV 0 50 5432 10-42-0-6.db.default.svc.cluster.local'], additionals: ['A 10.42.0.5', 'A 10.42.0.6'] },
    },
    { name: 'endpoint hostname (StatefulSet pod)', q: 'db-0.db.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.42.0.5'] } },
    { name: 'endpoint by dashed IP', q: '10-42-0-6.db.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.42.0.6'] } },
    { name: 'unready endpoint has no name', q: '10-42-0-7.db.default.svc.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'headless without ports: A works', q: 'bare.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.42.1.9'] } },
    { name: 'headless without ports: SRV is NODATA', q: 'bare.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NOERROR', soa: true } },
    { name: 'headless without endpoints is NXDOMAIN (as CoreDNS)', q: 'empty.default.svc.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'ExternalName CNAME', q: 'ext.default.svc.cluster.local', type: 'CNAME', want: { rcode: 'NOERROR', answers: ['CNAME example.com'] } },
    { name: 'ExternalName A chases the target upstream', q: 'ext.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['CNAME example.com'], chase: 'example.com A' } },
    { name: 'ExternalName SRV is NODATA', q: 'ext.default.svc.cluster.local', type: 'SRV', want: { rcode: 'NOERROR', soa: true } },
    { name: 'ExternalName inside the zone is followed', q: 'alias.default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['CNAME web.default.svc.cluster.local', 'A 10.43.0.20'] } },
    { name: 'CNAME of a ClusterIP service is NODATA', q: 'web.default.svc.cluster.local', type: 'CNAME', want: { rcode: 'NOERROR', soa: true } },
    { name: 'pod A', q: '10-42-0-9.default.pod.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.42.0.9'] } },
    { name: 'pod AAAA of a v4 pod is NODATA', q: '10-42-0-9.default.pod.cluster.local', type: 'AAAA', want: { rcode: 'NOERROR', soa: true } },
    { name: 'pod with a bad IP is NXDOMAIN', q: 'web.default.pod.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'namespace is an empty non-terminal', q: 'default.svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', soa: true } },
    { name: 'svc is an empty non-terminal', q: 'svc.cluster.local', type: 'A', want: { rcode: 'NOERROR', soa: true } },
    { name: 'outside the schema is NXDOMAIN', q: 'foo.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'search-path expansion of an outside name is NXDOMAIN', q: 'example.com.default.svc.cluster.local', type: 'A', want: { rcode: 'NXDOMAIN', soa: true } },
    { name: 'apex SOA', q: 'cluster.local', type: 'SOA', want: { rcode: 'NOERROR', answers: ['SOA'] } },
    { name: 'apex NS', q: 'cluster.local', type: 'NS', want: { rcode: 'NOERROR', answers: ['NS ns.dns.cluster.local'], additionals: ['A 10.43.0.10'] } },
    { name: 'apex A is NODATA', q: 'cluster.local', type: 'A', want: { rcode: 'NOERROR', soa: true } },
    { name: 'ns.dns A', q: 'ns.dns.cluster.local', type: 'A', want: { rcode: 'NOERROR', answers: ['A 10.43.0.10'] } },
    { name: 'dns-version TXT', q: 'dns-version.cluster.local', type: 'TXT', want: { rcode: 'NOERROR', answers: ['TXT 1.1.0'] } },
    { name: 'zone transfer refused', q: 'cluster.local', type: 'AXFR', want: { rcode: 'REFUSED' } },
    { name: 'PTR of a ClusterIP', q: '20.0.43.10.in-addr.arpa', type: 'PTR', want: { rcode: 'NOERROR', answers: ['PTR web.default.svc.cluster.local'] } },
    { name: 'PTR of an endpoint with hostname', q: '5.0.42.10.in-addr.arpa', type: 'PTR', want: { rcode: 'NOERROR', answers: ['PTR db-0.db.default.svc.cluster.local'] } },
    { name: 'PTR of an endpoint without hostname', q: '6.0.42.10.in-addr.arpa', type: 'PTR', want: { rcode: 'NOERROR', answers: ['PTR 10-42-0-6.db.default.svc.cluster.local'] } },
    { name: 'PTR of an IPv6 ClusterIP', q: '0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', type: 'PTR', want: { rcode: 'NOERROR', answers: ['PTR dual.prod.svc.cluster.local'] } },
    { name: 'A of a known reverse name is NODATA', q: '20.0.43.10.in-addr.arpa', type: 'A', want: { rcode: 'NOERROR', soa: true } },
    { name: 'unknown reverse address is forwarded', q: '1.1.168.192.in-addr.arpa', type: 'PTR', want: { rcode: '', forward: true } },
    { name: 'other names are forwarded', q: 'example.com', type: 'A', want: { rcode: '', forward: true } },
  ];
  const index = seeded();
  for (const c of cases) {
    it(c.name, () => {
      const r = answerQuestion(cfg, index, { name: c.q, type: c.type, class: 'IN' });
      if (c.want.forward) return assert.equal(r, null);
      assert.ok(r);
      assert.equal(r.rcode, c.want.rcode);
      assert.deepEqual(r.answers.map(summarize), c.want.answers ?? []);
      assert.deepEqual(r.additionals.map(summarize), c.want.additionals ?? []);
      assert.deepEqual(r.authorities.map(summarize), c.want.soa ? ['SOA'] : []);
      assert.equal(r.chase ? `${r.chase.target} ${r.chase.type}` : undefined, c.want.chase);
      for (const a of r.answers) if (a.type !== 'SOA' && a.type !== 'TXT') assert.equal(a.ttl, 5);
      if (r.answers[0] && r.answers[0].type !== 'SOA') assert.equal(r.answers[0].name, c.q, 'answers are owned by the name as asked');
    });
  }

  it('the SOA carries CoreDNS values and the last change as serial', () => {
    const r = answerQuestion(cfg, index, { name: 'nope.default.svc.cluster.local', type: 'A', class: 'IN' });
    assert.deepEqual(r?.authorities[0], {
      name: 'cluster.local', type: 'SOA', class: 'IN', ttl: 5,
      data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1_700_000_000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
    });
  });

  it('before the informers synced, a missing name is SERVFAIL, not NXDOMAIN', () => {
    const fresh = new ClusterIndex({ zone: cfg.zone, clock });
    assert.equal(answerQuestion(cfg, fresh, { name: 'web.default.svc.cluster.local', type: 'A', class: 'IN' })?.rcode, 'SERVFAIL');
    fresh.markSynced();
    assert.equal(answerQuestion(cfg, fresh, { name: 'web.default.svc.cluster.local', type: 'A', class: 'IN' })?.rcode, 'NXDOMAIN');
  });

  it('a non-IN class in the zone is refused', () => {
    assert.equal(answerQuestion(cfg, index, { name: 'web.default.svc.cluster.local', type: 'A', class: 'CH' })?.rcode, 'REFUSED');
  });
});

describe('ClusterIndex', () => {
  it('follows updates and deletes of services and slices, reverse names included', () => {
    const index = seeded();
    const a = (name: string): string[] => (answerQuestion(cfg, index, { name, type: 'A', class: 'IN' })?.answers ?? []).map(summarize);
    const ptr = (name: string): string[] => (answerQuestion(cfg, index, { name, type: 'PTR', class: 'IN' })?.answers ?? []).map(summarize);
    const g0 = index.generation;
    index.upsertService(newService('default', 'web', { clusterIP: '10.43.0.21' }));
    assert.ok(index.generation > g0);
    assert.deepEqual(a('web.default.svc.cluster.local'), ['A 10.43.0.21']);
    assert.equal(answerQuestion(cfg, index, { name: '20.0.43.10.in-addr.arpa', type: 'PTR', class: 'IN' }), null, 'the old ClusterIP no longer points back');
    assert.deepEqual(ptr('21.0.43.10.in-addr.arpa'), ['PTR web.default.svc.cluster.local']);

    index.upsertSlice(newSlice('default', 'db-abc', 'db', [{ ip: '10.42.0.8', hostname: 'db-1' }], [{ name: 'pg', port: 5432 }]));
    index.upsertSlice(newSlice('default', 'db-def', 'db', [{ ip: '10.42.0.9' }], [{ name: 'pg', port: 5432 }]));
    assert.deepEqual(a('db.default.svc.cluster.local'), ['A 10.42.0.8', 'A 10.42.0.9']);
    assert.equal(answerQuestion(cfg, index, { name: '5.0.42.10.in-addr.arpa', type: 'PTR', class: 'IN' }), null);
    index.deleteSlice(newSlice('default', 'db-abc', 'db', []));
    assert.deepEqual(a('db.default.svc.cluster.local'), ['A 10.42.0.9']);
    assert.equal(answerQuestion(cfg, index, { name: 'db-1.db.default.svc.cluster.local', type: 'A', class: 'IN' })?.rcode, 'NXDOMAIN');

    index.deleteService(newService('default', 'web'));
    assert.equal(answerQuestion(cfg, index, { name: 'web.default.svc.cluster.local', type: 'A', class: 'IN' })?.rcode, 'NXDOMAIN');
    assert.equal(answerQuestion(cfg, index, { name: '21.0.43.10.in-addr.arpa', type: 'PTR', class: 'IN' }), null);
  });

  it('an endpoint in several services has a PTR per service; a ClusterIP wins over endpoints', () => {
    const index = seeded();
    index.upsertService(newService('default', 'db2', { clusterIP: 'None' }));
    index.upsertSlice(newSlice('default', 'db2-x', 'db2', [{ ip: '10.42.0.5' }]));
    const names = (answerQuestion(cfg, index, { name: '5.0.42.10.in-addr.arpa', type: 'PTR', class: 'IN' })?.answers ?? []).map(summarize);
    assert.deepEqual(names.sort(), ['PTR 10-42-0-5.db2.default.svc.cluster.local', 'PTR db-0.db.default.svc.cluster.local']);
    index.upsertService(newService('default', 'vip', { clusterIP: '10.42.0.5' }));
    assert.deepEqual((answerQuestion(cfg, index, { name: '5.0.42.10.in-addr.arpa', type: 'PTR', class: 'IN' })?.answers ?? []).map(summarize), ['PTR vip.default.svc.cluster.local']);
  });
});
