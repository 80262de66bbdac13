import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { ServiceAllocator } from './allocator.ts';

type Svc = { metadata?: { name?: string }; spec?: { clusterIP?: string; clusterIPs?: string[]; type?: string; ports?: { port: number; nodePort?: number; name?: string }[]; healthCheckNodePort?: number } };

describe('Service cluster IPs and node ports', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ serviceCidr: '10.43.0.0/24', nodePortRange: { min: 30000, max: 30009 } });
  });
  after(() => t.close());
  const create = (name: string, spec: Record<string, unknown>, query = '') => t.call('POST', `/api/v1/namespaces/default/services${query}`, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
  const ipKeys = async () => (await t.store.list('/registry/ipaddresses/')).kvs.map((kv) => kv.key.split('/').pop());

  it('gives a ClusterIP service a free address of the range, and holds it', async () => {
    const r = await create('a', {});
    assert.equal(r.status, 201);
    const ip = (r.body as Svc).spec?.clusterIP ?? '';
    assert.match(ip, /^10\.43\.0\.\d+$/);
    assert.deepEqual((r.body as Svc).spec?.clusterIPs, [ip]);
    assert.ok((await ipKeys()).includes(ip));
  });

  it('refuses a requested IP that is taken or out of range, as upstream words it', async () => {
    const taken = ((await t.call('GET', '/api/v1/namespaces/default/services/a')).body as Svc).spec?.clusterIP;
    const dup = await create('b', { clusterIP: taken });
    assert.equal(dup.status, 422);
    assert.match(String(dup.body.message), new RegExp(`spec.clusterIPs: Invalid value: .*failed to allocate IP ${taken?.replaceAll('.', '\\.')}: provided IP is already allocated`));
    const outside = await create('b', { clusterIP: '10.99.0.1' });
    assert.equal(outside.status, 422);
    assert.match(String(outside.body.message), /the provided IP \(10\.99\.0\.1\) is not in the valid range\. The range of valid IPs is 10\.43\.0\.0\/24/);
    assert.equal((await t.call('GET', '/api/v1/namespaces/default/services/b')).status, 404, 'nothing half-written');
  });

  it('frees the IP when the service is deleted, and a dry run allocates nothing', async () => {
    const ip = ((await t.call('GET', '/api/v1/namespaces/default/services/a')).body as Svc).spec?.clusterIP;
    const before = await ipKeys();
    const dry = await create('dry', {}, '?dryRun=All');
    assert.equal(dry.status, 201);
    assert.deepEqual(await ipKeys(), before);
    assert.equal((await t.call('DELETE', '/api/v1/namespaces/default/services/a')).status, 200);
    assert.ok(!(await ipKeys()).includes(ip));
    assert.equal((await create('a2', { clusterIP: ip })).status, 201);
  });

  it('allocates node ports, keeps them across updates that leave them out, and releases them on type change', async () => {
    const r = await create('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] });
    assert.equal(r.status, 201);
    const ports = ((r.body as Svc).spec?.ports ?? []).map((p) => p.nodePort ?? 0);
    assert.ok(ports.every((p) => p >= 30000 && p <= 30009) && ports[0] !== ports[1], `${ports}`);
    const dup = await create('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] });
    assert.equal(dup.status, 422);
    assert.match(String(dup.body.message), new RegExp(`spec.ports\\[0\\].nodePort: Invalid value: ${ports[0]}: provided port is already allocated`));
    const range = await create('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] });
    assert.match(String(range.body.message), /provided port is not in the valid range\. The range of valid ports is 30000-30009/);
    // An apply-style update without nodePorts keeps them.
    const kept = await t.call('PATCH', '/api/v1/namespaces/default/services/np', { spec: { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.deepEqual(((kept.body as Svc).spec?.ports ?? []).map((p) => p.nodePort), ports);
    const back = await t.call('PATCH', '/api/v1/namespaces/default/services/np', { spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal((await create('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] })).status, 201);
  });

  it('allocates a health check port to a LoadBalancer with externalTrafficPolicy Local, keeps it, and releases it when the policy turns Cluster', async () => {
    const r = await create('lb-local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const spec = (r.body as Svc).spec;
    const hc = spec?.healthCheckNodePort ?? 0;
    assert.ok(hc >= 30000 && hc <= 30009 && hc !== spec?.ports?.[0]?.nodePort, `${hc}`);
    const dup = await create('np5', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] });
    assert.match(String(dup.body.message), new RegExp(`spec.ports\\[0\\].nodePort: Invalid value: ${hc}: provided port is already allocated`));
    const merge = { 'content-type': 'application/merge-patch+json' };
    const kept = await t.call('PATCH', '/api/v1/namespaces/default/services/lb-local', { spec: { healthCheckNodePort: null } }, merge);
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
    assert.equal((kept.body as Svc).spec?.healthCheckNodePort, hc, 'left out, it keeps its port');
    const cluster = await t.call('PATCH', '/api/v1/namespaces/default/services/lb-local', { spec: { externalTrafficPolicy: 'Cluster' } }, merge);
    assert.equal(cluster.status, 200, JSON.stringify(cluster.body));
    assert.equal((cluster.body as Svc).spec?.healthCheckNodePort, undefined);
    assert.equal((await create('np5', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] })).status, 201);
    await t.call('DELETE', '/api/v1/namespaces/default/services/lb-local');
    await t.call('DELETE', '/api/v1/namespaces/default/services/np5');
  });

  it('publishes a control-plane Service with a fixed IP, which then holds that IP', async () => {
    await t.api.publishStaticService({ namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, clusterIP: '10.43.0.10', ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }], address: '192.0.2.10' });
    const svc = (await t.call('GET', '/api/v1/namespaces/kube-system/services/kube-dns')).body as Svc;
    assert.equal(svc.spec?.clusterIP, '10.43.0.10');
    const slice = (await t.call('GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns')).body as { endpoints?: { addresses: string[] }[]; ports?: { port: number }[] };
    assert.deepEqual(slice.endpoints?.[0]?.addresses, ['192.0.2.10']);
    assert.equal(slice.ports?.[0]?.port, 5353);
    assert.equal((await create('squatter', { clusterIP: '10.43.0.10' })).status, 422);
  });

  it('repairs keys left without a service and restores missing ones', async () => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    // An address of the static band: random allocations never take it, so no test Service holds it.
    await t.store.create('/registry/ipaddresses/10.43.0.5', enc({ metadata: { annotations: { 'berth.dev/service-uid': 'gone' } } }));
    const a2 = ((await t.call('GET', '/api/v1/namespaces/default/services/a2')).body as Svc).spec?.clusterIP ?? '';
    await t.store.delete(`/registry/ipaddresses/${a2}`);
    const services = ((await t.call('GET', '/api/v1/services')).body as { items: Svc[] }).items;
    await new ServiceAllocator({ store: t.store, serviceCidr: '10.43.0.0/24' }).repair(services as never);
    const keys = await ipKeys();
    assert.ok(!keys.includes('10.43.0.5'));
    assert.ok(keys.includes(a2));
  });
});
