import assert from 'node:assert/strict';
import { once } from 'node:events';
import { duplexPair, type Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { constants, createDeflate, createInflate, type Inflate } from 'node:zlib';
import { adler32, spdyDictionary } from './dictionary.ts';
import { decodeHeaderBlock, encodeControl, encodeData, encodeHeaderBlock, flagFin, FrameReader, frameTypes, StoredBlockDeflater, u32, type Frame } from './frames.ts';
import { inflateChunk, SpdySession, type SpdyStream } from './session.ts';

// A minimal SPDY client in the test: it compresses header blocks with a real zlib deflater primed with
// the dictionary (as spdystream does) and inflates the server's blocks with one session-long inflater.
class TestClient {
  readonly frames: Frame[] = [];
  readonly #reader = new FrameReader();
  readonly #deflate = createDeflate({ dictionary: spdyDictionary });
  readonly inflate: Inflate = createInflate({ dictionary: spdyDictionary, flush: constants.Z_SYNC_FLUSH });
  readonly socket: Duplex;
  #waiters: (() => void)[] = [];

  constructor(socket: Duplex) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.frames.push(...this.#reader.feed(d));
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async compress(raw: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    const onData = (c: Buffer): number => out.push(c);
    this.#deflate.on('data', onData);
    this.#deflate.write(raw);
    await new Promise<void>((r) => this.#deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    this.#deflate.off('data', onData);
    return Buffer.concat(out);
  }

  async synStream(id: number, headers: Record<string, string>, flags = 0): Promise<void> {
    const block = await this.compress(encodeHeaderBlock(headers));
    this.socket.write(encodeControl(frameTypes.synStream, flags, Buffer.concat([u32(id, 0), Buffer.from([0, 0]), block])));
  }

  async until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((r) => this.#waiters.push(r));
  }

  dataFor(id: number): { bytes: Buffer; fin: boolean } {
    const frames = this.frames.filter((f) => f.kind === 'data' && f.streamId === id);
    return { bytes: Buffer.concat(frames.map((f) => f.payload)), fin: frames.some((f) => f.flags & flagFin) };
  }
}

const inflateWith = inflateChunk;

describe('SPDY dictionary and framing', () => {
  it('has the SPDY/3 dictionary (1423 bytes, known adler32)', () => {
    assert.equal(spdyDictionary.length, 1423);
    assert.equal(adler32(spdyDictionary), 0xe3c6a7c2);
    assert.equal(spdyDictionary.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  });

  it('cuts frames at any split of the input', () => {
    const wire = Buffer.concat([encodeData(3, flagFin, Buffer.from('hello')), encodeControl(frameTypes.ping, 0, u32(1)), encodeData(5, 0, Buffer.alloc(0))]);
    for (let split = 0; split <= wire.length; split++) {
      const r = new FrameReader();
      const frames = [...r.feed(wire.subarray(0, split)), ...r.feed(wire.subarray(split))];
      assert.deepEqual(frames.map((f) => (f.kind === 'data' ? `d${f.streamId}:${f.payload.toString()}:${f.flags}` : `c${f.type}`)), ['d3:hello:1', 'c6', 'd5::0']);
    }
  });

  it('writes stored blocks a session-long inflater reads, each flushed', async () => {
    const d = new StoredBlockDeflater();
    const inflate = createInflate({ dictionary: spdyDictionary, flush: constants.Z_SYNC_FLUSH });
    const big = Buffer.alloc(70_000, 'x');
    for (const raw of [encodeHeaderBlock({ a: 'b' }), big, Buffer.alloc(0), encodeHeaderBlock({ streamtype: 'error' })]) {
      const out = d.deflate(raw);
      assert.deepEqual([...out.subarray(-5)], [0, 0, 0, 0xff, 0xff], 'every block ends with the sync-flush marker');
      assert.deepEqual(await inflateWith(inflate, out), raw);
    }
    inflate.close();
  });

  it('rejects truncated header blocks', () => {
    const b = encodeHeaderBlock({ port: '8080' });
    assert.throws(() => decodeHeaderBlock(b.subarray(0, b.length - 1)), /truncated/);
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ StreamType: 'a\0b' })), { streamtype: 'a' });
  });
});

describe('SpdySession', () => {
  it('accepts streams, replies, and sends far past the 64 KiB window without WINDOW_UPDATE', async () => {
    const [serverSide, clientSide] = duplexPair();
    const session = new SpdySession(serverSide);
    const client = new TestClient(clientSide);
    const got = once(session, 'stream') as Promise<[SpdyStream]>;
    await client.synStream(1, { streamtype: 'data', port: '80', requestid: '0' });
    const [stream] = await got;
    assert.deepEqual(stream.headers, { streamtype: 'data', port: '80', requestid: '0' });
    stream.reply();
    const payload = Buffer.alloc(300_000, 7);
    stream.end(payload);
    await client.until(() => client.dataFor(1).fin);
    assert.equal(client.dataFor(1).bytes.length, payload.length);
    const reply = client.frames.find((f) => f.kind === 'control' && f.type === frameTypes.synReply);
    assert.ok(reply && reply.kind === 'control');
    assert.equal(reply.payload.readUInt32BE(0), 1);
    assert.deepEqual(decodeHeaderBlock(await inflateWith(client.inflate, reply.payload.subarray(4))), {});

    // Client data and FIN reach the stream's reader.
    const read = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString();
    })();
    clientSide.write(encodeData(1, 0, Buffer.from('abc')));
    clientSide.write(encodeData(1, flagFin, Buffer.from('def')));
    assert.equal(await read, 'abcdef');
    session.close();
    client.inflate.close();
  });

  it('shares one zlib context across streams and echoes client pings', async () => {
    const [serverSide, clientSide] = duplexPair();
    const session = new SpdySession(serverSide);
    const client = new TestClient(clientSide);
    const seen: Record<string, string>[] = [];
    session.on('stream', (s) => {
      seen.push(s.headers);
      s.reply();
    });
    await client.synStream(1, { streamtype: 'error' });
    await client.synStream(3, { streamtype: 'stdout' });
    await client.synStream(5, { streamtype: 'stderr' });
    clientSide.write(encodeControl(frameTypes.ping, 0, u32(7)));
    await client.until(() => client.frames.filter((f) => f.kind === 'control' && f.type === frameTypes.synReply).length === 3 && client.frames.some((f) => f.kind === 'control' && f.type === frameTypes.ping));
    assert.deepEqual(seen.map((h) => h.streamtype), ['error', 'stdout', 'stderr']);
    for (const f of client.frames) if (f.kind === 'control' && f.type === frameTypes.synReply) await inflateWith(client.inflate, f.payload.subarray(4));
    session.close();
    client.inflate.close();
  });

  it('destroys a stream on RST_STREAM and closes on GOAWAY', async () => {
    const [serverSide, clientSide] = duplexPair();
    const session = new SpdySession(serverSide);
    const client = new TestClient(clientSide);
    const got = once(session, 'stream') as Promise<[SpdyStream]>;
    await client.synStream(1, { streamtype: 'data' });
    const [stream] = await got;
    clientSide.write(encodeControl(frameTypes.rstStream, 0, u32(1, 5)));
    await once(stream, 'close');
    const closed = once(session, 'close');
    clientSide.write(encodeControl(frameTypes.goaway, 0, u32(0, 0)));
    await closed;
    assert.equal(session.closed, true);
    client.inflate.close();
  });
});
