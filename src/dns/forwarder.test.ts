import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Forwarder, parseUpstream, type Upstream } from './forwarder.ts';
import { addressRecord, decodeMessage, encodeMessage } from './packet.ts';
import { queryMessage, startFakeUpstream, summarize } from './testing.ts';

describe('parseUpstream', () => {
  const cases: { in: string; want: Upstream | 'error' }[] = [
    { in: '192.0.2.1', want: { host: '192.0.2.1', port: 53 } },
    { in: '192.0.2.1:5353', want: { host: '192.0.2.1', port: 5353 } },
    { in: '2001:DB8::1', want: { host: '2001:db8::1', port: 53 } },
    { in: '[2001:db8::1]:5353', want: { host: '2001:db8::1', port: 5353 } },
    { in: 'dns.example', want: 'error' },
    { in: '192.0.2.1:0', want: 'error' },
    { in: '192.0.2.1:53:1', want: 'error' },
  ];
  for (const c of cases) {
    it(c.in, () => {
      if (c.want === 'error') assert.throws(() => parseUpstream(c.in), /invalid upstream resolver/);
      else assert.deepEqual(parseUpstream(c.in), c.want);
    });
  }
});

describe('Forwarder', () => {
  it('falls back to the next upstream when one does not answer, over UDP and TCP', async () => {
    const dead = await startFakeUpstream({});
    dead.silent = true;
    const live = await startFakeUpstream({ 'example.net': { A: [addressRecord('example.net', '192.0.2.30', 60)] } });
    const fwd = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: dead.port }, { host: '127.0.0.1', port: live.port }], timeoutMs: 200 });
    try {
      for (const tcp of [false, true, false]) {
        const q = queryMessage('example.net', 'A');
        const res = decodeMessage(await fwd.exchange(encodeMessage(q), tcp));
        assert.equal(res.id, q.id);
        assert.deepEqual(res.answers.map(summarize), ['A 192.0.2.30']);
      }
      assert.ok((dead.queries.get('example.net A') ?? 0) >= 1, 'the first upstream was tried');
    } finally {
      fwd.close();
      await dead.close();
      await live.close();
    }
  });

  it('rejects when every upstream fails', async () => {
    const dead = await startFakeUpstream({});
    dead.silent = true;
    const fwd = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: dead.port }], timeoutMs: 100 });
    try {
      await assert.rejects(fwd.exchange(encodeMessage(queryMessage('example.net', 'A')), false), /timed out/);
    } finally {
      fwd.close();
      await dead.close();
    }
  });
});
