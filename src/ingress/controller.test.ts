import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from '../apiserver/auth/certs.ts';
import { Client, inProcessTransport } from '../client/index.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { admin } from '../testing/apiserver.ts';
import { waitFor } from '../testing/controller-harness.ts';
import type { IngressObject, SliceObject } from './build.ts';
import type { IngressClassObject } from './class.ts';

// A real control plane with the built-in ingress on free loopback ports, and real HTTP backends, each on its own
// loopback address (127.0.0.2, .3, ...) with one shared port, reached through EndpointSlices the test writes.

interface Backend {
  ip: string;
  server: http.Server;
  hits: number;
}

const backendIps = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
const ns = 'default';

// The suite runs with the data plane in this thread, and in two worker threads sharing the ports.
for (const workers of [1, 2]) describe(`IngressController on a real API server (${workers} data-plane thread${workers > 1 ? 's' : ''})`, { timeout: 180_000 }, () => {
  let dir = '';
  let cp: ControlPlane;
  let client: Client;
  let port = 0;
  const backends = new Map<string, Backend>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  before(async () => {
    // One port for every backend address: pick a free one on the first, then bind the rest to it.
    for (const ip of backendIps) {
      const b: Backend = { ip, server: http.createServer(), hits: 0 };
      b.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
        b.hits++;
        const body = JSON.stringify({ ip, url: req.url, xff: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], host: req.headers.host });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      b.server.listen(port, ip);
      await once(b.server, 'listening');
      port = (b.server.address() as { port: number }).port;
      backends.set(ip, b);
    }
    dir = mkdtempSync(join(tmpdir(), 'berth-ingress-'));
    cp = new ControlPlane({
      dataDir: dir, bindAddress: '127.0.0.1', port: 0, log: () => {},
      disable: ['controllers', 'metrics-server'],
      ingress: { bindAddress: '127.0.0.1', httpPort: 0, httpsPort: 0, statusAddresses: ['127.0.0.1'], workers },
    });
    await cp.start();
    client = new Client(inProcessTransport(cp.api, admin));
    await cp.ingress?.ready;
  });

  after(async () => {
    agent.destroy();
    await cp.stop();
    for (const b of backends.values()) b.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingressPort = (): number => cp.ingress?.proxy.httpPort ?? 0;

  /** get sends one request through the ingress and returns the status and the backend's answer. */
  function get(host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; ip?: string; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: ingressPort(), path, headers: { host, ...headers }, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let ip: string | undefined;
          try {
            ip = (JSON.parse(body) as { ip?: string }).ip;
          } catch {
            ip = undefined;
          }
          resolve({ status: res.statusCode ?? 0, ...(ip ? { ip } : {}), body, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function service(name: string, ips: { ip: string; ready?: boolean }[]): Promise<void> {
    await client.resource('v1', 'services').create({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' }] } });
    await client.resource<SliceObject>('discovery.k8s.io/v1', 'endpointslices').create(sliceFor(name, ips));
  }

  function sliceFor(name: string, ips: { ip: string; ready?: boolean }[]): SliceObject {
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port, protocol: 'TCP' }],
      endpoints: ips.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, targetRef: { kind: 'Pod', namespace: ns, name: `${name}-${e.ip.split('.')[3]}` } })),
    };
  }

  function ingress(name: string, rules: { host: string; paths: [string, string][] }[], annotations: Record<string, string> = {}, tls?: { hosts: string[]; secretName: string }[]): IngressObject {
    return {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { name, namespace: ns, annotations },
      spec: {
        ...(tls ? { tls } : {}),
        rules: rules.map((r) => ({ host: r.host, http: { paths: r.paths.map(([path, svc]) => ({ path, pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } })) } })),
      },
    };
  }

  const ingresses = () => client.resource<IngressObject>('networking.k8s.io/v1', 'ingresses');

  it('creates the default IngressClass berth', async () => {
    const cls = await client.resource<IngressClassObject>('networking.k8s.io/v1', 'ingressclasses').get(undefined, 'berth');
    assert.equal(cls.spec?.controller, 'berth.dev/ingress');
    assert.equal(cls.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
  });

  it('routes two hosts and two paths and writes status.loadBalancer', async () => {
    await service('shop', [{ ip: '127.0.0.2' }]);
    await service('api', [{ ip: '127.0.0.3' }]);
    await service('blog', [{ ip: '127.0.0.4' }]);
    await ingresses().create(ingress('two-hosts', [{ host: 'shop.test', paths: [['/', 'shop'], ['/api', 'api']] }, { host: 'blog.test', paths: [['/', 'blog']] }]));
    await waitFor('routes live', async () => ((await get('blog.test', '/')).ip === '127.0.0.4' ? true : undefined));
    const cases: [string, string, string][] = [['shop.test', '/', '127.0.0.2'], ['shop.test', '/cart', '127.0.0.2'], ['shop.test', '/api/v1', '127.0.0.3'], ['shop.test', '/apiary', '127.0.0.2'], ['blog.test', '/api', '127.0.0.4']];
    for (const [host, path, ip] of cases) assert.equal((await get(host, path)).ip, ip, `${host}${path}`);
    assert.equal((await get('unknown.test', '/')).status, 404);
    const seen = JSON.parse((await get('shop.test', '/x')).body) as { xff: string; proto: string; host: string };
    assert.deepEqual(seen, { ...seen, xff: '127.0.0.1', proto: 'http', host: 'shop.test' });
    const lb = await waitFor('status', async () => (await ingresses().get(ns, 'two-hosts')).status?.loadBalancer?.ingress);
    assert.deepEqual(lb, [{ ip: '127.0.0.1' }]);
  });

  it('sends 20% ± 5 of 2,000 requests to a weight-20 canary and every request with the header', async () => {
    await service('stable', [{ ip: '127.0.0.2' }]);
    await service('preview', [{ ip: '127.0.0.5' }]);
    await ingresses().create(ingress('app', [{ host: 'app.test', paths: [['/', 'stable']] }]));
    await ingresses().create(ingress('app-canary', [{ host: 'app.test', paths: [['/', 'preview']] }], {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary',
    }));
    await waitFor('canary live', async () => ((await get('app.test', '/', { 'x-canary': 'always' })).ip === '127.0.0.5' ? true : undefined));
    let canary = 0;
    const total = 2_000;
    for (let i = 0; i < total; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => get('app.test', '/')));
      for (const r of batch) {
        assert.equal(r.status, 200);
        if (r.ip === '127.0.0.5') canary++;
      }
    }
    assert.ok(canary >= 300 && canary <= 500, `canary got ${canary} of ${total}`);
    const withHeader = await Promise.all(Array.from({ length: 100 }, () => get('app.test', '/', { 'x-canary': 'always' })));
    assert.ok(withHeader.every((r) => r.ip === '127.0.0.5'));
    const never = await Promise.all(Array.from({ length: 100 }, () => get('app.test', '/', { 'x-canary': 'never' })));
    assert.ok(never.every((r) => r.ip === '127.0.0.2'));
  });

  it('stops sending traffic to an endpoint that turns not ready', async () => {
    await service('pool', [{ ip: '127.0.0.2' }, { ip: '127.0.0.3' }]);
    await ingresses().create(ingress('pool', [{ host: 'pool.test', paths: [['/', 'pool']] }]));
    await waitFor('both endpoints used', async () => {
      const ips = new Set((await Promise.all(Array.from({ length: 6 }, () => get('pool.test', '/')))).map((r) => r.ip));
      return ips.has('127.0.0.2') && ips.has('127.0.0.3') ? true : undefined;
    });
    const slices = client.resource<SliceObject>('discovery.k8s.io/v1', 'endpointslices');
    const s = await slices.get(ns, 'pool-1');
    await slices.update({ ...s, endpoints: sliceFor('pool', [{ ip: '127.0.0.2' }, { ip: '127.0.0.3', ready: false }]).endpoints });
    await waitFor('not-ready endpoint dropped', async () => {
      const ips = new Set((await Promise.all(Array.from({ length: 6 }, () => get('pool.test', '/')))).map((r) => r.ip));
      return ips.size === 1 && ips.has('127.0.0.2') ? true : undefined;
    });
    const after = await Promise.all(Array.from({ length: 50 }, () => get('pool.test', '/')));
    assert.ok(after.every((r) => r.ip === '127.0.0.2'));
  });

  it('retries a request on another endpoint when one refuses connections', async () => {
    // 127.0.0.9 has no listener on the port: every connection to it is refused.
    await service('flaky', [{ ip: '127.0.0.9' }, { ip: '127.0.0.6' }]);
    await ingresses().create(ingress('flaky', [{ host: 'flaky.test', paths: [['/', 'flaky']] }]));
    await waitFor('flaky live', async () => ((await get('flaky.test', '/')).status === 200 ? true : undefined));
    const rs = await Promise.all(Array.from({ length: 20 }, () => get('flaky.test', '/')));
    assert.deepEqual(new Set(rs.map((r) => `${r.status} ${r.ip}`)), new Set(['200 127.0.0.6']));
  });

  it('answers 502 when no endpoint accepts and 503 when none is ready', async () => {
    await service('down', [{ ip: '127.0.0.9' }]);
    await service('empty', [{ ip: '127.0.0.2', ready: false }]);
    await ingresses().create(ingress('broken', [{ host: 'down.test', paths: [['/', 'down']] }, { host: 'empty.test', paths: [['/', 'empty']] }]));
    await waitFor('502', async () => ((await get('down.test', '/')).status === 502 ? true : undefined));
    assert.equal((await get('empty.test', '/')).status, 503);
  });

  it('serves TLS with the certificate the SNI names, the default one otherwise, and redirects HTTP', async () => {
    const now = Date.now();
    const caKey = generateEcKeyPem();
    const caPem = await createCaCertificate({ keyPem: caKey, commonName: 'test-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
    const key = generateEcKeyPem();
    const cert = await signLeafCertificate({ certPem: caPem, keyPem: caKey }, { keyPem: key, commonName: 'secure.test', usage: 'server', dnsNames: ['secure.test'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
    await client.resource('v1', 'secrets').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secure-tls', namespace: ns }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') } });
    await service('secure', [{ ip: '127.0.0.3' }]);
    await ingresses().create(ingress('secure', [{ host: 'secure.test', paths: [['/', 'secure']] }], {}, [{ hosts: ['secure.test'], secretName: 'secure-tls' }]));
    const httpsGet = (servername: string, ca?: string) => new Promise<{ status: number; cn: string; body: string }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: cp.ingress?.proxy.httpsPort, path: '/s', servername, headers: { host: servername }, ...(ca ? { ca } : { rejectUnauthorized: false }), agent: false }, (res) => {
        const subjectCn = (res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        const cn = Array.isArray(subjectCn) ? subjectCn.join(',') : subjectCn;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cn, body }));
      });
      req.on('error', reject);
      req.end();
    });
    const r = await waitFor('TLS certificate served', async () => {
      const got = await httpsGet('secure.test', caPem).catch(() => undefined);
      return got?.status === 200 ? got : undefined;
    });
    assert.equal(r.cn, 'secure.test');
    assert.deepEqual(JSON.parse(r.body), { ip: '127.0.0.3', url: '/s', xff: '127.0.0.1', proto: 'https', host: 'secure.test' });
    assert.equal((await httpsGet('other.test')).cn, 'Berth Ingress Default Certificate');
    const plain = await get('secure.test', '/s?q=1');
    assert.equal(plain.status, 308);
    assert.equal(plain.headers.location, `https://secure.test:${cp.ingress?.proxy.httpsPort}/s?q=1`);
  });

  it('counts requests in the API server /metrics under ingress-nginx names', async () => {
    const res = await cp.api.handle(new Request('https://berth.test/metrics'), admin);
    const text = await res.text();
    assert.match(text, /nginx_ingress_controller_requests\{ingress="two-hosts",namespace="default",service="shop",status="200",canary=""\} \d+/);
    assert.match(text, /nginx_ingress_controller_request_duration_seconds_bucket\{le="0\.005",ingress="app",namespace="default",service="preview",status="200",canary="default\/preview:80"\}/);
    // And per endpoint Pod (the slices' targetRefs), for the pods' custom metrics.
    await waitFor('per-pod counts', () => ((cp.ingress?.metrics.pods.get('default/shop-2')?.count ?? 0) > 0 ? true : undefined));
  });
});
