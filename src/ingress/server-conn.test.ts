import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../clock.ts';
import { HttpListener } from './server-conn.ts';
import type { ServerExchange } from './server-exchange.ts';

// The client-side HTTP/1.1 server over real loopback sockets: keep-alive, pipelining, bodies, framing of the
// answers, 100-continue, malformed requests, the idle timeout, clients that leave, and upgrades.

describe('HttpListener', { timeout: 30_000 }, () => {
  let listener: HttpListener;
  const closes: { target: string; finished: boolean }[] = [];
  const upgrades: { target: string; rest: string }[] = [];

  // Each path is a behaviour; pipelined answers come back in request order whatever their delays.
  async function handle(ex: ServerExchange): Promise<void> {
    const t = ex.head.target;
    ex.onClose({ exchangeClosed: (finished) => closes.push({ target: t, finished }) });
    const delay = /[?&]delay=(\d+)/.exec(t);
    if (delay) await new Promise((r) => setTimeout(r, Number(delay[1])));
    if (t.startsWith('/echo')) {
      const chunks: Buffer[] = [];
      for await (const c of ex.body()) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('latin1');
      ex.respond(200, 'OK', '', body.length);
      ex.end(body);
    } else if (t.startsWith('/unknown-length')) {
      ex.respond(200, 'OK', 'x-a: 1\r\n', -1);
      ex.write(Buffer.from('abc'));
      ex.write(Buffer.from('de'));
      ex.end();
    } else if (t.startsWith('/status/')) {
      // The status and a header follow the path, so answers on one connection differ or repeat as the requests do.
      const status = Number(t.slice(8, 11));
      ex.respond(status, status === 200 ? 'OK' : 'Not Found', `x-s: ${status}\r\n`, t.length);
      ex.end(t);
    } else if (t.startsWith('/never')) {
      // no answer: the client goes away first
    } else {
      const body = `${ex.head.method} ${t}`;
      ex.respond(200, 'OK', 'content-type: text/plain\r\n', body.length);
      ex.end(body);
    }
  }

  before(async () => {
    listener = new HttpListener(net.createServer({ allowHalfOpen: true }), false, {
      keepAliveMs: 200,
      clock: systemClock,
      onRequest: (ex) => void handle(ex),
      onUpgrade: (head, socket, rest) => {
        upgrades.push({ target: head.target, rest: rest.toString() });
        socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded');
      },
    });
    await listener.listen(0, '127.0.0.1', false);
  });

  after(async () => {
    await listener.close(100);
  });

  /** talk writes each piece (a pause between them) and returns everything read until the server closes. */
  async function talk(...pieces: string[]): Promise<string> {
    const sock = net.connect(listener.port, '127.0.0.1');
    await once(sock, 'connect');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const closed = once(sock, 'close');
    for (const p of pieces) {
      sock.write(p);
      await new Promise((r) => setTimeout(r, 20));
    }
    await closed;
    return got;
  }

  /** responses lists the status and body of each response in a byte stream with Content-Length or chunked framing. */
  function responses(raw: string): { status: number; headers: string; body: string }[] {
    const out: { status: number; headers: string; body: string }[] = [];
    let rest = raw;
    while (rest.length > 0) {
      const end = rest.indexOf('\r\n\r\n');
      const head = rest.slice(0, end);
      rest = rest.slice(end + 4);
      const status = Number(head.slice(9, 12));
      const cl = /\r\ncontent-length: (\d+)/i.exec(head);
      let body = '';
      if (/\r\ntransfer-encoding: chunked/i.test(head)) {
        for (;;) {
          const eol = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, eol), 16);
          body += rest.slice(eol + 2, eol + 2 + size);
          rest = rest.slice(eol + 2 + size + 2);
          if (size === 0) break;
        }
      } else if (cl) {
        body = rest.slice(0, Number(cl[1]));
        rest = rest.slice(Number(cl[1]));
      } else {
        body = rest;
        rest = '';
      }
      out.push({ status, headers: head, body });
    }
    return out;
  }

  const req = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`;

  it('keeps a connection for the next request and closes it on Connection: close', async () => {
    const got = responses(await talk(req('/1'), req('/2', 'Connection: close\r\n') + req('/not-served')));
    assert.deepEqual(got.map((r) => r.body), ['GET /1', 'GET /2']);
    assert.doesNotMatch(got[0]?.headers ?? '', /connection:/i);
    assert.match(got[1]?.headers ?? '', /\r\nconnection: close$/);
    assert.match(got[0]?.headers ?? '', /\r\ndate: \w{3}, \d\d \w{3} \d{4} /);
  });

  it('answers repeated and changing requests on one connection each with its own head', async () => {
    const got = responses(await talk(req('/status/200'), req('/status/200'), req('/status/404'), req('/status/200?x'), req('/status/200?x', 'Connection: close\r\n')));
    assert.deepEqual(got.map((r) => [r.status, r.body]), [[200, '/status/200'], [200, '/status/200'], [404, '/status/404'], [200, '/status/200?x'], [200, '/status/200?x']]);
    assert.deepEqual(got.map((r) => /\r\nx-s: (\d+)\r\n/.exec(r.headers)?.[1]), ['200', '200', '404', '200', '200']);
    assert.deepEqual(got.map((r) => /\r\nconnection: close/.test(r.headers)), [false, false, false, false, true]);
  });

  it('answers pipelined requests in order', async () => {
    const got = responses(await talk(req('/a?delay=60') + req('/b') + `POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz` + req('/c?delay=10', 'Connection: close\r\n')));
    assert.deepEqual(got.map((r) => r.body), ['GET /a?delay=60', 'GET /b', 'xyz', 'GET /c?delay=10']);
  });

  it('streams a chunked request body split across writes', async () => {
    const got = responses(await talk('POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab', 'c\r\n4\r\ndefg\r\n', '0\r\n\r\n'));
    assert.deepEqual(got.map((r) => r.body), ['abcdefg']);
  });

  it('drops an unread body and serves the next request', async () => {
    const got = responses(await talk(`POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel`, `lo${req('/y', 'Connection: close\r\n')}`));
    assert.deepEqual(got.map((r) => r.body), ['POST /x', 'GET /y']);
  });

  it('frames an answer of unknown length: chunked for HTTP/1.1, close-delimited for HTTP/1.0', async () => {
    const chunked = responses(await talk(req('/unknown-length', 'Connection: close\r\n')));
    assert.equal(chunked[0]?.body, 'abcde');
    assert.match(chunked[0]?.headers ?? '', /\r\nx-a: 1\r\n.*transfer-encoding: chunked/s);
    const raw = await talk('GET /unknown-length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.match(raw, /\r\nconnection: close\r\n\r\nabcde$/);
    assert.doesNotMatch(raw, /transfer-encoding/);
  });

  it('keeps an HTTP/1.0 client that asks for it, and sends HEAD answers without a body', async () => {
    const raw = await talk('GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'HEAD /h HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n.*connection: keep-alive\r\n\r\nGET \/kHTTP\/1\.1 200 OK\r\n.*content-length: 7\r\nconnection: close\r\n\r\n$/s);
  });

  it('sends 100 Continue when the body is read, and closes when a 100-continue body was never asked for', async () => {
    const read = await talk('POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n', 'ok');
    assert.match(read, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n.*\r\n\r\nok$/s);
    const unread = await talk('POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    assert.match(unread, /^HTTP\/1\.1 200 OK\r\n.*connection: close\r\n\r\nPOST \/x$/s);
  });

  const bad = [
    { name: 'a malformed request line', input: 'NOT HTTP\r\n\r\n', status: 400 },
    { name: 'HTTP/1.1 without Host', input: 'GET / HTTP/1.1\r\n\r\n', status: 400 },
    { name: 'a too large head', input: `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(40_000)}`, status: 431 },
  ];
  for (const c of bad) {
    it(`answers ${c.name} with ${c.status} and closes, after serving what came before`, async () => {
      const got = responses(await talk(req('/before') + c.input));
      assert.deepEqual(got.map((r) => r.status), [200, c.status]);
      assert.match(got[1]?.headers ?? '', /\r\nconnection: close/);
      assert.match(got[1]?.body ?? '', new RegExp(`<h1>${c.status} `));
    });
  }

  it('closes a connection left idle past the keep-alive timeout, and one left half-sent', async () => {
    assert.deepEqual(responses(await talk(req('/idle'))).map((r) => r.body), ['GET /idle']);
    assert.equal(await talk('GET /partial HTTP/1.1\r\n'), '');
  });

  it('tells the handler when the client goes away before the answer', async () => {
    const sock = net.connect(listener.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(req('/never'));
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    for (let i = 0; i < 100 && !closes.some((c) => c.target === '/never'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(closes.find((c) => c.target === '/never'), { target: '/never', finished: false });
  });

  it('takes a client that shuts down its side as gone (nginx and node:http log 499)', async () => {
    const sock = net.connect({ port: listener.port, host: '127.0.0.1', allowHalfOpen: true });
    await once(sock, 'connect');
    sock.end(req('/never?half'));
    await once(sock, 'close');
    for (let i = 0; i < 100 && !closes.some((c) => c.target === '/never?half'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(closes.find((c) => c.target === '/never?half'), { target: '/never?half', finished: false });
  });

  it('hands an upgrade over with the bytes that followed its head', async () => {
    const got = await talk(`${req('/ws', 'Connection: Upgrade\r\nUpgrade: x\r\n')}early`);
    assert.equal(got, 'HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded');
    assert.deepEqual(upgrades, [{ target: '/ws', rest: 'early' }]);
  });
});
