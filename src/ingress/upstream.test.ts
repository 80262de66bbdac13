import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { UpstreamPool, type UpstreamHead } from './upstream.ts';

// The upstream client against a raw-socket backend that answers each request with a scripted byte sequence
// (written in pieces, to split heads, chunk sizes and bodies across reads): framing, reuse, and failures.

interface Outcome {
  head: UpstreamHead | null;
  body: string;
  error: string | null;
  reused: boolean;
}

describe('UpstreamPool', { timeout: 30_000 }, () => {
  let server: net.Server;
  let port = 0;
  // Each accepted connection answers requests in order from the script of the path it was asked for.
  const scripts = new Map<string, (string | 'close')[]>();
  const received: string[] = [];
  const pool = new UpstreamPool({ connectTimeoutMs: 2_000, readTimeoutMs: 300 });

  before(async () => {
    server = net.createServer((sock) => {
      let buf = '';
      sock.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.slice(0, end);
          const cl = /\r\ncontent-length: (\d+)/i.exec(head);
          const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
          let bodyEnd = end + 4 + (cl ? Number(cl[1]) : 0);
          if (chunked) {
            const z = buf.indexOf('0\r\n\r\n', end + 4);
            if (z < 0) return;
            bodyEnd = z + 5;
          }
          if (buf.length < bodyEnd) return;
          received.push(buf.slice(0, bodyEnd));
          buf = buf.slice(bodyEnd);
          const path = head.split(' ')[1] ?? '';
          for (const piece of scripts.get(path) ?? []) {
            if (piece === 'close') sock.destroy();
            else sock.write(piece, 'latin1');
          }
        }
      });
      sock.on('error', () => {});
    });
    server.listen(0, '127.0.0.2');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => {
    pool.close();
    server.close();
  });

  function send(path: string, opts: { method?: string; body?: string[]; chunked?: boolean } = {}): Promise<Outcome> {
    return new Promise((resolve) => {
      const out: Outcome = { head: null, body: '', error: null, reused: false };
      const headers = opts.body ? (opts.chunked ? '\r\ntransfer-encoding: chunked' : `\r\ncontent-length: ${opts.body.join('').length}`) : '';
      const ex = pool.request({
        host: '127.0.0.2', port, address: `127.0.0.2:${port}`,
        head: `${opts.method ?? 'GET'} ${path} HTTP/1.1\r\nhost: u.test${headers}\r\n\r\n`,
        headRequest: opts.method === 'HEAD',
        body: opts.body ? Readable.from(opts.body.map((s) => Buffer.from(s))) : null,
        chunked: opts.chunked ?? false,
      }, {
        onHead: (h) => (out.head = h),
        onData: (c) => ((out.body += c.toString()), true),
        onEnd: () => resolve(out),
        onError: (err, reused) => resolve({ ...out, error: err.code ?? err.message, reused }),
      });
      out.reused = ex.reused;
    });
  }

  const cases: { name: string; path: string; script: string[]; method?: string; status: number; body: string }[] = [
    { name: 'content-length, head and body in pieces', path: '/cl', script: ['HTTP/1.1 200 OK\r\ncontent-le', 'ngth: 5\r\nx-a: 1\r\n\r\nhe', 'llo'], status: 200, body: 'hello' },
    { name: 'chunked, sizes and data split across reads, with extension and trailer', path: '/chunked', script: ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3', ';x=1\r\nabc\r', '\n1', '0\r\n0123456789abcdef\r\n0\r\nx-trailer: 1\r\n\r\n'], status: 200, body: 'abc0123456789abcdef' },
    { name: '204 has no body', path: '/nocontent', script: ['HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n'], status: 204, body: '' },
    { name: 'HEAD response has no body despite its length', path: '/head', method: 'HEAD', script: ['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n'], status: 200, body: '' },
    { name: '100 Continue is skipped', path: '/continue', script: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok'], status: 201, body: 'ok' },
    { name: 'no length: the body ends at close', path: '/eof', script: ['HTTP/1.1 200 OK\r\n\r\nuntil ', 'close', 'close'], status: 200, body: 'until ' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      scripts.set(c.path, c.script);
      const r = await send(c.path, c.method ? { method: c.method } : {});
      assert.equal(r.error, null);
      assert.equal(r.head?.status, c.status);
      assert.equal(r.body, c.body);
    });
  }

  it('keeps the headers as received, without the hop-by-hop and framing ones', async () => {
    scripts.set('/h', ['HTTP/1.1 404 Not Found\r\nX-Name: a: b\r\ncontent-length: 0\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nDate: x\r\nx-b:c\r\n\r\n']);
    const r = await send('/h');
    assert.equal(r.head?.statusMessage, 'Not Found');
    assert.equal(r.head?.lines, 'X-Name: a: b\r\nx-b: c\r\n');
  });

  it('reuses a kept-alive socket, and not one the upstream asked to close', async () => {
    scripts.set('/ka', ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nk']);
    scripts.set('/close', ['HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\nc']);
    await send('/close');
    assert.equal((await send('/close')).reused, false);
    await send('/ka');
    assert.equal((await send('/ka')).reused, true);
    // Only the kept-alive socket is idle: two requests at once need one new connection.
    const both = await Promise.all([send('/ka'), send('/ka')]);
    assert.deepEqual(both.map((r) => r.reused).sort(), [false, true]);
  });

  it('parses each answer on a kept-alive socket, repeated or not', async () => {
    scripts.set('/r1', ['HTTP/1.1 200 OK\r\nx-r: 1\r\ncontent-length: 1\r\n\r\na']);
    scripts.set('/r2', ['HTTP/1.1 404 Not Found\r\nx-r: 2\r\ncontent-length: 2\r\n\r\nbc']);
    const got: (string | number | undefined)[][] = [];
    for (const path of ['/r1', '/r1', '/r2', '/r1']) {
      const r = await send(path);
      got.push([r.head?.status, r.head?.lines, r.body, r.error ?? undefined]);
    }
    assert.deepEqual(got, [[200, 'x-r: 1\r\n', 'a', undefined], [200, 'x-r: 1\r\n', 'a', undefined], [404, 'x-r: 2\r\n', 'bc', undefined], [200, 'x-r: 1\r\n', 'a', undefined]]);
  });

  it('sends request bodies with their framing', async () => {
    scripts.set('/post', ['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n']);
    received.length = 0;
    await send('/post', { method: 'POST', body: ['ab', 'cd'] });
    await send('/post', { method: 'POST', body: ['ab', 'cde'], chunked: true });
    assert.match(received[0] ?? '', /content-length: 4\r\n\r\nabcd$/);
    assert.match(received[1] ?? '', /\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
  });

  it('reports a reset before the response, with whether the socket was reused', async () => {
    scripts.set('/reset', ['close']);
    scripts.set('/ok', ['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n']);
    await send('/ok');
    const r = await send('/reset');
    assert.equal(r.error, 'ECONNRESET');
    assert.equal(r.reused, true);
  });

  it('times out a silent upstream, and refuses a bad status line', async () => {
    scripts.set('/silent', []);
    assert.equal((await send('/silent')).error, 'ERR_READ_TIMEOUT');
    scripts.set('/bad', ['SPDY/3 200 OK\r\n\r\n']);
    assert.equal((await send('/bad')).error, 'HPE_INVALID_CONSTANT');
  });

  it('reports a refused connection', async () => {
    const s = net.createServer().listen(0, '127.0.0.3');
    await once(s, 'listening');
    const closedPort = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    const r = await new Promise<string>((resolve) => {
      pool.request({ host: '127.0.0.3', port: closedPort, address: `127.0.0.3:${closedPort}`, head: 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', headRequest: false, body: null, chunked: false }, {
        onHead: () => {}, onData: () => true, onEnd: () => resolve('end'), onError: (err) => resolve(err.code ?? ''),
      });
    });
    assert.equal(r, 'ECONNREFUSED');
  });
});
