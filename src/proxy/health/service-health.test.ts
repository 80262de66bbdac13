import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EventRecorder } from '../../client/events.ts';
import { categorizeEndpoints, servicePortsOf, type ServicePortInfo } from '../model.ts';
import { listenHere, type SocketBinder } from './http.ts';
import { healthCheckNodePorts, localReadyEndpoints, serviceHealthResponse, ServiceHealthServers } from './service-health.ts';

const lb = (name: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name, namespace: 'ns' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, clusterIP: '10.43.0.50', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }], ...spec },
});
const ep = (ip: string, o: { node?: string; ready?: boolean; serving?: boolean; terminating?: boolean } = {}): Endpoint => ({
  addresses: [ip], nodeName: o.node ?? 'n1',
  conditions: { ready: o.ready ?? true, serving: o.serving ?? o.ready ?? true, terminating: o.terminating ?? false },
});
const slice = (endpoints: Endpoint[]): EndpointSlice => ({ addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }] });
const portsOf = (svc: Service, endpoints: Endpoint[]): ServicePortInfo[] => servicePortsOf(svc, [slice(endpoints)], 'n1');

describe('localReadyEndpoints and healthCheckNodePorts', () => {
  const cases: { name: string; svc: Service; eps: Endpoint[]; port?: number; count: number }[] = [
    { name: 'one ready local pod serving two ports counts once', svc: lb('a'), eps: [ep('10.42.0.2')], port: 32000, count: 1 },
    { name: 'two ready local pods', svc: lb('a'), eps: [ep('10.42.0.2'), ep('10.42.0.3')], port: 32000, count: 2 },
    { name: 'ready pods on other nodes do not count', svc: lb('a'), eps: [ep('10.42.1.2', { node: 'n2' })], port: 32000, count: 0 },
    { name: 'a not-ready local pod does not count', svc: lb('a'), eps: [ep('10.42.0.2', { ready: false })], port: 32000, count: 0 },
    { name: 'a terminating local pod does not count, even while it still serves', svc: lb('a'), eps: [ep('10.42.0.2', { ready: false, serving: true, terminating: true })], port: 32000, count: 0 },
    { name: 'no endpoints', svc: lb('a'), eps: [], port: 32000, count: 0 },
    { name: 'externalTrafficPolicy Cluster has no health check', svc: lb('a', { externalTrafficPolicy: 'Cluster', healthCheckNodePort: undefined }), eps: [ep('10.42.0.2')], count: 1 },
    { name: 'a NodePort Service has no health check', svc: lb('a', { type: 'NodePort', healthCheckNodePort: undefined }), eps: [ep('10.42.0.2')], count: 1 },
    { name: 'a headless Service is not proxied', svc: lb('a', { type: 'ClusterIP', clusterIP: 'None', healthCheckNodePort: undefined }), eps: [ep('10.42.0.2')], count: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ports = portsOf(c.svc, c.eps);
      assert.deepEqual([...healthCheckNodePorts(ports)], c.port ? [['ns/a', c.port]] : []);
      assert.equal(localReadyEndpoints(ports).get('ns/a') ?? 0, c.count);
    });
  }

  // What a health check promises must be what the rules do: 200 exactly when external traffic arriving at
  // this node goes to a ready pod here (with only terminating pods left it may drain to them, but says 503).
  const consistency: { name: string; eps: Endpoint[] }[] = [
    { name: 'ready here', eps: [ep('10.42.0.2'), ep('10.42.1.2', { node: 'n2' })] },
    { name: 'ready elsewhere only', eps: [ep('10.42.1.2', { node: 'n2' })] },
    { name: 'terminating here, ready elsewhere', eps: [ep('10.42.0.2', { ready: false, serving: true, terminating: true }), ep('10.42.1.2', { node: 'n2' })] },
    { name: 'not ready here', eps: [ep('10.42.0.2', { ready: false, serving: false })] },
  ];
  for (const c of consistency) {
    it(`agrees with the proxy's local endpoints: ${c.name}`, () => {
      const ports = portsOf(lb('a'), c.eps);
      const forwardsToReadyLocal = ports.every((p) => categorizeEndpoints(p).local.some((e) => e.ready));
      assert.equal(serviceHealthResponse({ namespace: 'ns', name: 'a' }, localReadyEndpoints(ports).get('ns/a') ?? 0, true).status === 200, forwardsToReadyLocal);
    });
  }
});

describe('serviceHealthResponse', () => {
  const cases: { name: string; count: number; healthy: boolean; status: 200 | 503 }[] = [
    { name: 'local endpoints on a healthy proxy', count: 2, healthy: true, status: 200 },
    { name: 'no local endpoints', count: 0, healthy: true, status: 503 },
    { name: 'a proxy whose rules lag', count: 2, healthy: false, status: 503 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = serviceHealthResponse({ namespace: 'ns', name: 'web' }, c.count, c.healthy);
      assert.equal(r.status, c.status);
      assert.equal(r.body, `{\n\t"service": {\n\t\t"namespace": "ns",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": ${c.count},\n\t"serviceProxyHealthy": ${c.healthy}\n}`);
    });
  }
});

describe('ServiceHealthServers', () => {
  // Loopback only: each requested port is served on a free loopback port, and `taken` ports fail as a busy port would.
  const taken = new Set<number>();
  const bind: SocketBinder = async (server, _host, port) => {
    if (taken.has(port)) throw Object.assign(new Error(`listen EADDRINUSE: address already in use :::${port}`), { code: 'EADDRINUSE' });
    await listenHere(server, '127.0.0.1', 0);
  };
  const events: string[] = [];
  const recorder = new EventRecorder({ component: 'kube-proxy', host: 'n1' }, (obj, type, reason, message) => events.push(`${type} ${reason} ${'namespace' in obj ? obj.namespace : ''}/${obj.kind} ${message}`));
  let proxyHealthy = true;
  const servers = new ServiceHealthServers({ nodeName: 'n1', addresses: ['192.0.2.1', '127.0.0.1'], proxyHealthy: () => proxyHealthy, bind, recorder });
  after(() => servers.close());

  const get = (key: string, which = 0): Promise<{ status: number; body: string; type: string }> => {
    const port = servers.listening().get(key)?.addresses[which]?.port;
    assert.ok(port, `${key} is not listening`);
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/any/path', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      }).on('error', reject).end();
    });
  };

  it('opens one server per address for each Local LoadBalancer Service, answering with its local endpoints', async () => {
    await servers.sync([...portsOf(lb('a'), [ep('10.42.0.2'), ep('10.42.0.3', { node: 'n2' })]), ...portsOf(lb('b', { healthCheckNodePort: 32001 }), [ep('10.42.1.2', { node: 'n2' })]), ...portsOf(lb('c', { externalTrafficPolicy: 'Cluster', healthCheckNodePort: undefined }), [])]);
    assert.deepEqual([...servers.listening()].map(([k, l]) => [k, l.port, l.addresses.length]), [['ns/a', 32000, 2], ['ns/b', 32001, 2]]);
    const a = await get('ns/a', 1);
    assert.equal(a.status, 200);
    assert.equal(a.type, 'application/json');
    assert.deepEqual(JSON.parse(a.body), { service: { namespace: 'ns', name: 'a' }, localEndpoints: 1, serviceProxyHealthy: true });
    assert.equal((await get('ns/b')).status, 503);
  });

  it('follows endpoints and proxy health at each sync without reopening', async () => {
    const before = servers.listening().get('ns/a')?.addresses[0]?.port;
    await servers.sync([...portsOf(lb('a'), [ep('10.42.0.2', { ready: false })]), ...portsOf(lb('b', { healthCheckNodePort: 32001 }), [ep('10.42.0.9')])]);
    assert.equal(servers.listening().get('ns/a')?.addresses[0]?.port, before);
    assert.equal((await get('ns/a')).status, 503);
    assert.equal((await get('ns/b')).status, 200);
    proxyHealthy = false;
    const b = await get('ns/b');
    assert.equal(b.status, 503);
    assert.equal(JSON.parse(b.body).serviceProxyHealthy, false);
    proxyHealthy = true;
  });

  it('closes the servers of Services that are gone or no longer Local', async () => {
    const old = servers.listening().get('ns/a')?.addresses[0]?.port;
    await servers.sync(portsOf(lb('b', { healthCheckNodePort: 32001 }), [ep('10.42.0.9')]));
    assert.deepEqual([...servers.listening().keys()], ['ns/b']);
    await assert.rejects(new Promise((resolve, reject) => request({ host: '127.0.0.1', port: old, agent: false }, resolve).on('error', reject).end()), { code: 'ECONNREFUSED' });
  });

  it('reports a port it cannot open as a Warning event on the Service and tries again at the next sync', async () => {
    taken.add(32002);
    await servers.sync([...portsOf(lb('b', { healthCheckNodePort: 32001 }), []), ...portsOf(lb('d', { healthCheckNodePort: 32002 }), [ep('10.42.0.4')])]);
    assert.deepEqual([...servers.listening().keys()], ['ns/b']);
    assert.deepEqual(events, ['Warning FailedToStartServiceHealthcheck ns/Service node n1 failed to start healthcheck "ns/d" on port 32002: listen EADDRINUSE: address already in use :::32002']);
    taken.delete(32002);
    await servers.sync([...portsOf(lb('b', { healthCheckNodePort: 32001 }), []), ...portsOf(lb('d', { healthCheckNodePort: 32002 }), [ep('10.42.0.4')])]);
    assert.deepEqual([...servers.listening().keys()], ['ns/b', 'ns/d']);
    assert.equal((await get('ns/d')).status, 200);
  });

  it('closes everything', async () => {
    await servers.close();
    assert.equal(servers.listening().size, 0);
  });
});
