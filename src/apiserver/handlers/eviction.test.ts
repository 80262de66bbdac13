import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

const pods = '/api/v1/namespaces/default/pods';
const pdbs = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const merge = { 'content-type': 'application/merge-patch+json' };

describe('POST pods/eviction', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => t.close());

  async function pod(name: string, app: string, state: 'ready' | 'unready' | 'pending'): Promise<void> {
    const r = await t.call('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
    assert.equal(r.status, 201);
    if (state === 'pending') return;
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: state === 'ready' ? 'True' : 'False' }] };
    assert.equal((await t.call('PATCH', `${pods}/${name}/status`, { status }, merge)).status, 200);
  }
  async function budget(name: string, app: string, status: { currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number }, extra: Record<string, unknown> = {}): Promise<void> {
    const r = await t.call('POST', pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } }, ...extra } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const generation = (r.body.metadata as { generation?: number }).generation;
    const s = await t.call('PATCH', `${pdbs}/${name}/status`, { status: { ...status, expectedPods: 3, observedGeneration: generation } }, merge);
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }
  const evict = (name: string, extra: Record<string, unknown> = {}) => t.call('POST', `${pods}/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...extra });
  const getPod = async (name: string) => (await t.call('GET', `${pods}/${name}`)).body as { metadata?: { deletionTimestamp?: string }; status?: { conditions?: { type: string; reason?: string }[] } };
  const getPdb = async (name: string) => (await t.call('GET', `${pdbs}/${name}`)).body as { status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason: string }[] } };

  it('evicts a pod no budget covers, marking it a disruption target', async () => {
    await pod('free', 'free', 'ready');
    const r = await evict('free');
    assert.equal(r.status, 201);
    assert.equal(r.body.status, 'Success');
    const p = await getPod('free');
    assert.ok(p.metadata?.deletionTimestamp);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'EvictionByEvictionAPI');
  });

  it('takes a disruption from the budget, then refuses with 429 once none is left', async () => {
    for (const n of ['web-0', 'web-1', 'web-2']) await pod(n, 'web', 'ready');
    await budget('web', 'web', { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    assert.equal((await evict('web-0')).status, 201);
    const after1 = await getPdb('web');
    assert.equal(after1.status?.disruptionsAllowed, 0);
    assert.ok(after1.status?.disruptedPods?.['web-0']);
    assert.deepEqual(after1.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
    const refused = await evict('web-1');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.reason, 'TooManyRequests');
    assert.equal(refused.body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual((refused.body.details as { causes?: unknown[] }).causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }]);
    assert.equal((await getPod('web-1')).metadata?.deletionTimestamp, undefined);
  });

  it('lets pending pods and unready pods of a met budget go without spending it', async () => {
    await pod('db-0', 'db', 'ready');
    await pod('db-1', 'db', 'unready');
    await pod('db-2', 'db', 'pending');
    await budget('db', 'db', { currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0 });
    assert.equal((await evict('db-2')).status, 201);
    assert.equal((await evict('db-1')).status, 201);
    assert.equal((await evict('db-0')).status, 429);
    assert.equal((await getPdb('db')).status?.disruptionsAllowed, 0);
  });

  it('evicts unready pods under AlwaysAllow even when the budget is not met', async () => {
    await pod('q-0', 'q', 'unready');
    await budget('q', 'q', { currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    assert.equal((await evict('q-0')).status, 201);
  });

  it('answers 429 while the budget controller has not seen the latest spec', async () => {
    await pod('stale-0', 'stale', 'ready');
    await budget('stale', 'stale', { currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
    assert.equal((await t.call('PATCH', `${pdbs}/stale`, { spec: { minAvailable: 0 } }, merge)).status, 200);
    const r = await evict('stale-0');
    assert.equal(r.status, 429);
    assert.deepEqual((r.body.details as { causes?: unknown[] }).causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget stale is still being processed by the server.' }]);
  });

  it('refuses a pod with two budgets with a 500', async () => {
    await pod('two-0', 'two', 'ready');
    await budget('two-a', 'two', { currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
    await budget('two-b', 'two', { currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
    const r = await evict('two-0');
    assert.equal(r.status, 500);
    assert.equal(r.body.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  it('changes nothing on a dry run', async () => {
    await pod('dry-0', 'dry', 'ready');
    await budget('dry', 'dry', { currentHealthy: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
    assert.equal((await evict('dry-0', { deleteOptions: { dryRun: ['All'] } })).status, 201);
    assert.equal((await getPdb('dry')).status?.disruptionsAllowed, 1);
    assert.equal((await getPod('dry-0')).metadata?.deletionTimestamp, undefined);
  });

  it('rejects an Eviction naming another pod', async () => {
    await pod('named', 'named', 'ready');
    const r = await t.call('POST', `${pods}/named/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'name in URL does not match name in Eviction object');
  });
});
