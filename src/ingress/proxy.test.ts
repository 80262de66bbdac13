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
      if (req.url === '/slow') return; // never answers: the proxy's read timeout must fire
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
