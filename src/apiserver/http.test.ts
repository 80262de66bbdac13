import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from './auth/certs.ts';
import type { RequestUser } from './handlers/context.ts';
import { createApiHttpServer, type ApiHttpServer } from './http.ts';
import { bytesResponse, type ApiRequest, type ApiResponse } from './message.ts';

const day = 24 * 3600 * 1000;

describe('the HTTPS front end', () => {
  let front: ApiHttpServer;
  let url: string;
  let ca: string;
  const seen: { method: string; url: string; body: string; user: string }[] = [];
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  let streamCancelled = false;

  before(async () => {
    const caKey = generateEcKeyPem();
    const now = Date.now();
    ca = await createCaCertificate({ keyPem: caKey, commonName: 'test-ca', notBefore: new Date(now - day), notAfter: new Date(now + day) });
    const key = generateEcKeyPem();
    const cert = await signLeafCertificate({ certPem: ca, keyPem: caKey }, { keyPem: key, commonName: 'server', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - day), notAfter: new Date(now + day) });
    front = createApiHttpServer({
      key,
      cert,
      ca,
      authenticate: async (conn) => ({ name: conn.authorization ?? 'anonymous', groups: [] }) as unknown as RequestUser,
      handle: async (req: ApiRequest, user: RequestUser | null): Promise<ApiResponse> => {
        const body = Buffer.from(await req.bytes()).toString();
        seen.push({ method: req.method, url: req.url, body, user: (user as unknown as { name: string }).name });
        if (req.url.endsWith('/stream')) {
          const body = new ReadableStream<Uint8Array>({
            start: (c) => {
              stream = c;
              c.enqueue(Buffer.from('first\n'));
            },
            cancel: () => {
              streamCancelled = true;
            },
          });
          return { status: 200, headers: { 'content-type': 'text/plain' }, body };
        }
        if (req.url.endsWith('/empty')) return { status: 204, headers: {}, body: null };
        return bytesResponse(req.method === 'POST' ? 201 : 200, `{"echo":${JSON.stringify(body)}}`, { 'content-type': 'application/json', warning: ['299 - "one"', '299 - "two"'], connection: 'keep-alive' });
      },
    });
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(front.server.address() as AddressInfo).port}`;
  });
  after(() => front.shutdown(1000));

  /** h2 sends one request over a new HTTP/2 session and collects the response. */
  const h2 = (method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
    new Promise((resolve, reject) => {
      const s = connect(url, { ca });
      s.on('error', reject);
      const req = s.request({ ':method': method, ':path': path, authorization: 'h2-user' });
      let headers: Record<string, unknown> = {};
      let text = '';
      req.on('response', (h) => (headers = h));
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => {
        s.close();
        resolve({ status: Number(headers[':status']), headers, body: text });
      });
      req.on('error', reject);
      req.end(body);
    });

  it('serves HTTP/2 requests with their bodies, several headers of a name, and no hop-by-hop headers', async () => {
    const res = await h2('POST', '/api/v1/things?x=1', '{"a":1}');
    assert.equal(res.status, 201);
    assert.deepEqual(JSON.parse(res.body), { echo: '{"a":1}' });
    assert.equal(res.headers['connection'], undefined);
    assert.match(String(res.headers['warning']), /one.*two/);
    const last = seen[seen.length - 1];
    assert.equal(last?.method, 'POST');
    assert.match(last?.url ?? '', /^https:\/\/127\.0\.0\.1:\d+\/api\/v1\/things\?x=1$/);
    assert.equal(last?.user, 'h2-user');
    assert.equal(seen.filter((r) => r.url.endsWith('/things?x=1')).length, 1, 'handled once (not also through the compatibility layer)');
  });

  it('answers HEAD and 204 without a body over HTTP/2', async () => {
    const head = await h2('HEAD', '/api/v1/things');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const empty = await h2('DELETE', '/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.body, '');
  });

  it('streams an HTTP/2 body as it is produced and cancels it when the client goes away', async () => {
    const s = connect(url, { ca });
    const req = s.request({ ':method': 'GET', ':path': '/stream' });
    req.setEncoding('utf8');
    let text = '';
    const firstTwo = new Promise<void>((resolve) => {
      req.on('data', (c: string) => {
        text += c;
        if (text === 'first\n') stream?.enqueue(Buffer.from('second\n'));
        if (text === 'first\nsecond\n') resolve();
      });
    });
    req.end();
    await firstTwo;
    req.close();
    s.close();
    for (let i = 0; i < 100 && !streamCancelled; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(streamCancelled, true, 'the body stream was cancelled');
  });

  it('serves HTTP/1.1 clients too', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = httpsRequest(`${url}/api/v1/other`, { method: 'PUT', ca, headers: { authorization: 'h1-user', 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      r.on('error', reject);
      r.end('{"b":2}');
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { echo: '{"b":2}' });
    assert.equal(seen[seen.length - 1]?.user, 'h1-user');
  });
});
