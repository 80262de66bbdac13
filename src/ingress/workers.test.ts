import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { IngressConfig } from './config.ts';
import { IngressMetrics } from './metrics.ts';
import { selfSignedCertificate } from './tls.ts';
import { IngressWorkerPool } from './workers.ts';

// The data plane in worker threads sharing one port: configuration swaps reach every thread, metrics and
// access-log lines come back to the main thread, and close releases the port.

describe('IngressWorkerPool', { timeout: 60_000 }, () => {
  const backends: http.Server[] = [];
  let port = 0;
  let pool: IngressWorkerPool;
  const metrics = new IngressMetrics();
  const lines: string[] = [];

  // Each endpoint is a pod: 127.0.0.2 is pod-2, 127.0.0.3 pod-3.
  const config = (endpoint: string): IngressConfig => ({
    servers: [{ host: 'w.test', sslRedirect: false, routes: [{ path: '/', pathType: 'Prefix', backend: 'b', ingress: 'default/w' }] }],
    backends: [{ name: 'b', namespace: 'default', service: 'svc', endpoints: [endpoint], pods: { [endpoint]: `default/pod-${endpoint.split(':')[0]?.split('.')[3]}` } }],
    tls: [],
  });

  before(async () => {
    for (const ip of ['127.0.0.2', '127.0.0.3']) {
      const s = http.createServer((_req, res) => res.end(ip));
      s.listen(port, ip);
      await once(s, 'listening');
      port = (s.address() as net.AddressInfo).port;
      backends.push(s);
    }
    pool = new IngressWorkerPool({ workers: 2, bindAddress: '127.0.0.1', httpPort: 0, httpsPort: null, defaultCertificate: await selfSignedCertificate(), metrics, accessLog: (l) => lines.push(l), flushMs: 20 });
    metrics.trackPods(['default/pod-2', 'default/pod-3']);
    pool.update(config(`127.0.0.2:${port}`));
    await pool.listen();
  });

  after(async () => {
    await pool.close(100);
    for (const s of backends) s.closeAllConnections(), s.close();
  });

  // Each request on a new connection, so the kernel spreads them over both threads' sockets.
  function get(): Promise<string> {
    return new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: pool.httpPort, path: '/', headers: { host: 'w.test' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      }).on('error', reject);
    });
  }

  const many = (n: number): Promise<string[]> => Promise.all(Array.from({ length: n }, get));

  it('runs the threads on one port and serves the configuration it started with', async () => {
    assert.equal(pool.threads, 2);
    assert.deepEqual(new Set(await many(30)), new Set(['200 127.0.0.2']));
  });

  it('swaps a new configuration into every thread', async () => {
    pool.update(config(`127.0.0.3:${port}`));
    await pool.applied();
    assert.deepEqual(new Set(await many(40)), new Set(['200 127.0.0.3']));
    assert.equal(pool.table.backends.get('b')?.upstreams[0]?.address, `127.0.0.3:${port}`);
  });

  it('reports requests to the main thread metrics and access log', async () => {
    await many(10);
    // 80 requests so far (30 + 40 + 10), each logged and counted once, whichever thread served it.
    const deadline = Date.now() + 10_000;
    while (lines.length < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines.length, 80);
    assert.match(lines.at(-1) ?? '', /"GET \/ HTTP\/1.1" 200 /);
    const counted = async (): Promise<number> => ((await metrics.requests.get()).values.filter((v) => v.labels.ingress === 'w' && v.labels.status === '200').reduce((a, v) => a + v.value, 0));
    while ((await counted()) < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await counted(), 80);
    // And per pod: the 30 first requests went to pod-2, the 50 since the swap to pod-3.
    assert.deepEqual([metrics.pods.get('default/pod-2')?.count, metrics.pods.get('default/pod-3')?.count], [30, 50]);
  });

  it('releases the port on close', async () => {
    const p = pool.httpPort;
    await pool.close(100);
    const s = net.createServer().listen(p, '127.0.0.1');
    await once(s, 'listening');
    s.close();
  });
});
