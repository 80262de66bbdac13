import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { NodeIpamController } from './controller.ts';

type NodeObject = Node & ApiObject;

describe('NodeIpamController', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startHarness(new FakeClock());
  });
  after(() => h.stop());
  const nodes = () => h.client.resource<NodeObject>('v1', 'nodes');
  const cidrOf = async (name: string) => (await nodes().get(undefined, name)).spec?.podCIDR;

  it('keeps CIDRs nodes have and gives the others free ones, freeing those of deleted nodes', async () => {
    await nodes().create({ metadata: { name: 'has' }, spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] } });
    await nodes().create({ metadata: { name: 'a' } });
    h.run(new NodeIpamController(h.deps, { clusterCidr: '10.42.0.0/23', nodeCidrMaskSize: 24 }));
    assert.equal(await waitFor('a CIDR for a', () => cidrOf('a')), '10.42.1.0/24');
    assert.deepEqual((await nodes().get(undefined, 'a')).spec?.podCIDRs, ['10.42.1.0/24']);
    assert.equal(await cidrOf('has'), '10.42.0.0/24');
    // The range is full: b waits until a goes.
    await nodes().create({ metadata: { name: 'b' } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await cidrOf('b'), undefined);
    await nodes().delete(undefined, 'a');
    await nodes().create({ metadata: { name: 'c' } });
    const got = await waitFor('a CIDR for b or c', async () => (await cidrOf('b')) ?? (await cidrOf('c')));
    assert.equal(got, '10.42.1.0/24');
  });
});
