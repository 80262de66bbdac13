import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { markPodReady, waitFor } from '../../testing/controller-harness.ts';
import { eventMessages, livePods, names, newStatefulSet, readyAll, runUntil, settle, startStsEnv, step, type StsEnv } from './fixtures.ts';

describe('StatefulSetController.reconcile: scaling, identity and claims', () => {
  let e: StsEnv;
  // The clock follows real time unless a test moves it ahead.
  let offset = 0;
  before(async () => {
    e = await startStsEnv({ now: () => Date.now() + offset });
  });
  after(async () => e.env.stop());

  it('creates pods one at a time in ordinal order, each after the previous is Running and Ready', async () => {
    const set = await e.sets.create(newStatefulSet('web', { claims: true }));
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0']);
    // web-0 is not ready: however often we sync, web-1 must wait.
    await step(e, 'web');
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0']);
    await readyAll(e, 'web');
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0', 'web-1']);
    await readyAll(e, 'web');
    await step(e, 'web');
    await readyAll(e, 'web');
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0', 'web-1', 'web-2']);

    const web0 = await e.pods.get('default', 'web-0');
    const got = await e.sets.get('default', 'web');
    const rev = got.status?.updateRevision ?? '';
    assert.match(rev, /^web-[a-z0-9]+$/);
    assert.deepEqual(web0.metadata?.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': rev });
    assert.equal(web0.spec?.hostname, 'web-0');
    assert.equal(web0.spec?.subdomain, 'web');
    assert.deepEqual(web0.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(web0.spec?.volumes?.[0], { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } });
    const claims = (await e.claims.list('default')).items.map((c) => c.metadata?.name).sort();
    assert.deepEqual(claims, ['data-web-0', 'data-web-1', 'data-web-2']);
    assert.deepEqual((await e.claims.get('default', 'data-web-0')).metadata?.labels, { app: 'web' });

    await step(e, 'web');
    const status = (await e.sets.get('default', 'web')).status;
    assert.equal(status?.replicas, 3);
    assert.equal(status?.readyReplicas, 3);
    assert.equal(status?.availableReplicas, 3);
    assert.equal(status?.currentReplicas, 3);
    assert.equal(status?.updatedReplicas, 3);
    assert.equal(status?.currentRevision, rev);
    assert.equal(status?.collisionCount, 0);
    assert.equal(status?.observedGeneration, got.metadata?.generation);

    const msgs = await waitFor('the creation events', async () => {
      const m = await eventMessages(e, 'web');
      return m.filter((x) => x.startsWith('create')).length >= 6 ? m : undefined;
    });
    assert.deepEqual(msgs.filter((m) => m.startsWith('create')), [
      'create Claim data-web-0 Pod web-0 in StatefulSet web success', 'create Pod web-0 in StatefulSet web successful',
      'create Claim data-web-1 Pod web-1 in StatefulSet web success', 'create Pod web-1 in StatefulSet web successful',
      'create Claim data-web-2 Pod web-2 in StatefulSet web success', 'create Pod web-2 in StatefulSet web successful',
    ]);
  });

  it('scales down from the highest ordinal, one at a time, waiting for a terminating pod, and keeps the claims', async () => {
    // web-2 cannot vanish at once: a finalizer holds it in Terminating.
    await e.pods.patch('default', 'web-2', 'merge', { metadata: { finalizers: ['test/hold'] } });
    await e.sets.patch('default', 'web', 'merge', { spec: { replicas: 1 } });
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0', 'web-1']);
    assert.ok((await e.pods.get('default', 'web-2')).metadata?.deletionTimestamp);
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0', 'web-1'], 'web-1 waits while web-2 terminates');
    await e.pods.patch('default', 'web-2', 'merge', { metadata: { finalizers: null } });
    await waitFor('web-2 gone', async () => ((await e.pods.list('default')).items.some((p) => p.metadata?.name === 'web-2') ? undefined : true));
    await step(e, 'web');
    assert.deepEqual(names(await livePods(e, 'web')), ['web-0']);
    const claims = (await e.claims.list('default')).items.map((c) => c.metadata?.name).sort();
    assert.deepEqual(claims, ['data-web-0', 'data-web-1', 'data-web-2']);
    await waitFor('the deletion events', async () => {
      const m = (await eventMessages(e, 'web')).filter((x) => x.startsWith('delete'));
      return m.length >= 2 ? assert.deepEqual(m, ['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful']) ?? true : undefined;
    });
  });

  it('does not scale down while a pod that stays is unhealthy', async () => {
    await e.sets.create(newStatefulSet('stuck', { replicas: 3 }));
    await runUntil(e, 'stuck', async () => (await livePods(e, 'stuck')).length === 3 && (await livePods(e, 'stuck')).every((p) => p.status?.phase === 'Running'));
    // stuck-0 turns unready: OrderedReady waits for it before touching anything else.
    const p0 = await e.pods.get('default', 'stuck-0');
    await e.pods.updateStatus({ ...p0, status: { ...p0.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    await e.sets.patch('default', 'stuck', 'merge', { spec: { replicas: 1 } });
    await step(e, 'stuck');
    await step(e, 'stuck');
    assert.deepEqual(names(await livePods(e, 'stuck')), ['stuck-0', 'stuck-1', 'stuck-2']);
  });

  it('Parallel creates every pod in one sync, and starts at spec.ordinals.start', async () => {
    await e.sets.create(newStatefulSet('par', { replicas: 3, policy: 'Parallel', start: 5 }));
    await step(e, 'par');
    assert.deepEqual(names(await livePods(e, 'par')), ['par-5', 'par-6', 'par-7']);
    await e.sets.patch('default', 'par', 'merge', { spec: { replicas: 1 } });
    await step(e, 'par');
    assert.deepEqual(names(await livePods(e, 'par')), ['par-5']);
  });

  it('deletes a failed pod and makes it again', async () => {
    await e.sets.create(newStatefulSet('fail', { replicas: 1 }));
    await step(e, 'fail');
    const first = await e.pods.get('default', 'fail-0');
    await e.pods.updateStatus({ ...first, status: { ...first.status, phase: 'Failed' } });
    await step(e, 'fail');
    await waitFor('the failed pod gone', async () => ((await livePods(e, 'fail')).length === 0 ? true : undefined));
    await step(e, 'fail');
    const again = await e.pods.get('default', 'fail-0');
    assert.notEqual(again.metadata?.uid, first.metadata?.uid);
  });

  it('adopts orphans named as members, leaves others, and releases an owned pod without a member name', async () => {
    const template = { containers: [{ name: 'c', image: 'nginx:1' }] };
    await e.pods.create({ metadata: { name: 'own-0', namespace: 'default', labels: { app: 'own' } }, spec: template });
    await e.pods.create({ metadata: { name: 'stranger', namespace: 'default', labels: { app: 'own' } }, spec: template });
    await e.revisions.create({ metadata: { name: 'own-orphan', namespace: 'default', labels: { app: 'own' } }, data: { spec: {} }, revision: 1 });
    // OnDelete: an adopted pod without our revision label would otherwise be rolled (replaced) at once, as upstream.
    const set = await e.sets.create(newStatefulSet('own', { replicas: 1, policy: 'Parallel', strategy: { type: 'OnDelete' } }));
    await e.pods.create({ metadata: { name: 'own-x', namespace: 'default', labels: { app: 'own' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'own', uid: set.metadata?.uid ?? '', controller: true }] }, spec: template });
    await waitFor('the revision in the cache', () => e.revCache.store.get('default/own-orphan'));
    await step(e, 'own');
    const uid = set.metadata?.uid;
    assert.equal((await e.pods.get('default', 'own-0')).metadata?.ownerReferences?.[0]?.uid, uid);
    assert.equal((await e.pods.get('default', 'stranger')).metadata?.ownerReferences, undefined);
    assert.equal((await e.pods.get('default', 'own-x')).metadata?.ownerReferences, undefined);
    assert.equal((await e.revisions.get('default', 'own-orphan')).metadata?.ownerReferences?.[0]?.uid, uid);
    // The adopted pod gets its member identity (the pod-name label) on a later pass.
    await markPodReady(e.env.client, await e.pods.get('default', 'own-0'));
    await step(e, 'own');
    assert.equal((await e.pods.get('default', 'own-0')).metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'own-0');
  });

  it('waits minReadySeconds for a pod to be available before making the next (fake clock)', async () => {
    await e.sets.create(newStatefulSet('slow', { replicas: 2, minReadySeconds: 60 }));
    await step(e, 'slow');
    await readyAll(e, 'slow');
    await step(e, 'slow');
    assert.deepEqual(names(await livePods(e, 'slow')), ['slow-0']);
    assert.equal((await e.sets.get('default', 'slow')).status?.availableReplicas, 0);
    offset += 61_000;
    await step(e, 'slow');
    assert.deepEqual(names(await livePods(e, 'slow')), ['slow-0', 'slow-1']);
    assert.equal((await e.sets.get('default', 'slow')).status?.availableReplicas, 1);
    offset = 0;
  });

  it('retention Delete/Delete: the set owns claims of wanted pods, a scaled-away pod owns its claim, which then goes', async () => {
    await e.sets.create(newStatefulSet('ret', { replicas: 2, claims: true, policy: 'Parallel', retention: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    await step(e, 'ret');
    await readyAll(e, 'ret');
    // Claims were created this pass; their owners are set once the cache shows them.
    await step(e, 'ret');
    await step(e, 'ret');
    const set = await e.sets.get('default', 'ret');
    for (const name of ['data-ret-0', 'data-ret-1']) {
      assert.deepEqual((await e.claims.get('default', name)).metadata?.ownerReferences?.map((r) => [r.kind, r.uid]), [['StatefulSet', set.metadata?.uid]]);
    }
    await e.sets.patch('default', 'ret', 'merge', { spec: { replicas: 1 } });
    await step(e, 'ret');
    await settle(e, 'ret');
    await waitFor('the scaled-away claim deleted by the garbage collector', async () => ((await e.claims.list('default')).items.some((c) => c.metadata?.name === 'data-ret-1') ? undefined : true));
    assert.deepEqual((await e.claims.get('default', 'data-ret-0')).metadata?.ownerReferences?.map((r) => r.kind), ['StatefulSet']);
  });
});
