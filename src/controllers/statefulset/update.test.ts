import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../testing/controller-harness.ts';
import { controllerRevisionHashLabel } from '../history/index.ts';
import type { PodObject } from '../podutil/index.ts';
import { eventMessages, livePods, newStatefulSet, runUntil, startStsEnv, step, type SetOptions, type StsEnv } from './fixtures.ts';
import { revisionLabel } from './identity.ts';

const image = (p: PodObject) => p.spec?.containers[0]?.image;

describe('StatefulSetController.reconcile: updates and revisions', () => {
  let e: StsEnv;
  before(async () => {
    e = await startStsEnv();
  });
  after(async () => e.env.stop());

  async function running(name: string, o: SetOptions): Promise<void> {
    await e.sets.create(newStatefulSet(name, o));
    const want = o.replicas ?? 3;
    await runUntil(e, name, async () => {
      const pods = await livePods(e, name);
      return pods.length === want && pods.every((p) => p.status?.phase === 'Running');
    });
  }
  const setImage = (name: string, img: string) => e.sets.patch('default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: img }] } } } });
  const images = async (name: string) => (await livePods(e, name)).map(image);

  it('rolls from the highest ordinal down to the partition, one pod at a time', async () => {
    await running('roll', { strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const before = await e.sets.get('default', 'roll');
    await setImage('roll', 'nginx:2');
    await step(e, 'roll');
    // roll-2 went first; nothing else moved.
    assert.deepEqual((await livePods(e, 'roll')).map((p) => p.metadata?.name), ['roll-0', 'roll-1']);
    await runUntil(e, 'roll', async () => (await images('roll')).join() === 'nginx:1,nginx:2,nginx:2' && (await livePods(e, 'roll')).every((p) => p.status?.phase === 'Running'));
    // Below the partition nothing changes however often we sync.
    await step(e, 'roll');
    await step(e, 'roll');
    assert.deepEqual(await images('roll'), ['nginx:1', 'nginx:2', 'nginx:2']);
    const s = (await e.sets.get('default', 'roll')).status;
    assert.equal(s?.currentRevision, before.status?.currentRevision);
    assert.notEqual(s?.updateRevision, s?.currentRevision);
    assert.equal(s?.updatedReplicas, 2);
    assert.equal(s?.currentReplicas, 1);
    const pods = await livePods(e, 'roll');
    assert.equal(pods[2]?.metadata?.labels?.[revisionLabel], s?.updateRevision);
    assert.equal(pods[0]?.metadata?.labels?.[revisionLabel], s?.currentRevision);
    const deletes = (await eventMessages(e, 'roll')).filter((m) => m.startsWith('delete'));
    assert.deepEqual(deletes, ['delete Pod roll-2 in StatefulSet roll successful', 'delete Pod roll-1 in StatefulSet roll successful']);

    // Partition 0 finishes the rollout, and the update revision becomes current.
    await e.sets.patch('default', 'roll', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await runUntil(e, 'roll', async () => (await e.sets.get('default', 'roll')).status?.currentRevision === s?.updateRevision);
    assert.deepEqual(await images('roll'), ['nginx:2', 'nginx:2', 'nginx:2']);
    assert.equal((await e.sets.get('default', 'roll')).status?.currentReplicas, 3);
  });

  it('with maxUnavailable 2 replaces two pods at once', async () => {
    await running('wide', { policy: 'Parallel', strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } });
    await setImage('wide', 'nginx:2');
    await step(e, 'wide');
    assert.deepEqual((await livePods(e, 'wide')).map((p) => p.metadata?.name), ['wide-0']);
  });

  it('OnDelete leaves pods alone until they are deleted, then makes them at the new revision', async () => {
    await running('ondel', { replicas: 2, strategy: { type: 'OnDelete' } });
    await setImage('ondel', 'nginx:2');
    await step(e, 'ondel');
    await step(e, 'ondel');
    assert.deepEqual(await images('ondel'), ['nginx:1', 'nginx:1']);
    const s = (await e.sets.get('default', 'ondel')).status;
    assert.notEqual(s?.updateRevision, s?.currentRevision);
    assert.equal(s?.updatedReplicas, 0);
    await e.pods.delete('default', 'ondel-1');
    await runUntil(e, 'ondel', async () => (await images('ondel')).join() === 'nginx:1,nginx:2');
  });

  it('keeps revisionHistoryLimit old revisions, never one in use, and renumbers a revision rolled back to', async () => {
    // OnDelete keeps the pod on revision 1 throughout, so revision 1 stays in use.
    await running('hist', { replicas: 1, strategy: { type: 'OnDelete' }, revisionHistoryLimit: 1 });
    const revs = async () => (await e.revisions.list('default', { labelSelector: 'app=hist' })).items
      .map((r) => ({ image: (r.data as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image, revision: r.revision, hash: r.metadata?.labels?.[controllerRevisionHashLabel] }))
      .sort((a, b) => a.revision - b.revision);
    for (const img of ['nginx:2', 'nginx:3', 'nginx:4']) {
      await setImage('hist', img);
      await step(e, 'hist');
    }
    await waitFor('truncated history', async () => ((await revs()).length === 3 ? true : undefined));
    assert.deepEqual((await revs()).map((r) => [r.image, r.revision]), [['nginx:1', 1], ['nginx:3', 3], ['nginx:4', 4]]);
    // Going back to nginx:3 reuses its revision as number 5 instead of making a new one.
    await setImage('hist', 'nginx:3');
    await step(e, 'hist');
    assert.deepEqual((await revs()).map((r) => [r.image, r.revision]), [['nginx:1', 1], ['nginx:4', 4], ['nginx:3', 5]]);
    const set = await e.sets.get('default', 'hist');
    const pod = (await livePods(e, 'hist'))[0];
    assert.equal(image(pod as PodObject), 'nginx:1');
    assert.equal(set.status?.currentRevision, pod?.metadata?.labels?.[revisionLabel]);
    assert.match(set.status?.updateRevision ?? '', /^hist-/);
    const rev = await e.revisions.get('default', set.status?.updateRevision ?? '');
    assert.deepEqual(rev.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['StatefulSet', 'hist', true]]);
    assert.equal((rev.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
  });
});
