import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, ClientResponse, type ResourceClient, type Transport } from '../../client/index.ts';
import type { Informer } from '../../client/index.ts';
import { markPodReady, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { PodObject } from '../podutil/index.ts';
import { ReplicaSetController } from './controller.ts';
import type { ReplicaSetObject } from './status.ts';
import { systemClock } from '../../clock.ts';

function newReplicaSet(name: string, replicas: number, extra: { minReadySeconds?: number } = {}): ReplicaSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      ...extra,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

describe('ReplicaSetController.reconcile', () => {
  let env: ControllerHarness;
  let rsc: ReplicaSetController;
  let rsClient: ResourceClient<ReplicaSetObject>;
  let podClient: ResourceClient<PodObject>;
  let podCache: Informer<PodObject>;
  let rsCache: Informer<ReplicaSetObject>;

  const ownedPods = (rs: ReplicaSetObject): PodObject[] =>
    podCache.store.list().filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata?.uid) && !p.metadata?.deletionTimestamp);
  const seed = async (rs: ReplicaSetObject): Promise<ReplicaSetObject> => {
    const created = await rsClient.create(rs);
    await waitFor('the ReplicaSet in the cache', () => rsCache.store.get(`default/${rs.metadata?.name ?? ''}`));
    return created;
  };
  const cachedCount = (rs: ReplicaSetObject, n: number) => waitFor(`${n} pods in the cache`, () => (ownedPods(rs).length === n ? true : undefined));

  before(async () => {
    // reconcile is called by hand and its writes checked; the scheduler would race them by writing pod status
    // (PodScheduled=False: there are no nodes), turning an adoption's precondition into a 409.
    env = await startHarness(systemClock, { disable: ['scheduler'] });
    rsc = new ReplicaSetController(env.deps);
    rsClient = env.client.resource<ReplicaSetObject>('apps/v1', 'replicasets');
    podClient = env.client.resource<PodObject>('v1', 'pods');
    podCache = env.deps.informers.informer<PodObject>('v1', 'pods');
    rsCache = env.deps.informers.informer<ReplicaSetObject>('apps/v1', 'replicasets');
    env.run();
    await rsc.synced;
  });
  after(async () => {
    await env.stop();
  });

  it('creates pods from the template with a controller reference, and never twice for the same need', async () => {
    const rs = await seed(newReplicaSet('web', 3));
    await rsc.reconcile('default/web');
    // A second sync before or after the informer catches up must not create more pods.
    await rsc.reconcile('default/web');
    await cachedCount(rs, 3);
    await rsc.reconcile('default/web');
    const pods = (await podClient.list('default')).items.filter((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid);
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.labels, { app: 'web', tier: 'web' });
      assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const got = await rsClient.get('default', 'web');
    assert.equal(got.status?.replicas, 3);
    assert.equal(got.status?.fullyLabeledReplicas, 3);
    assert.equal(got.status?.readyReplicas, 0);
    assert.equal(got.status?.observedGeneration, got.metadata?.generation);
  });

  it('counts ready and available pods, honouring minReadySeconds', async () => {
    const rs = await seed(newReplicaSet('slow', 2, { minReadySeconds: 3600 }));
    await rsc.reconcile('default/slow');
    await cachedCount(rs, 2);
    const [a, b] = ownedPods(rs);
    assert.ok(a && b);
    await markPodReady(env.client, a, Date.now() - 7200_000);
    await markPodReady(env.client, b);
    await waitFor('ready pods in the cache', () => (ownedPods(rs).every((p) => p.status?.phase === 'Running') ? true : undefined));
    await rsc.reconcile('default/slow');
    const got = await rsClient.get('default', 'slow');
    assert.equal(got.status?.readyReplicas, 2);
    assert.equal(got.status?.availableReplicas, 1);
  });

  it('deletes unready pods before ready ones when scaling down', async () => {
    const rs = await seed(newReplicaSet('shrink', 3));
    await rsc.reconcile('default/shrink');
    await cachedCount(rs, 3);
    const pods = ownedPods(rs);
    const ready = pods[0];
    assert.ok(ready);
    await markPodReady(env.client, ready);
    await waitFor('the ready pod in the cache', () => (podCache.store.get(`default/${ready.metadata?.name ?? ''}`)?.status?.phase === 'Running' ? true : undefined));
    await rsClient.patch('default', 'shrink', 'merge', { spec: { replicas: 1 } });
    await waitFor('the new size in the cache', () => (rsCache.store.get('default/shrink')?.spec?.replicas === 1 ? true : undefined));
    await rsc.reconcile('default/shrink');
    await cachedCount(rs, 1);
    assert.equal(ownedPods(rs)[0]?.metadata?.name, ready.metadata?.name);
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const orphan = await podClient.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await waitFor('the orphan in the cache', () => podCache.store.get('default/stray'));
    const rs = await seed(newReplicaSet('adopt', 2));
    await rsc.reconcile('default/adopt');
    const adopted = await podClient.get('default', 'stray');
    assert.equal(adopted.metadata?.ownerReferences?.[0]?.uid, rs.metadata?.uid);
    await cachedCount(rs, 2);
    // Relabel the orphan: in the same sync the ReplicaSet lets go of it and makes a replacement.
    await podClient.patch('default', 'stray', 'merge', { metadata: { labels: { app: 'other' } } });
    await waitFor('the relabel in the cache', () => (podCache.store.get('default/stray')?.metadata?.labels?.app === 'other' ? true : undefined));
    await rsc.reconcile('default/adopt');
    const released = await podClient.get('default', 'stray');
    assert.equal(released.metadata?.ownerReferences, undefined);
    assert.equal(orphan.metadata?.name, 'stray');
    await cachedCount(rs, 2);
    assert.ok(!ownedPods(rs).some((p) => p.metadata?.name === 'stray'));
  });

  it('reports FailedCreate in a ReplicaFailure condition and an event when pods cannot be created', async () => {
    // A transport that refuses pod creates as a quota admission would: a second controller sees the cluster through it.
    let creates = 0;
    const refusing: Transport = async (req) => {
      if (req.method === 'POST' && req.path.split('?')[0] === '/api/v1/namespaces/default/pods') {
        creates++;
        const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "quota-" is forbidden: exceeded quota: pods' };
        return ClientResponse.json(403, status);
      }
      return env.client.transport(req);
    };
    const quota = new ReplicaSetController({ ...env.deps, client: new Client(refusing) });
    await seed(newReplicaSet('quota', 4));
    await assert.rejects(quota.reconcile('default/quota'), /exceeded quota/);
    const got = await rsClient.get('default', 'quota');
    const failure = got.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    assert.equal(failure?.status, 'True');
    assert.equal(failure?.reason, 'FailedCreate');
    assert.equal(got.status?.replicas, 0);
    // Slow start: the first create failed, so no others were tried, and none are still expected.
    assert.equal(creates, 1);
    assert.equal(quota.expectations.pending('default/quota')?.add ?? 0, 0);
    assert.equal(failure?.message, 'pods "quota-" is forbidden: exceeded quota: pods');
    await waitFor('the FailedCreate event', async () =>
      (await env.client.resource('v1', 'events').list('default')).items.some((e) => e.reason === 'FailedCreate' && e.message === 'Error creating: pods "quota-" is forbidden: exceeded quota: pods') ? true : undefined,
    );
  });
});
