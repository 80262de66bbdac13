import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterIndex } from './cluster-index.ts';
import { ForwardCache } from './forward-cache.ts';
import { Forwarder, parseUpstream } from './forwarder.ts';
import { DnsHandler, type Transport } from './handler.ts';
import { isSelf } from './server.ts';
import { addressRecord, decodeMessage, encodeMessage, findOpt, flagBits, rcodeOf, type Message } from './packet.ts';
import { newService, newSlice, queryMessage, startFakeUpstream, summarize, type FakeUpstream, type QueryOptions } from './testing.ts';

const zone = { zone: 'cluster.local', ttl: 5, nameservers: ['10.43.0.10'] };

describe('DnsHandler', () => {
  let upstream: FakeUpstream;
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  let index: ClusterIndex;
  let handler: DnsHandler;
  let forwarder: Forwarder;

  before(async () => {
    upstream = await startFakeUpstream({
      'example.com': { A: [addressRecord('example.com', '192.0.2.10', 300)] },
      'short.example': { A: [addressRecord('short.example', '192.0.2.11', 10)] },
      'big.example': { TXT: Array.from({ length: 30 }, (_, i) => ({ name: 'big.example', type: 'TXT', class: 'IN', ttl: 60, data: [`record number ${i} with some padding to make it long`] })) },
    });
    index = new ClusterIndex({ zone: zone.zone, clock });
    index.upsertService(newService('default', 'web', { clusterIP: '10.43.0.20' }));
    index.upsertService(newService('default', 'many', { clusterIP: 'None' }));
    index.upsertSlice(newSlice('default', 'many-1', 'many', Array.from({ length: 40 }, (_, i) => ({ ip: `10.42.3.${i + 1}` })), [{ name: 'http', port: 8080 }]));
    index.upsertService(newService('default', 'ext', { externalName: 'example.com' }));
    index.markSynced();
    // Generous: a loaded machine must not turn a slow loopback answer into SERVFAIL.
    forwarder = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: upstream.port }], timeoutMs: 5000 });
    handler = new DnsHandler({ zone, index, forwarder, cache: new ForwardCache({ clock }) });
  });
  after(async () => {
    forwarder.close();
    await upstream.close();
  });

  const ask = async (name: string, type: string, transport: Transport = 'udp', opts: QueryOptions = {}): Promise<{ m: Message; size: number; id: number }> => {
    const q = queryMessage(name, type, opts);
    const out = await handler.handle(encodeMessage(q), transport);
    assert.ok(out);
    const m = decodeMessage(out);
    assert.equal(m.id, q.id, 'the answer carries the query ID');
    return { m, size: out.length, id: q.id };
  };

  it('answers cluster names authoritatively, with recursion available and RD echoed', async () => {
    const { m } = await ask('web.default.svc.cluster.local', 'A');
    assert.deepEqual(m.answers.map(summarize), ['A 10.43.0.20']);
    assert.equal(m.type, 'response');
    assert.ok(m.flags & flagBits.aa && m.flags & flagBits.ra && m.flags & flagBits.rd);
  });

  it('keeps a rendered answer until the cluster changes', async () => {
    const before = handler.stats.cachedAnswers;
    await ask('web.default.svc.cluster.local', 'A');
    assert.equal(handler.stats.cachedAnswers, before + 1);
    index.upsertService(newService('default', 'web', { clusterIP: '10.43.0.99' }));
    const { m } = await ask('web.default.svc.cluster.local', 'A');
    assert.deepEqual(m.answers.map(summarize), ['A 10.43.0.99']);
    assert.equal(handler.stats.cachedAnswers, before + 1);
  });

  it('truncates large UDP answers with TC; TCP and a large EDNS0 size get everything', async () => {
    const udp = await ask('many.default.svc.cluster.local', 'A');
    assert.ok(udp.m.flags & flagBits.tc, 'TC set');
    assert.ok(udp.size <= 512);
    assert.ok(udp.m.answers.length > 0 && udp.m.answers.length < 40);
    const tcp = await ask('many.default.svc.cluster.local', 'A', 'tcp');
    assert.equal(tcp.m.flags & flagBits.tc, 0);
    assert.equal(tcp.m.answers.length, 40);
    const edns = await ask('many.default.svc.cluster.local', 'A', 'udp', { udpSize: 4096 });
    assert.equal(edns.m.flags & flagBits.tc, 0);
    assert.equal(edns.m.answers.length, 40);
    assert.equal(findOpt(edns.m)?.udpPayloadSize, 4096, 'OPT mirrored');
    const srv = await ask('_http._tcp.many.default.svc.cluster.local', 'SRV', 'udp', { udpSize: 1232 });
    assert.ok(srv.size <= 1232);
    assert.ok(srv.m.flags & flagBits.tc);
  });

  it('refuses bad messages as upstream servers do', async () => {
    const garbage = Buffer.from('0102000000010000000000000561626364', 'hex');
    const formerr = await handler.handle(garbage, 'udp');
    assert.ok(formerr);
    assert.equal(rcodeOf(decodeMessage(formerr).flags), 1);
    assert.equal(decodeMessage(formerr).id, 0x0102);

    const status = { ...queryMessage('web.default.svc.cluster.local', 'A'), flags: 2 << 11 };
    const notimp = decodeMessage((await handler.handle(encodeMessage(status), 'udp')) as Buffer);
    assert.equal(rcodeOf(notimp.flags), 4);

    const badvers = (await ask('web.default.svc.cluster.local', 'A', 'udp', { udpSize: 1232, ednsVersion: 1 })).m;
    assert.equal(findOpt(badvers)?.extendedRcode, 1, 'BADVERS is extended rcode 16');
    assert.equal(rcodeOf(badvers.flags), 0);

    const response = { ...queryMessage('web.default.svc.cluster.local', 'A'), type: 'response' as const };
    assert.equal(await handler.handle(encodeMessage(response), 'udp'), null, 'responses are dropped');
  });

  it('forwards other names and caches the answer with aged TTLs', async () => {
    const first = await ask('example.com', 'A');
    assert.deepEqual(first.m.answers.map(summarize), ['A 192.0.2.10']);
    assert.equal(upstream.queries.get('example.com A'), 1);
    now += 10_000;
    const second = await ask('EXAMPLE.com', 'A');
    assert.equal(upstream.queries.get('example.com A'), 1, 'served from the cache');
    assert.deepEqual(second.m.answers.map(summarize), ['A 192.0.2.10']);
    assert.equal(second.m.answers[0]?.ttl, 20, 'capped at 30 s, then aged 10 s');
    assert.equal(second.m.questions[0]?.name, 'EXAMPLE.com', 'the question comes back as asked');
    now += 25_000;
    await ask('example.com', 'A');
    assert.equal(upstream.queries.get('example.com A'), 2, 'expired after 30 s');
  });

  it('caches NXDOMAIN for the SOA negative TTL (capped at 30 s)', async () => {
    const first = await ask('missing.example', 'A');
    assert.equal(rcodeOf(first.m.flags), 3);
    now += 29_000;
    await ask('missing.example', 'A');
    assert.equal(upstream.queries.get('missing.example A'), 1);
    now += 2_000;
    await ask('missing.example', 'A');
    assert.equal(upstream.queries.get('missing.example A'), 2);
  });

  it('forwards over TCP when asked over TCP, and passes TC through over UDP', async () => {
    const udp = await ask('big.example', 'TXT');
    assert.ok(udp.m.flags & flagBits.tc);
    const tcp = await ask('big.example', 'TXT', 'tcp');
    assert.equal(tcp.m.answers.length, 30);
  });

  it('chases an ExternalName target upstream', async () => {
    const { m } = await ask('ext.default.svc.cluster.local', 'A');
    assert.deepEqual(m.answers.map(summarize), ['CNAME example.com', 'A 192.0.2.10']);
  });

  it('answers SERVFAIL when every upstream fails', async () => {
    upstream.silent = true;
    try {
      const { m } = await ask('timeout.example', 'A');
      assert.equal(rcodeOf(m.flags), 2);
      assert.ok(handler.stats.forwardFailures >= 1);
    } finally {
      upstream.silent = false;
    }
  });
});

describe('isSelf', () => {
  const local = (): string[] => ['127.0.0.1', '10.0.0.5'];
  const cases: { name: string; up: string; bind: string; want: boolean }[] = [
    { name: 'same address and port', up: '127.0.0.1:53', bind: '127.0.0.1:53', want: true },
    { name: 'other port', up: '127.0.0.1:5353', bind: '127.0.0.1:53', want: false },
    { name: 'wildcard bind, local address', up: '10.0.0.5:53', bind: '0.0.0.0:53', want: true },
    { name: 'wildcard bind, remote resolver', up: '10.255.255.53:53', bind: '0.0.0.0:53', want: false },
    { name: 'port 0 never loops', up: '127.0.0.1:53', bind: '127.0.0.1:0', want: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [host, port] = c.bind.split(':');
      assert.equal(isSelf(parseUpstream(c.up), { host: host as string, port: Number(port) }, local), c.want);
    });
  }
});
