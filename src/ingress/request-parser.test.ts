import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxHeadBytes, maxLineBytes, RequestParser, type ParseEvent } from './request-parser.ts';

// The request parser fed whole inputs, then the same bytes split in two at every offset, then byte by byte: the
// events (body data joined) must come out the same every way.

interface Summary {
  heads: { method: string; target: string; version: string; host: string; rawHeaders: string[]; contentLength: number; chunked: boolean; keepAlive: boolean; upgrade: string; expectContinue: boolean }[];
  bodies: string[];
  error: number | null;
}

function run(pieces: Buffer[]): Summary {
  const p = new RequestParser();
  const out: Summary = { heads: [], bodies: [], error: null };
  let body: string | null = null;
  const drain = (): void => {
    for (let ev: ParseEvent | null = p.next(); ev; ev = p.next()) {
      if (ev.type === 'head') {
        const { method, target, version, host, rawHeaders, contentLength, chunked, keepAlive, upgrade, expectContinue } = ev.head;
        out.heads.push({ method, target, version, host, rawHeaders: [...rawHeaders], contentLength, chunked, keepAlive, upgrade, expectContinue });
      } else if (ev.type === 'data') body = (body ?? '') + ev.chunk.toString('latin1');
      else if (ev.type === 'end') {
        out.bodies.push(body ?? '');
        body = null;
      } else out.error = ev.status;
    }
  };
  for (const piece of pieces) {
    p.push(piece);
    drain();
  }
  return out;
}

const head = (method: string, target: string, extra: Partial<Summary['heads'][number]> & { rawHeaders: string[] }): Summary['heads'][number] => ({
  method, target, version: '1.1', host: 'a.test', contentLength: -1, chunked: false, keepAlive: true, upgrade: '', expectContinue: false, ...extra,
});

describe('RequestParser', () => {
  const good: { name: string; input: string; want: Summary }[] = [
    {
      name: 'GET with a query',
      input: 'GET /p?q=1 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: x\r\n\r\n',
      want: { heads: [head('GET', '/p?q=1', { rawHeaders: ['Host', 'a.test', 'User-Agent', 'x'] })], bodies: [], error: null },
    },
    {
      name: 'HTTP/1.0 without Host, keep-alive asked; then 1.1 with close',
      input: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /2 HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n',
      want: {
        heads: [
          head('GET', '/', { version: '1.0', host: '', rawHeaders: ['Connection', 'Keep-Alive'] }),
          head('GET', '/2', { keepAlive: false, rawHeaders: ['host', 'a.test', 'connection', 'close'] }),
        ],
        bodies: [],
        error: null,
      },
    },
    {
      name: 'HTTP/1.0 closes by default',
      input: 'GET / HTTP/1.0\r\nHost: a.test\r\n\r\n',
      want: { heads: [head('GET', '/', { version: '1.0', keepAlive: false, rawHeaders: ['Host', 'a.test'] })], bodies: [], error: null },
    },
    {
      name: 'Content-Length body, then a pipelined GET',
      input: 'POST /f HTTP/1.1\r\nHost: a.test\r\nContent-Length: 11\r\n\r\nhello worldGET /n HTTP/1.1\r\nHost: a.test\r\n\r\n',
      want: { heads: [head('POST', '/f', { contentLength: 11, rawHeaders: ['Host', 'a.test', 'Content-Length', '11'] }), head('GET', '/n', { rawHeaders: ['Host', 'a.test'] })], bodies: ['hello world'], error: null },
    },
    {
      name: 'chunked body with an extension and a trailer',
      input: 'PUT /c HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n',
      want: { heads: [head('PUT', '/c', { chunked: true, rawHeaders: ['Host', 'a.test', 'Transfer-Encoding', 'chunked'] }), head('GET', '/', { rawHeaders: ['Host', 'a.test'] })], bodies: ['hello0123456789'], error: null },
    },
    {
      name: 'empty lines before the request line, Content-Length 0',
      input: '\r\n\r\nDELETE /x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n',
      want: { heads: [head('DELETE', '/x', { contentLength: 0, rawHeaders: ['Host', 'a.test', 'Content-Length', '0'] })], bodies: [], error: null },
    },
    {
      name: 'absolute-form target: authority is the host',
      input: 'GET http://b.test:8080?x=1 HTTP/1.1\r\nHost: a.test\r\n\r\n',
      want: { heads: [head('GET', '/?x=1', { host: 'b.test:8080', rawHeaders: ['Host', 'a.test'] })], bodies: [], error: null },
    },
    {
      name: 'upgrade, expect 100-continue, values trimmed',
      input: 'GET /ws HTTP/1.1\r\nHost:   a.test \r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nExpect: 100-continue\r\n\r\n',
      want: { heads: [head('GET', '/ws', { upgrade: 'websocket', expectContinue: true, rawHeaders: ['Host', 'a.test', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Expect', '100-continue'] })], bodies: [], error: null },
    },
    {
      name: 'a repeated head, then another (the parser keeps the last one parsed)',
      input: 'GET /r HTTP/1.1\r\nHost: a.test\r\n\r\nGET /r HTTP/1.1\r\nHost: a.test\r\n\r\nGET /r HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n',
      want: {
        heads: [
          head('GET', '/r', { rawHeaders: ['Host', 'a.test'] }),
          head('GET', '/r', { rawHeaders: ['Host', 'a.test'] }),
          head('GET', '/r', { keepAlive: false, rawHeaders: ['Host', 'a.test', 'Connection', 'close'] }),
        ],
        bodies: [],
        error: null,
      },
    },
    {
      name: 'Upgrade without Connection: upgrade is an ordinary request',
      input: 'GET / HTTP/1.1\r\nHost: a.test\r\nUpgrade: h2c\r\n\r\n',
      want: { heads: [head('GET', '/', { rawHeaders: ['Host', 'a.test', 'Upgrade', 'h2c'] })], bodies: [], error: null },
    },
  ];

  for (const c of good) {
    it(`${c.name}: whole, split at every byte, and byte by byte`, () => {
      const bytes = Buffer.from(c.input, 'latin1');
      assert.deepEqual(run([bytes]), c.want);
      for (let i = 1; i < bytes.length; i++) assert.deepEqual(run([bytes.subarray(0, i), bytes.subarray(i)]), c.want, `split at ${i}`);
      assert.deepEqual(run([...bytes].map((b) => Buffer.from([b]))), c.want);
    });
  }

  const bad: { name: string; input: string; status: number }[] = [
    { name: 'no Host in HTTP/1.1', input: 'GET / HTTP/1.1\r\nX: y\r\n\r\n', status: 400 },
    { name: 'two Hosts', input: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', status: 400 },
    { name: 'garbage request line', input: 'hello\r\n\r\n', status: 400 },
    { name: 'bare LF line endings', input: 'GET / HTTP/1.1\nHost: a\n\n', status: 400 },
    { name: 'target not a path', input: 'GET x HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { name: 'HTTP/2.0', input: 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', status: 505 },
    { name: 'CONNECT', input: 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n', status: 405 },
    { name: 'space before the colon', input: 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', status: 400 },
    { name: 'header line without colon', input: 'GET / HTTP/1.1\r\nHost: a\r\nnope\r\n\r\n', status: 400 },
    { name: 'obs-fold', input: 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n', status: 400 },
    { name: 'control byte in a value', input: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', status: 400 },
    { name: 'Content-Length and Transfer-Encoding', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', status: 400 },
    { name: 'two different Content-Lengths', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', status: 400 },
    { name: 'Content-Length not a number', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', status: 400 },
    { name: 'Transfer-Encoding not ending in chunked', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', status: 501 },
    { name: 'bad chunk size', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', status: 400 },
    { name: 'chunk data longer than its size', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', status: 400 },
    { name: 'request line too long', input: `GET /${'a'.repeat(maxLineBytes)} HTTP/1.1\r\n`, status: 414 },
    { name: 'header line too long', input: `GET / HTTP/1.1\r\nHost: a\r\nX: ${'b'.repeat(maxLineBytes)}\r\n\r\n`, status: 431 },
    { name: 'head too large', input: `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1234567890\r\n'.repeat(maxHeadBytes / 15 + 1)}`, status: 431 },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with ${c.status}`, () => {
      const bytes = Buffer.from(c.input, 'latin1');
      assert.equal(run([bytes]).error, c.status);
      assert.equal(run([...bytes].map((b) => Buffer.from([b]))).error, c.status);
    });
  }

  it('hands over the bytes after an upgrade head and parses nothing more', () => {
    const p = new RequestParser();
    p.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\nGET / HTTP/1.1\r\n'));
    assert.equal(p.next()?.type, 'head');
    assert.equal(p.takeRest().toString(), 'GET / HTTP/1.1\r\n');
    p.push(Buffer.from('Host: a\r\n\r\n'));
    assert.equal(p.next(), null);
  });
});
