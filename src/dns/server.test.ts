import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../api/object.ts';
import { Client, InformerFactory, inProcessTransport } from '../client/index.ts';
import { admin, startTestApi, type TestApi } from '../testing/apiserver.ts';
import { waitFor } from '../testing/controller-harness.ts';
import { addressRecord, flagBits, rcodeOf, type Message } from './packet.ts';
import { DnsServer } from './server.ts';
import { newService, newSlice, query, resolve, startFakeUpstream, summarize, type FakeUpstream } from './testing.ts';

type Svc = Service & ApiObject;
type Slice = EndpointSlice & ApiObject;

describe('DnsServer with an API server and informers', () => {
  let api: TestApi;
  let upstream: FakeUpstream;
  let dns: DnsServer;
  let port = 0;
  const abort = new AbortController();
  let client: Client;

  before(async () => {
    api = await startTestApi();
    upstream = await startFakeUpstream({ 'example.com': { A: [addressRecord('example.com', '192.0.2.10', 300)] } });
    client = new Client(inProcessTransport(api.api, admin));
    const services = client.resource<Svc>('v1', 'services');
    const slices = client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');
    await services.create(newService('default', 'web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }) as Svc);
    await services.create(newService('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }) as Svc);
    await slices.create(newSlice('default', 'db-1', 'db', [{ ip: '10.42.0.5', hostname: 'db-0' }, { ip: '10.42.0.6', hostname: 'db-1' }], [{ name: 'pg', port: 5432 }]) as Slice);
    await services.create(newService('default', 'ext', { externalName: 'example.com' }) as Svc);
    await services.create(newService('default', 'many', { clusterIP: 'None', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }) as Svc);
    await slices.create(newSlice('default', 'many-1', 'many', Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.4.${i + 1}` })), [{ name: 'http', port: 8080 }]) as Slice);

    dns = new DnsServer({ informers: new InformerFactory(client), bindAddress: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${upstream.port}`], forwardTimeoutMs: 500 });
    void dns.start(abort.signal);
    port = (await dns.ready).port;
    await waitFor('informers synced', () => (dns.index.synced ? true : undefined));
  });
  after(async () => {
    abort.abort();
    await upstream.close();
    await api.close();
  });

  const answers = (m: Message): string[] => m.answers.map(summarize);

  it('answers a ClusterIP service over UDP and TCP', async () => {
    for (const tcp of [false, true]) {
      const m = await query(port, 'web.default.svc.cluster.local', 'A', { tcp });
      assert.deepEqual(answers(m), ['A 10.43.0.20'], tcp ? 'tcp' : 'udp');
      assert.ok(m.flags & flagBits.aa);
    }
  });

  it('answers SRV and per-endpoint names of a headless service', async () => {
    const srv = await query(port, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    assert.deepEqual(answers(srv).sort(), ['SRV 0 50 5432 db-0.db.default.svc.cluster.local', 'SRV 0 50 5432 db-1.db.default.svc.cluster.local']);
    assert.deepEqual(srv.additionals.filter((r) => r.type !== 'OPT').map(summarize).sort(), ['A 10.42.0.5', 'A 10.42.0.6']);
    assert.deepEqual(answers(await query(port, 'db-1.db.default.svc.cluster.local', 'A')), ['A 10.42.0.6']);
  });

  it('answers PTR for ClusterIPs and endpoints', async () => {
    assert.deepEqual(answers(await query(port, '20.0.43.10.in-addr.arpa', 'PTR')), ['PTR web.default.svc.cluster.local']);
    assert.deepEqual(answers(await query(port, '5.0.42.10.in-addr.arpa', 'PTR', { tcp: true })), ['PTR db-0.db.default.svc.cluster.local']);
  });

  it('tells NXDOMAIN from NODATA, with the SOA in authority', async () => {
    const nx = await query(port, 'nope.default.svc.cluster.local', 'A');
    assert.equal(rcodeOf(nx.flags), 3);
    assert.deepEqual(nx.authorities.map(summarize), ['SOA']);
    const nodata = await query(port, 'web.default.svc.cluster.local', 'AAAA');
    assert.equal(rcodeOf(nodata.flags), 0);
    assert.deepEqual(answers(nodata), []);
    assert.deepEqual(nodata.authorities.map(summarize), ['SOA']);
  });

  it('answers ExternalName with a CNAME and the target from the upstream', async () => {
    assert.deepEqual(answers(await query(port, 'ext.default.svc.cluster.local', 'CNAME')), ['CNAME example.com']);
    assert.deepEqual(answers(await query(port, 'ext.default.svc.cluster.local', 'A')), ['CNAME example.com', 'A 192.0.2.10']);
  });

  it('sets TC on a large UDP answer; the client gets everything over TCP', async () => {
    const first = await query(port, 'many.default.svc.cluster.local', 'A');
    assert.ok(first.flags & flagBits.tc);
    const { message, retriedOverTcp } = await resolve(port, 'many.default.svc.cluster.local', 'A');
    assert.ok(retriedOverTcp);
    assert.equal(message.answers.length, 60);
  });

  it('forwards other names to the upstream over UDP and TCP', async () => {
    assert.deepEqual(answers(await query(port, 'example.com', 'A')), ['A 192.0.2.10']);
    assert.deepEqual(answers(await query(port, 'example.com', 'A', { tcp: true })), ['A 192.0.2.10']);
    assert.equal(rcodeOf((await query(port, 'missing.example', 'A', { tcp: true })).flags), 3);
    assert.ok((upstream.queries.get('missing.example A') ?? 0) >= 1);
  });

  it('follows updates and deletes', async () => {
    const slices = client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');
    const services = client.resource<Svc>('v1', 'services');
    const cur = await slices.get('default', 'db-1');
    await slices.update({ ...cur, endpoints: [{ addresses: ['10.42.0.7'], hostname: 'db-2', conditions: { ready: true } }, { addresses: ['10.42.0.8'], conditions: { ready: false } }] });
    await waitFor('slice update seen', async () => (answers(await query(port, 'db.default.svc.cluster.local', 'A')).join() === 'A 10.42.0.7' ? true : undefined), 10_000);
    assert.equal(rcodeOf((await query(port, 'db-0.db.default.svc.cluster.local', 'A')).flags), 3);

    await services.create(newService('default', 'late', { clusterIP: '10.43.0.40' }) as Svc);
    await waitFor('new service seen', async () => (answers(await query(port, 'late.default.svc.cluster.local', 'A')).join() === 'A 10.43.0.40' ? true : undefined), 10_000);

    await services.delete('default', 'web');
    await waitFor('deleted service gone', async () => (rcodeOf((await query(port, 'web.default.svc.cluster.local', 'A')).flags) === 3 ? true : undefined), 10_000);
    const ptr = await query(port, '20.0.43.10.in-addr.arpa', 'PTR');
    assert.deepEqual(answers(ptr), [], 'the deleted ClusterIP is forwarded and the upstream knows nothing');
  });
});
