import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeChannel, encodeChannel, splitProtocols } from './websocket.ts';

describe('WebSocket channel codec', () => {
  const cases = [
    { name: 'stdout text', channel: 1, data: 'hello', wire: [1, 104, 101, 108, 108, 111] },
    { name: 'empty stdin', channel: 0, data: '', wire: [0] },
    { name: 'v5 close of stdin', channel: 255, data: new Uint8Array([0]), wire: [255, 0] },
    { name: 'binary status', channel: 3, data: new Uint8Array([0, 255]), wire: [3, 0, 255] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const wire = encodeChannel(c.channel, c.data);
      assert.deepEqual([...wire], c.wire);
      const back = decodeChannel(wire);
      assert.equal(back?.channel, c.channel);
      assert.deepEqual(back?.payload, Buffer.from(typeof c.data === 'string' ? Buffer.from(c.data) : c.data));
    });
  }

  it('decodes fragmented messages and ignores empty ones', () => {
    assert.deepEqual(decodeChannel([Buffer.from([2, 97]), Buffer.from('b')]), { channel: 2, payload: Buffer.from('ab') });
    assert.equal(decodeChannel(Buffer.alloc(0)), null);
  });

  it('splits offered protocols as Node joins repeated headers', () => {
    assert.deepEqual(splitProtocols('v5.channel.k8s.io, v4.channel.k8s.io'), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    assert.deepEqual(splitProtocols(['SPDY/3.1+portforward.k8s.io', 'portforward.k8s.io']), ['SPDY/3.1+portforward.k8s.io', 'portforward.k8s.io']);
    assert.deepEqual(splitProtocols(undefined), []);
  });
});
