import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { directReadsAvailable, fastReadsAvailable, readInto, streamReads } from './socket-reads.ts';

// Reads of an accepted socket into a shared buffer, over real loopback sockets.

async function acceptedPair(): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [sock] = await accepted;
  return { server, client, accepted: sock };
}

describe('readInto', () => {
  it('is available on the Node the project runs on (a Node upgrade that loses it would fall back to streams unnoticed)', () => {
    assert.equal(fastReadsAvailable, true);
    assert.equal(directReadsAvailable, true);
  });

  it('delivers reads into the shared buffer, honours pause/resume, and hands over to a stream', async () => {
    const { server, client, accepted } = await acceptedPair();
    const buffer = Buffer.alloc(1024);
    const seen: string[] = [];
    let got: (() => void) | null = null;
    assert.equal(readInto(accepted, buffer, (b) => {
      assert.equal(b.buffer, buffer.buffer);
      seen.push(b.toString());
      got?.();
    }), true);
    const next = (): Promise<void> => new Promise((r) => (got = r));

    let wait = next();
    client.write('one');
    await wait;
    assert.deepEqual(seen, ['one']);

    accepted.pause();
    client.write('two');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ['one'], 'nothing is read while paused');
    wait = next();
    accepted.resume();
    await wait;
    assert.deepEqual(seen, ['one', 'two']);

    // After streamReads the socket is an ordinary Readable again, as the upgrade pass-through pipes it.
    accepted.pause();
    streamReads(accepted, buffer);
    const chunks: string[] = [];
    accepted.on('data', (c: Buffer) => chunks.push(c.toString()));
    accepted.resume();
    client.end('three');
    await once(accepted, 'end');
    assert.deepEqual(chunks, ['three']);
    assert.deepEqual(seen, ['one', 'two']);
    accepted.destroy();
    server.close();
  });
});
