import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Informer, ResourceClient } from '../../client/index.ts';
import { formatTime } from '../../api/time.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { NodeObject } from '../nodelifecycle/health.ts';
import type { PodObject } from '../podutil/index.ts';
import { compareForTerminatedGc, PodGcController } from './controller.ts';

describe('compareForTerminatedGc', () => {
  const pod = (name: string, created: number, evicted = false): PodObject => ({ metadata: { name, creationTimestamp: formatTime(created) }, status: { phase: 'Failed', ...(evicted ? { reason: 'Evicted' } : {}) } });
  it('puts evicted pods first, then the oldest, then by name', () => {
    const pods = [pod('c', 3000), pod('b', 1000), pod('new-evicted', 9000, true), pod('a', 1000)];
    assert.deepEqual(pods.sort(compareForTerminatedGc).map((p) => p.metadata?.name), ['new-evicted', 'a', 'b', 'c']);
  });
});

describe('PodGcController', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let gc: PodGcController;
  let pods: ResourceClient<PodObject>;
  let nodes: ResourceClient<NodeObject>;
  let podCache: Informer<PodObject>;
  let nodeCache: Informer<NodeObject>;

  before(async () => {
    h = await startHarness(clock, { disable: ['nodelifecycle', 'tainteviction', 'podgc', 'disruption'] });
    gc = new PodGcController(h.deps, { terminatedThreshold: 2 });
    pods = h.client.resource<PodObject>('v1', 'pods');
    nodes = h.client.resource<NodeObject>('v1', 'nodes');
    podCache = h.deps.informers.informer<PodObject>('v1', 'pods');
    nodeCache = h.deps.informers.informer<NodeObject>('v1', 'nodes');
    h.run();
    await gc.synced;
  });
  after(async () => h.stop());

  async function pod(name: string, spec: { nodeName?: string; finalizers?: string[] } = {}, phase?: string): Promise<string> {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...(spec.finalizers ? { finalizers: spec.finalizers } : {}) }, spec: { ...(spec.nodeName ? { nodeName: spec.nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }] } });
    if (phase) await pods.patch('default', name, 'merge', { status: { phase } }, { subresource: 'status' });
    await waitFor('the pod in the cache', () => (podCache.store.get(`default/${name}`)?.status?.phase === (phase ?? 'Pending') ? true : undefined));
    return `default/${name}`;
  }
  const gone = async (name: string) => (await pods.get('default', name).catch(() => undefined)) === undefined;
  async function node(name: string, ready: string, taints: { key: string; effect: 'NoExecute' | 'NoSchedule' }[] = []): Promise<void> {
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] } });
    await waitFor('the node in the cache', () => nodeCache.store.get(name));
  }

  it('deletes a pod whose node is gone, after the quarantine, marked as a disruption target', async () => {
    const key = await pod('orphan', { nodeName: 'vanished', finalizers: ['test/hold'] });
    await gc.reconcile(key);
    assert.equal(await gone('orphan'), false);
    clock.step(40_000);
    await gc.reconcile(key);
    // The finalizer keeps the object so the condition and phase can be checked.
    const p = await pods.get('default', 'orphan');
    assert.ok(p.metadata?.deletionTimestamp);
    assert.equal(p.status?.phase, 'Failed');
    const c = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    await pods.patch('default', 'orphan', 'merge', { metadata: { finalizers: null } });
  });

  it('leaves pods on existing nodes alone, and force-deletes terminating ones on out-of-service nodes', async () => {
    await node('healthy', 'True');
    await node('broken', 'False', [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }]);
    const fine = await pod('fine', { nodeName: 'healthy' });
    const stuck = await pod('stuck', { nodeName: 'broken' }, 'Running');
    await pods.delete('default', 'stuck');
    await waitFor('the deletion in the cache', () => podCache.store.get(stuck)?.metadata?.deletionTimestamp);
    clock.step(60_000);
    await gc.reconcile(fine);
    await gc.reconcile(stuck);
    assert.equal(await gone('fine'), false);
    assert.equal(await gone('stuck'), true);
  });

  it('deletes the oldest finished pods beyond the threshold', async () => {
    for (const n of ['done-1', 'done-2', 'done-3', 'done-4']) {
      await pod(n, {}, 'Succeeded');
    }
    await gc.gcTerminated();
    const left = (await pods.list('default')).items.filter((p) => p.status?.phase === 'Succeeded').map((p) => p.metadata?.name).sort();
    assert.deepEqual(left, ['done-3', 'done-4']);
  });
});
