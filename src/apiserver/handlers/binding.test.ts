import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

const pods = '/api/v1/namespaces/default/pods';
const merge = { 'content-type': 'application/merge-patch+json' };

function binding(name: string, node: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
}

describe('POST pods/binding', () => {
  let t: TestApi;
  const create = async (name: string, extra: Record<string, unknown> = {}): Promise<Pod> => {
    const res = await t.call('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' }, ...extra }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(res.status, 201);
    return res.body as Pod;
  };
  const get = async (name: string): Promise<Pod> => (await t.call('GET', `${pods}/${name}`)).body as Pod;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => t.close());

  it('sets nodeName and PodScheduled=True, keeping the other conditions and the rest of the pod', async () => {
    await create('p1');
    const unschedulable = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' };
    const other = { type: 'DisruptionTarget', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' };
    assert.equal((await t.call('PATCH', `${pods}/p1/status`, { status: { conditions: [unschedulable, other] } }, merge)).status, 200);
    const before = await get('p1');
    const res = await t.call('POST', `${pods}/p1/binding`, binding('p1', 'node-a'));
    assert.equal(res.status, 201);
    assert.equal(res.body.kind, 'Status');
    assert.equal(res.body.status, 'Success');
    const after = await get('p1');
    assert.equal(after.spec?.nodeName, 'node-a');
    const conds = after.status?.conditions ?? [];
    assert.deepEqual(conds.map((c) => [c.type, c.status]), [['DisruptionTarget', 'False'], ['PodScheduled', 'True']]);
    assert.ok(conds.find((c) => c.type === 'PodScheduled')?.lastTransitionTime);
    assert.notEqual(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.deepEqual(after.spec?.containers, before.spec?.containers);
    assert.deepEqual(after.metadata?.labels, before.metadata?.labels);
    assert.equal(after.metadata?.uid, before.metadata?.uid);
  });

  it('answers 409 for a pod already bound, and leaves it where it is', async () => {
    await create('p2');
    assert.equal((await t.call('POST', `${pods}/p2/binding`, binding('p2', 'node-a'))).status, 201);
    const again = await t.call('POST', `${pods}/p2/binding`, binding('p2', 'node-b'));
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'Conflict');
    assert.match(String(again.body.message), /pod p2 is already assigned to node "node-a"/);
    assert.equal((await get('p2')).spec?.nodeName, 'node-a');
  });

  it('answers 409 for a pod being deleted', async () => {
    await create('p3', { finalizers: ['example.com/hold'] });
    assert.equal((await t.call('DELETE', `${pods}/p3`)).status, 200);
    const res = await t.call('POST', `${pods}/p3/binding`, binding('p3', 'node-a'));
    assert.equal(res.status, 409);
    assert.match(String(res.body.message), /pod p3 is being deleted/);
    assert.equal((await t.call('PATCH', `${pods}/p3`, { metadata: { finalizers: null } }, merge)).status, 200);
  });

  it('refuses a binding without a target node, and one for a missing pod', async () => {
    await create('p4');
    const noTarget = await t.call('POST', `${pods}/p4/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p4' }, target: {} });
    assert.equal(noTarget.status, 422);
    const missing = await t.call('POST', `${pods}/nope/binding`, binding('nope', 'node-a'));
    assert.equal(missing.status, 404);
    assert.equal((await get('p4')).spec?.nodeName, undefined);
  });
});
