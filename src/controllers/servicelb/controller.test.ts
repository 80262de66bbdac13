import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { IpPool } from './pool.ts';
import { nodeAddresses, ServiceLbController } from './controller.ts';

type Svc = Service & ApiObject;
type NodeObject = Node & ApiObject;

const ingressOf = (s: Svc | undefined): string[] => (s?.status?.loadBalancer?.ingress ?? []).map((i) => `${i.ip}/${i.ipMode}`);

describe('ServiceLbController', () => {
  for (const mode of ['node addresses', 'pool'] as const) {
    describe(mode, () => {
      let h: ControllerHarness;
      before(async () => {
        h = await startHarness(new FakeClock(), { disable: ['servicelb'] });
        const nodes = h.client.resource<NodeObject>('v1', 'nodes');
        for (const [name, ip] of [['n1', '192.168.1.11'], ['n2', '192.168.1.12']] as const) {
          const n = await nodes.create({ metadata: { name } });
          await nodes.updateStatus({ ...n, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }], conditions: [{ type: 'Ready', status: 'True' }] } });
        }
        h.run(new ServiceLbController(h.deps, mode === 'pool' ? { pool: '172.31.254.0/30' } : {}));
      });
      after(() => h.stop());
      const services = () => h.client.resource<Svc>('v1', 'services');
      const create = (name: string, spec: Service['spec']) => services().create({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec } });
      const ingress = (name: string, want: (ips: string[]) => boolean) =>
        waitFor(`${name} ingress`, async () => {
          const ips = ingressOf(await services().get('default', name));
          return want(ips) ? ips : undefined;
        });

      it('gives a LoadBalancer Service addresses, and takes them away when it changes type', async () => {
        await create('a', { type: 'LoadBalancer' });
        const got = await ingress('a', (ips) => ips.length > 0);
        assert.deepEqual(got, mode === 'pool' ? ['172.31.254.1/VIP'] : ['192.168.1.11/VIP', '192.168.1.12/VIP']);
        const cur = await services().get('default', 'a');
        await services().update({ ...cur, spec: { ...cur.spec, type: 'ClusterIP', externalTrafficPolicy: undefined, allocateLoadBalancerNodePorts: undefined, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } });
        assert.deepEqual(await ingress('a', (ips) => ips.length === 0), []);
      });

      it('leaves Services of another loadBalancerClass alone', async () => {
        await create('other', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' });
        await create('mine', { type: 'LoadBalancer' });
        await ingress('mine', (ips) => ips.length > 0);
        assert.deepEqual(ingressOf(await services().get('default', 'other')), []);
      });

      if (mode === 'pool') {
        it('reuses released pool addresses, honours loadBalancerIP, and reports exhaustion', async () => {
          // /30 pool: .1 and .2. "a" released .1; "mine" took it; ask for .2 explicitly, then a third gets nothing.
          await create('asks', { type: 'LoadBalancer', loadBalancerIP: '172.31.254.2' });
          assert.deepEqual(await ingress('asks', (ips) => ips.length > 0), ['172.31.254.2/VIP']);
          await create('late', { type: 'LoadBalancer' });
          await waitFor('AllocationFailed event', async () => {
            const evs = await h.client.resource('v1', 'events').list('default');
            return evs.items.find((e) => (e as { reason?: string }).reason === 'AllocationFailed') ? true : undefined;
          });
          await services().delete('default', 'asks');
          assert.deepEqual(await ingress('late', (ips) => ips.length > 0), ['172.31.254.2/VIP']);
        });
      } else {
        it('follows the nodes: a node that goes takes its address along', async () => {
          await h.client.resource<NodeObject>('v1', 'nodes').delete(undefined, 'n2');
          assert.deepEqual(await ingress('mine', (ips) => ips.length === 1), ['192.168.1.11/VIP']);
        });
      }
    });
  }
});

describe('IpPool', () => {
  it('skips network and broadcast addresses and hands out the lowest free one', () => {
    const p = new IpPool('10.0.0.0/30');
    assert.equal(p.allocate('a'), '10.0.0.1');
    assert.equal(p.claim('10.0.0.1', 'b'), false);
    assert.equal(p.claim('10.0.0.3', 'b'), false);
    assert.equal(p.allocate('b'), '10.0.0.2');
    assert.equal(p.allocate('c'), undefined);
    assert.deepEqual(p.releaseAll('a'), ['10.0.0.1']);
    assert.equal(p.allocate('c'), '10.0.0.1');
  });
  it('uses every address of a /32', () => assert.equal(new IpPool('10.0.0.7/32').allocate('a'), '10.0.0.7'));
});

describe('nodeAddresses', () => {
  it('prefers ExternalIPs when any node has one', () => {
    const n = (addrs: [string, string][]): Node => ({ status: { addresses: addrs.map(([type, address]) => ({ type, address })) } });
    assert.deepEqual(nodeAddresses([n([['InternalIP', '10.0.0.2']]), n([['InternalIP', '10.0.0.1']])]), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(nodeAddresses([n([['InternalIP', '10.0.0.2'], ['ExternalIP', '1.2.3.4']]), n([['InternalIP', '10.0.0.1']])]), ['1.2.3.4']);
  });
});
