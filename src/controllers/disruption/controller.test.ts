import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import type { PdbObject } from '../../api/other/index.ts';
import { formatTime } from '../../api/time.ts';
import type { ResourceClient } from '../../client/index.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { PodObject } from '../podutil/index.ts';
import { DisruptionController, staleDisruptionIn } from './controller.ts';
import { desiredHealthy } from './status.ts';

describe('desiredHealthy', () => {
  const pdb = (spec: PdbObject['spec']): PdbObject => ({ spec });
  const cases = [
    { name: 'integer minAvailable expects the matching pods', spec: { minAvailable: 2 }, pods: 3, scale: 10, want: { expectedCount: 3, desiredHealthy: 2 } },
    { name: 'percent minAvailable rounds up against the scale', spec: { minAvailable: '50%' }, pods: 3, scale: 5, want: { expectedCount: 5, desiredHealthy: 3 } },
    { name: 'maxUnavailable integer', spec: { maxUnavailable: 1 }, pods: 3, scale: 4, want: { expectedCount: 4, desiredHealthy: 3 } },
    { name: 'maxUnavailable percent rounds the unavailable up', spec: { maxUnavailable: '30%' }, pods: 3, scale: 4, want: { expectedCount: 4, desiredHealthy: 2 } },
    { name: 'maxUnavailable above the scale floors at 0', spec: { maxUnavailable: 9 }, pods: 3, scale: 4, want: { expectedCount: 4, desiredHealthy: 0 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(desiredHealthy(pdb(c.spec), c.pods, () => c.scale), c.want));
});

describe('staleDisruptionIn', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const pod = (cond: Record<string, string> | null, extra: Partial<PodObject> = {}): PodObject => ({
    metadata: { name: 'p', namespace: 'default', ...extra.metadata },
    status: { phase: 'Running', ...extra.status, conditions: cond ? [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: '2026-01-01T00:09:00Z', ...cond }] : [] },
  });
  const cases: { name: string; pod: PodObject; want: number | undefined }[] = [
    { name: 'an eviction a minute ago: stale in a minute', pod: pod({ reason: 'EvictionByEvictionAPI' }), want: 60_000 },
    { name: 'past two minutes: stale now', pod: pod({ reason: 'PreemptionByScheduler', lastTransitionTime: '2026-01-01T00:00:00Z' }), want: 0 },
    { name: 'no condition', pod: pod(null), want: undefined },
    { name: 'already False', pod: pod({ status: 'False' }), want: undefined },
    { name: 'the node agent\'s own condition never goes stale', pod: pod({ reason: 'TerminationByKubelet' }), want: undefined },
    { name: 'a pod being deleted', pod: pod({ reason: 'EvictionByEvictionAPI' }, { metadata: { deletionTimestamp: '2026-01-01T00:09:30Z' } }), want: undefined },
    { name: 'a finished pod', pod: pod({ reason: 'EvictionByEvictionAPI' }, { status: { phase: 'Failed' } }), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(staleDisruptionIn(c.pod, now), c.want));
});

describe('DisruptionController.reconcile', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let dc: DisruptionController;
  let pdbs: ResourceClient<PdbObject>;
  let pods: ResourceClient<PodObject>;

  before(async () => {
    h = await startHarness(clock, { disable: ['deployment', 'replicaset', 'nodelifecycle', 'tainteviction', 'podgc', 'disruption'] });
    dc = new DisruptionController(h.deps);
    pdbs = h.client.resource<PdbObject>('policy/v1', 'poddisruptionbudgets');
    pods = h.client.resource<PodObject>('v1', 'pods');
    h.run();
    await dc.synced;
  });
  after(async () => h.stop());

  const cache = <T extends ApiObject>(apiVersion: string, plural: string) => h.deps.informers.informer<T>(apiVersion, plural);
  async function create<T extends ApiObject>(apiVersion: string, plural: string, obj: T): Promise<T> {
    const created = await h.client.resource<T>(apiVersion, plural).create(obj);
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    await waitFor(`${plural} ${key} in the cache`, () => cache<T>(apiVersion, plural).store.get(key));
    return created;
  }
  async function readyPods(app: string, n: number, owner?: { apiVersion: string; kind: string; name: string; uid: string }): Promise<void> {
    for (let i = 0; i < n; i++) {
      const ownerReferences = owner ? [{ ...owner, controller: true }] : undefined;
      await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${app}-${i}`, namespace: 'default', labels: { app }, ...(ownerReferences ? { ownerReferences } : {}) }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
      await pods.patch('default', `${app}-${i}`, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTime(clock.now()) }] } }, { subresource: 'status' });
    }
    await waitFor(`${n} ready ${app} pods in the cache`, () => (cache<PodObject>('v1', 'pods').store.list().filter((p) => p.metadata?.labels?.app === app && p.status?.phase === 'Running').length === n ? true : undefined));
  }
  const budget = (name: string, app: string, spec: Omit<NonNullable<PdbObject['spec']>, 'selector'>): PdbObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default' }, spec: { ...spec, selector: { matchLabels: { app } } } });
  async function sync(name: string): Promise<PdbObject> {
    await dc.reconcile(`default/${name}`);
    return pdbs.get('default', name);
  }
  async function reasons(name: string): Promise<string[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
    return (list.items as unknown as Event[]).map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }

  it('counts healthy pods against an integer minAvailable', async () => {
    await readyPods('plain', 3);
    await create('policy/v1', 'poddisruptionbudgets', budget('plain', 'plain', { minAvailable: 2 }));
    const got = await sync('plain');
    const { conditions, ...rest } = got.status ?? {};
    assert.deepEqual(rest, { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: got.metadata?.generation });
    assert.deepEqual(conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [['DisruptionAllowed', 'True', 'SufficientPods', got.metadata?.generation]]);
  });

  it('takes maxUnavailable against the Deployment behind the pods', async () => {
    const d = await create('apps/v1', 'deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as ApiObject);
    const rs = await create('apps/v1', 'replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata?.uid ?? '', controller: true }] }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as ApiObject);
    await readyPods('web', 3, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: rs.metadata?.uid ?? '' });
    await create('policy/v1', 'poddisruptionbudgets', budget('web', 'web', { maxUnavailable: '50%' }));
    const got = await sync('web');
    assert.deepEqual([got.status?.expectedPods, got.status?.desiredHealthy, got.status?.currentHealthy, got.status?.disruptionsAllowed], [4, 2, 3, 1]);
  });

  it('fails safe with SyncFailed when a controller has no scale', async () => {
    const ds = await create('apps/v1', 'daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as ApiObject);
    await readyPods('agent', 2, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata?.uid ?? '' });
    await create('policy/v1', 'poddisruptionbudgets', budget('agent', 'agent', { maxUnavailable: 1 }));
    const got = await sync('agent');
    assert.equal(got.status?.disruptionsAllowed, 0);
    const c = got.status?.conditions?.find((x) => x.type === 'DisruptionAllowed');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'SyncFailed', 'daemonsets.apps does not implement the scale subresource']);
    assert.ok((await reasons('agent')).some((r) => r.startsWith('CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods')));
  });

  it('does not count recently evicted pods, and drops evictions that never happened', async () => {
    await readyPods('evict', 3);
    await create('policy/v1', 'poddisruptionbudgets', budget('evict', 'evict', { minAvailable: 2 }));
    const first = await sync('evict');
    await pdbs.updateStatus({ ...first, status: { ...first.status, disruptionsAllowed: 0, disruptedPods: { 'evict-0': formatTime(clock.now()) } } } as PdbObject);
    await waitFor('the eviction in the cache', () => (cache<PdbObject>('policy/v1', 'poddisruptionbudgets').store.get('default/evict')?.status?.disruptedPods ? true : undefined));
    const during = await sync('evict');
    assert.deepEqual([during.status?.currentHealthy, during.status?.disruptionsAllowed], [2, 0]);
    assert.equal(during.status?.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');
    clock.step(2 * 60 * 1000 + 1000);
    await waitFor('the new status in the cache', () => (cache<PdbObject>('policy/v1', 'poddisruptionbudgets').store.get('default/evict')?.status?.currentHealthy === 2 ? true : undefined));
    const after = await sync('evict');
    assert.deepEqual([after.status?.currentHealthy, after.status?.disruptionsAllowed, after.status?.disruptedPods], [3, 1, undefined]);
    assert.ok((await reasons('evict-0')).includes("NotDeleted: Pod was expected by PDB default/evict to be deleted but it wasn't"));
  });

  it('reports a budget that selects no pods', async () => {
    await create('policy/v1', 'poddisruptionbudgets', budget('empty', 'nothing-here', { minAvailable: 1 }));
    const got = await sync('empty');
    assert.deepEqual([got.status?.expectedPods, got.status?.disruptionsAllowed], [0, 0]);
    assert.ok((await reasons('empty')).includes('NoPods: No matching pods found'));
  });

  it('sets a DisruptionTarget condition nobody acted on back to False after two minutes, keeping its reason', async () => {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'marked', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
    const marked = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: formatTime(clock.now()) };
    await pods.patch('default', 'marked', 'strategic', { status: { phase: 'Running', conditions: [marked] } }, { subresource: 'status' });
    const condition = async () => (await pods.get('default', 'marked')).status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    await waitFor('marked pod in the cache', () => (cache<PodObject>('v1', 'pods').store.get('default/marked')?.status?.conditions?.length ? true : undefined));
    await dc.reconcileStalePod('default/marked');
    assert.equal((await condition())?.status, 'True');
    clock.step(2 * 60_000);
    await dc.reconcileStalePod('default/marked');
    const cleared = await condition();
    assert.equal(cleared?.status, 'False');
    assert.equal(cleared?.reason, 'EvictionByEvictionAPI');
    assert.equal(cleared?.lastTransitionTime, formatTime(clock.now()));
  });
});
