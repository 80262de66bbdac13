import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Endpoints, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { EndpointSliceController } from '../endpointslice/controller.ts';
import { startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { EndpointsController } from './controller.ts';
import { findPort, lastChangeTriggerTimeAnnotation } from './pods.ts';

describe('findPort', () => {
  const pod: Pod = { spec: { containers: [{ name: 'a', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }] } };
  const cases = [
    { name: 'number', sp: { port: 80, targetPort: 9090 }, want: 9090 },
    { name: 'defaults to port', sp: { port: 80 }, want: 80 },
    { name: 'named', sp: { port: 80, targetPort: 'http' }, want: 8080 },
    { name: 'named, protocol must match', sp: { port: 53, targetPort: 'dns' }, want: undefined },
    { name: 'named UDP', sp: { port: 53, targetPort: 'dns', protocol: 'UDP' }, want: 53 },
    { name: 'unknown name', sp: { port: 80, targetPort: 'nope' }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(findPort(pod, c.sp), c.want));
});

describe('Endpoints and EndpointSlice controllers against a control plane', () => {
  let h: ControllerHarness;

  before(async () => {
    h = await startHarness({ now: () => Date.now() });
    h.run(new EndpointsController(h.deps), new EndpointSliceController(h.deps, { maxEndpointsPerSlice: 3 }));
  });
  after(async () => h.stop());

  const svcs = () => h.client.resource('v1', 'services');
  const podsApi = () => h.client.resource('v1', 'pods');
  const getEndpoints = async (name: string): Promise<Endpoints | undefined> => {
    try {
      return (await h.client.resource('v1', 'endpoints').get('default', name)) as unknown as Endpoints;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  const slicesOf = async (svc: string): Promise<EndpointSlice[]> =>
    ((await h.client.resource('discovery.k8s.io/v1', 'endpointslices').list('default', { labelSelector: `kubernetes.io/service-name=${svc}` })).items as unknown as EndpointSlice[]).filter((s) => !s.metadata?.deletionTimestamp);
  async function createPod(name: string, labels: Record<string, string>, ip: string, ready: boolean, spec: Partial<Pod['spec']> = {}): Promise<void> {
    await podsApi().create({ metadata: { name, namespace: 'default', labels }, spec: { nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec } } as ApiObject);
    await setReady(name, ready, ip);
  }
  async function setReady(name: string, ready: boolean, ip?: string): Promise<void> {
    const status = { phase: 'Running', ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] };
    await podsApi().patch('default', name, 'strategic', { status }, { subresource: 'status' });
  }
  const ips = (addrs: { ip: string }[] | undefined) => (addrs ?? []).map((a) => a.ip);

  it('lists ready and not-ready pods with named target ports, and follows readiness', async () => {
    await svcs().create({ metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } } as ApiObject);
    await createPod('web-1', { app: 'web' }, '10.0.0.1', true);
    await createPod('web-2', { app: 'web' }, '10.0.0.2', false);
    await createPod('other', { app: 'other' }, '10.0.0.9', true);
    const ep = await waitFor('endpoints', async () => { const e = await getEndpoints('web'); return e?.subsets?.[0]?.notReadyAddresses?.length ? e : undefined; });
    const subset = ep.subsets?.[0];
    assert.deepEqual(ips(subset?.addresses), ['10.0.0.1']);
    assert.deepEqual(ips(subset?.notReadyAddresses), ['10.0.0.2']);
    assert.deepEqual(subset?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(subset?.addresses?.[0]?.nodeName, 'node-a');
    assert.equal(subset?.addresses?.[0]?.targetRef?.name, 'web-1');
    assert.ok(ep.metadata?.annotations?.[lastChangeTriggerTimeAnnotation]);
    assert.equal(ep.metadata?.labels?.tier, 'front');

    const [slice] = await waitFor('slice', async () => { const s = await slicesOf('web'); return s.length === 1 && s[0]?.endpoints?.length === 2 ? s : undefined; });
    assert.ok(slice);
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.conditions]), [
      ['10.0.0.1', { ready: true, serving: true, terminating: false }],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }],
    ]);
    assert.equal(slice.metadata?.ownerReferences?.[0]?.kind, 'Service');

    await setReady('web-2', true);
    await setReady('web-1', false);
    await waitFor('readiness flipped', async () => {
      const e = await getEndpoints('web');
      return ips(e?.subsets?.[0]?.addresses).join() === '10.0.0.2' && ips(e?.subsets?.[0]?.notReadyAddresses).join() === '10.0.0.1' ? true : undefined;
    });
    await waitFor('slice readiness flipped', async () => {
      const [s] = await slicesOf('web');
      return s?.endpoints.find((e) => e.addresses[0] === '10.0.0.2')?.conditions?.ready === true && s.endpoints.find((e) => e.addresses[0] === '10.0.0.1')?.conditions?.ready === false ? true : undefined;
    });
  });

  it('drops terminating pods from Endpoints and marks them terminating in slices', async () => {
    await podsApi().delete('default', 'web-2');
    await waitFor('endpoints without web-2', async () => {
      const e = await getEndpoints('web');
      return !JSON.stringify(e?.subsets ?? []).includes('10.0.0.2') ? true : undefined;
    });
    await waitFor('slice terminating or gone', async () => {
      const [s] = await slicesOf('web');
      const e = s?.endpoints.find((x) => x.addresses[0] === '10.0.0.2');
      return s && (!e || (e.conditions?.terminating === true && e.conditions.ready === false)) ? true : undefined;
    });
  });

  it('publishes hostnames for a headless Service and leaves selectorless Services alone', async () => {
    await svcs().create({ metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' } } } as ApiObject);
    await svcs().create({ metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 5432 }] } } as ApiObject);
    await createPod('db-0', { app: 'db' }, '10.0.1.1', true, { hostname: 'db-0', subdomain: 'db' });
    const ep = await waitFor('headless endpoints', async () => { const e = await getEndpoints('db'); return e?.subsets?.length ? e : undefined; });
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.hostname, 'db-0');
    assert.equal(ep.metadata?.labels?.['service.kubernetes.io/headless'], '');
    const [slice] = await waitFor('headless slice', async () => { const s = await slicesOf('db'); return s[0]?.endpoints?.length ? s : undefined; });
    assert.equal(slice?.endpoints[0]?.hostname, 'db-0');
    assert.equal(await getEndpoints('manual'), undefined);
    assert.equal((await slicesOf('manual')).length, 0);
  });

  it('splits endpoints over slices of at most maxEndpointsPerSlice', async () => {
    await svcs().create({ metadata: { name: 'many', namespace: 'default' }, spec: { selector: { app: 'many' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as ApiObject);
    for (let i = 1; i <= 7; i++) await createPod(`many-${i}`, { app: 'many' }, `10.0.2.${i}`, true);
    const slices = await waitFor('three slices', async () => {
      const s = await slicesOf('many');
      return s.reduce((n, x) => n + (x.endpoints?.length ?? 0), 0) === 7 ? s : undefined;
    });
    assert.deepEqual(slices.map((s) => s.endpoints.length).sort(), [1, 3, 3]);
    await svcs().delete('default', 'many');
    await waitFor('endpoints removed with the service', async () => ((await getEndpoints('many')) === undefined ? true : undefined));
  });
});
