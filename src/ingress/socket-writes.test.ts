import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { writeSocket } from './socket-writes.ts';

// Direct writes over real loopback sockets: order with stream writes, backpressure, errors.

async function pair(): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  // Written while connecting: the stream queues it (the direct path does not apply yet).
  assert.equal(writeSocket(client, 'a'), true);
  await once(client, 'connect');
  const [sock] = await accepted;
  return { server, client, accepted: sock };
}

function collect(sock: net.Socket): () => Promise<string> {
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  return async () => {
    await once(sock, 'end');
    return Buffer.concat(chunks).toString('latin1');
  };
}

describe('writeSocket', { timeout: 60_000 }, () => {
  it('keeps the order of strings (latin1), buffers and stream writes', async () => {
    const { server, client, accepted } = await pair();
    const received = collect(accepted);
    assert.equal(writeSocket(client, 'b\xe9'), true);
    assert.equal(writeSocket(client, Buffer.from('c')), true);
    client.write('d');
    assert.equal(writeSocket(client, 'e'), true);
    client.end('f');
    assert.equal(await received(), 'ab\xe9cdef');
    server.close();
  });

  it('writes past the stream once it learnt the handle protocol (Node 24.22 and later)', async (t) => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major < 24 || (major === 24 && minor < 22)) return t.skip('the handle protocol of Node 24.22 is not here');
    const { server, client, accepted } = await pair();
    t.after(() => {
      client.destroy();
      server.close();
    });
    const received = collect(accepted);
    writeSocket(client, 'b');
    let streamWrites = 0;
    const write = client.write;
    client.write = function (this: net.Socket, ...args: unknown[]) {
      streamWrites++;
      return Reflect.apply(write, this, args) as boolean;
    } as typeof client.write;
    for (const piece of ['c', Buffer.from('d'), 'e']) assert.equal(writeSocket(client, piece), true);
    assert.equal(streamWrites, 0);
    client.end('f');
    assert.equal(await received(), 'abcdef');
  });

  it('returns false when the kernel does not take everything, then emits drain; what follows stays in order', async () => {
    const { server, client, accepted } = await pair();
    accepted.pause();
    const big = Buffer.alloc(16 << 20, 'x');
    // The first write goes through the stream once (learning how it calls the handle); the big one is direct
    // where this Node allows it. 'y' queues behind it: in the stream (the handle holds the big write's rest) or,
    // where every write goes through the stream, in its buffer.
    writeSocket(client, 'b');
    assert.equal(writeSocket(client, big), false);
    writeSocket(client, 'y');
    const drained = once(client, 'drain');
    const received = collect(accepted);
    accepted.resume();
    await drained;
    client.end('z');
    const got = await received();
    assert.equal(got.length, 1 + 1 + big.length + 2);
    assert.equal(got.slice(0, 2), 'ab');
    assert.equal(got.slice(-2), 'yz');
    server.close();
  });

  it('destroys the socket with the error when the peer is gone', async () => {
    const { server, client, accepted } = await pair();
    let err: NodeJS.ErrnoException | null = null;
    client.on('error', (e: NodeJS.ErrnoException) => (err = e));
    client.resume();
    accepted.resetAndDestroy();
    for (let i = 0; i < 100 && !client.destroyed; i++) {
      writeSocket(client, 'late');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(client.destroyed);
    const code = (err as NodeJS.ErrnoException | null)?.code;
    assert.ok(code === 'EPIPE' || code === 'ECONNRESET', String(code));
    server.close();
  });
});
