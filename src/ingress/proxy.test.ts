import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { IngressConfig } from './config.ts';
import { IngressMetrics } from './metrics.ts';
import { IngressProxy } from './proxy.ts';
import { selfSignedCertificate } from './tls.ts';

// The data plane alone, with a static config: body streaming, upgrades, timeouts, config swaps, the access log,
// per-pod request counts.

// A body far past what the sockets buffer, every byte telling its position.
const big = Buffer.alloc(32 << 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;

describe('IngressProxy', { timeout: 60_000 }, () => {
  let proxy: IngressProxy;
  let backend: http.Server;
  let port = 0;
  const lines: string[] = [];

  const config = (endpoint: string): IngressConfig => ({
    servers: [{ host: 'p.test', sslRedirect: false, routes: [{ path: '/', pathType: 'Prefix', backend: 'b', ingress: 'default/p' }] }],
    backends: [{ name: 'b', namespace: 'default', service: 'svc', endpoints: [endpoint] }],
    tls: [],
  });

  before(async () => {
    backend = http.createServer((req, res) => {
      if (req.url?.startsWith('/slow')) return; // never answers: the proxy's read timeout must fire
      if (req.url === '/headers') {
        res.end(JSON.stringify(req.headers));
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': big.length });
        res.end(big);
        return;
      }
      if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        req.pipe(res);
        return;
      }
      res.end(`ok ${req.url}`);
    });
    backend.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade}\r\nconnection: Upgrade\r\n\r\n`);
      socket.pipe(socket);
    });
    backend.listen(0, '127.0.0.2');
    await once(backend, 'listening');
    port = (backend.address() as net.AddressInfo).port;
    proxy = new IngressProxy({ bindAddress: '127.0.0.1', httpPort: 0, httpsPort: null, defaultCertificate: await selfSignedCertificate(), accessLog: (l) => lines.push(l), readTimeoutMs: 300 });
    await proxy.listen();
    proxy.update(config(`127.0.0.2:${port}`));
  });

  after(async () => {
    await proxy.close(100);
    backend.closeAllConnections();
    backend.close();
  });

  function request(path: string, opts: { method?: string; agent?: http.Agent; body?: AsyncIterable<Buffer> } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.httpPort, path, method: opts.method ?? 'GET', headers: { host: 'p.test' }, ...(opts.agent ? { agent: opts.agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      if (!opts.body) {
        req.end();
        return;
      }
      void (async () => {
        for await (const c of opts.body ?? []) req.write(c);
        req.end();
      })();
    });
  }

  it('streams a chunked request body through and back', async () => {
    async function* chunks(): AsyncIterable<Buffer> {
      for (let i = 0; i < 50; i++) yield Buffer.alloc(16_384, 97 + (i % 26));
    }
    const r = await request('/echo', { method: 'POST', body: chunks() });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 50 * 16_384);
    assert.equal(r.body[16_384], 'b');
  });

  it('relays a large answer to a client that stops reading for a while, then serves its next request', async (t) => {
    // Its own data plane: the suite's read timeout would end an upstream paused this long.
    const own = new IngressProxy({ bindAddress: '127.0.0.1', httpPort: 0, httpsPort: null, defaultCertificate: await selfSignedCertificate() });
    await own.listen();
    own.update(config(`127.0.0.2:${port}`));
    const sock = net.connect(own.httpPort, '127.0.0.1');
    t.after(async () => {
      sock.destroy();
      await own.close(100);
    });
    await once(sock, 'connect');
    sock.pause();
    sock.write('GET /big HTTP/1.1\r\nhost: p.test\r\n\r\nGET /after HTTP/1.1\r\nhost: p.test\r\n\r\n');
    // Unread, the client's socket fills and the proxy has to wait for it (and pause the upstream).
    await new Promise((r) => setTimeout(r, 300));
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      let tail = '';
      sock.on('data', (c: Buffer) => {
        chunks.push(c);
        tail = (tail + c.toString('latin1', Math.max(0, c.length - 64))).slice(-64);
        if (tail.endsWith('ok /after')) resolve();
      });
      sock.on('close', () => resolve());
      sock.resume();
    });
    const all = Buffer.concat(chunks);
    const start = all.indexOf('\r\n\r\n') + 4;
    assert.match(all.subarray(0, start).toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(all.subarray(start, start + big.length).equals(big), 'the body arrives whole and in order');
    assert.match(all.subarray(start + big.length).toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok \/after$/);
  });

  it('passes an upgrade through and relays both directions', async () => {
    const sock = net.connect(proxy.httpPort, '127.0.0.1');
    await once(sock, 'connect');
    sock.write('GET /ws HTTP/1.1\r\nhost: p.test\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n');
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n\r\n') && !got.includes('ping')) sock.write('ping');
    });
    const deadline = Date.now() + 10_000;
    while (!got.endsWith('ping') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.ok(got.endsWith('\r\n\r\nping'), got);
  });

  it('answers 504 when the upstream stays silent past the read timeout', async () => {
    assert.equal((await request('/slow')).status, 504);
  });

  it('keeps an open client connection across config swaps', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<net.Socket>();
      agent.on('free', (s: net.Socket) => sockets.add(s));
      assert.equal((await request('/a', { agent })).body, 'ok /a');
      proxy.update(config(`127.0.0.2:${port}`));
      proxy.update({ ...config(`127.0.0.2:${port}`), servers: [] });
      assert.equal((await request('/b', { agent })).status, 404);
      proxy.update(config(`127.0.0.2:${port}`));
      assert.equal((await request('/c', { agent })).body, 'ok /c');
      assert.equal(sockets.size, 1);
    } finally {
      agent.destroy();
    }
  });

  /** raw sends bytes on a fresh connection and returns all that comes back until the proxy closes it. */
  async function raw(bytes: string): Promise<string> {
    const sock = net.connect(proxy.httpPort, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    sock.write(bytes);
    await once(sock, 'close');
    return got;
  }

  it('writes X-Forwarded-* and X-Real-IP itself and drops hop-by-hop headers', async () => {
    const got = await raw('GET /headers HTTP/1.1\r\nHost: p.test\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close, x-hop\r\nX-Hop: 1\r\nX-Kept: 2\r\n\r\n');
    const headers = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-real-ip'], '127.0.0.1');
    assert.equal(headers['x-forwarded-host'], 'p.test');
    assert.equal(headers['x-forwarded-port'], String(proxy.httpPort));
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers.host, 'p.test');
    assert.equal(headers['x-kept'], '2');
    assert.equal(headers['x-hop'], undefined);
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n.*content-length: \d+\r\nconnection: close\r\n\r\n/s);
  });

  it('serves HTTP/1.0 and HEAD, answers 404 for an unknown host and 400 for a malformed request', async () => {
    assert.match(await raw('GET /ten HTTP/1.0\r\nHost: p.test\r\n\r\n'), /^HTTP\/1\.1 200 OK\r\n.*content-length: 7\r\nconnection: close\r\n\r\nok \/ten$/s);
    const head = await raw('HEAD /h HTTP/1.1\r\nHost: p.test\r\nConnection: close\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n.*connection: close\r\n\r\n$/s);
    assert.doesNotMatch(head, /transfer-encoding/);
    assert.match(await raw('GET / HTTP/1.1\r\nHost: nowhere.test\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404 Not Found\r\n.*<h1>404 Not Found<\/h1>/s);
    assert.match(await raw('GET / HTTP/1.1\r\nHost p.test\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('logs 499 when the client goes away before the answer', async () => {
    lines.length = 0;
    const sock = net.connect(proxy.httpPort, '127.0.0.1');
    sock.write('GET /slow?gone HTTP/1.1\r\nHost: p.test\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(lines[0] ?? '', /"GET \/slow\?gone HTTP\/1\.1" 499 /);
  });

  it('logs one combined-format line per request with the upstream', async () => {
    lines.length = 0;
    await request('/logged?x=1');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "GET /logged\\?x=1 HTTP/1\\.1" 200 14 "-" "-" \\d+\\.\\d{3} \\[b\\] \\[\\] 127\\.0\\.0\\.2:${port} \\d+\\.\\d{3} 200$`));
  });

  it('counts each request for the pod that answered it, not an endpoint that refused the connection', async () => {
    const metrics = new IngressMetrics();
    const counting = new IngressProxy({ bindAddress: '127.0.0.1', httpPort: 0, httpsPort: null, defaultCertificate: await selfSignedCertificate(), metrics });
    await counting.listen();
    try {
      const refused = `127.0.0.9:${port}`;
      const up = `127.0.0.2:${port}`;
      counting.update({ ...config(up), backends: [{ name: 'b', namespace: 'default', service: 'svc', endpoints: [refused, up], pods: { [refused]: 'default/down', [up]: 'default/up' } }] });
      metrics.trackPods(['default/down', 'default/up']);
      for (let i = 0; i < 4; i++) {
        const r = await new Promise<number>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: counting.httpPort, path: '/', headers: { host: 'p.test' }, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          }).on('error', reject);
        });
        assert.equal(r, 200);
      }
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([metrics.pods.get('default/up')?.count, metrics.pods.get('default/down')?.count], [4, 0]);
    } finally {
      await counting.close(100);
    }
  });
});
