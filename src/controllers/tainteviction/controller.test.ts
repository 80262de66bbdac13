import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Informer, ResourceClient } from '../../client/index.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { NodeObject } from '../nodelifecycle/health.ts';
import type { PodObject } from '../podutil/index.ts';
import { matchingTolerations, minTolerationMs, TaintEvictionController } from './controller.ts';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

describe('minTolerationMs', () => {
  const cases: { name: string; tolerations: Toleration[]; want: number }[] = [
    { name: 'no tolerations evict at once', tolerations: [], want: 0 },
    { name: 'forever', tolerations: [{ key: 'k', operator: 'Exists' }], want: -1 },
    { name: 'smallest wins', tolerations: [{ key: 'a', tolerationSeconds: 300 }, { key: 'b', tolerationSeconds: 30 }, { key: 'c' }], want: 30_000 },
    { name: 'zero or negative is now', tolerations: [{ key: 'a', tolerationSeconds: 300 }, { key: 'b', tolerationSeconds: -5 }], want: 0 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(minTolerationMs(c.tolerations), c.want));
});

describe('matchingTolerations', () => {
  it('needs every taint tolerated and returns the tolerations used', () => {
    const t: Toleration[] = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }, { key: 'x', operator: 'Equal', value: 'y' }];
    assert.deepEqual(matchingTolerations([unreachable], t), { allTolerated: true, used: [t[0]] });
    assert.equal(matchingTolerations([unreachable, { key: 'other', effect: 'NoExecute' }], t).allTolerated, false);
  });
});

describe('TaintEvictionController.reconcile', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let tec: TaintEvictionController;
  let nodes: ResourceClient<NodeObject>;
  let pods: ResourceClient<PodObject>;
  let podCache: Informer<PodObject>;
  let nodeCache: Informer<NodeObject>;

  before(async () => {
    h = await startHarness(clock, { disable: ['nodelifecycle', 'tainteviction', 'podgc', 'disruption'] });
    tec = new TaintEvictionController(h.deps);
    nodes = h.client.resource<NodeObject>('v1', 'nodes');
    pods = h.client.resource<PodObject>('v1', 'pods');
    podCache = h.deps.informers.informer<PodObject>('v1', 'pods');
    nodeCache = h.deps.informers.informer<NodeObject>('v1', 'nodes');
    h.run();
    await tec.synced;
  });
  after(async () => h.stop());

  async function setTaints(node: string, taints: Taint[]): Promise<void> {
    const n = await nodes.get(undefined, node).catch(() => undefined);
    if (!n) await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: { taints } });
    else await nodes.update({ ...n, spec: { ...n.spec, taints } });
    await waitFor('the taints in the cache', () => (JSON.stringify(nodeCache.store.get(node)?.spec?.taints ?? []) === JSON.stringify(taints) ? true : undefined));
  }
  async function pod(name: string, node: string, tolerations: Toleration[] = []): Promise<string> {
    // Pods get the default 300 s tolerations for not-ready/unreachable at admission; a test toleration for the key replaces it.
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, tolerations, containers: [{ name: 'c', image: 'nginx' }] } });
    await waitFor('the pod in the cache', () => podCache.store.get(`default/${name}`));
    return `default/${name}`;
  }
  const deleting = async (name: string) => {
    const p = await pods.get('default', name).catch(() => undefined);
    return !p || Boolean(p.metadata?.deletionTimestamp);
  };
  async function reasons(name: string): Promise<string[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
    return (list.items as unknown as Event[]).map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }

  it('deletes a pod that does not tolerate the taint at once, marking it as a disruption target', async () => {
    await setTaints('t1', [unreachable]);
    const key = await pod('intolerant', 't1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Equal', value: 'nope', effect: 'NoExecute' }]);
    await tec.reconcile(key);
    const p = await pods.get('default', 'intolerant');
    assert.ok(p.metadata?.deletionTimestamp, 'graceful deletion started');
    const cond = p.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
    assert.ok((await reasons('intolerant')).includes('TaintManagerEviction: Marking for deletion Pod default/intolerant'));
  });

  it('waits tolerationSeconds before deleting', async () => {
    await setTaints('t2', [unreachable]);
    const key = await pod('patient', 't2', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]);
    await tec.reconcile(key);
    assert.equal(tec.scheduledAt(key), clock.now() + 30_000);
    assert.equal(await deleting('patient'), false);
    clock.step(29_000);
    await tec.reconcile(key);
    assert.equal(await deleting('patient'), false);
    clock.step(1_000);
    await tec.reconcile(key);
    assert.equal(await deleting('patient'), true);
    assert.equal(tec.scheduledAt(key), undefined);
  });

  it('keeps a pod that tolerates forever, and cancels a scheduled deletion when the taint goes', async () => {
    await setTaints('t3', [unreachable]);
    const forever = await pod('forever', 't3', [{ operator: 'Exists' }]);
    await tec.reconcile(forever);
    assert.equal(tec.scheduledAt(forever), undefined);
    const key = await pod('reprieved', 't3', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
    await tec.reconcile(key);
    assert.ok(tec.scheduledAt(key));
    await setTaints('t3', []);
    await tec.reconcile(key);
    assert.equal(tec.scheduledAt(key), undefined);
    clock.step(120_000);
    await tec.reconcile(key);
    await tec.reconcile(forever);
    assert.equal(await deleting('reprieved'), false);
    assert.equal(await deleting('forever'), false);
    assert.ok((await reasons('reprieved')).includes('TaintManagerEviction: Cancelling deletion of Pod default/reprieved'));
  });

  it('arms its timer again when it fires before the clock says the eviction is due', async () => {
    const stop = new AbortController();
    const running = tec.start(stop.signal);
    try {
      await setTaints('t4', [unreachable]);
      const key = await pod('early', 't4', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
      await tec.reconcile(key);
      const due = tec.scheduledAt(key);
      // The real timer fires after a second while the fake clock stands still: an early wake-up.
      await new Promise((r) => setTimeout(r, 1_300));
      assert.equal(await deleting('early'), false);
      clock.step(1_000);
      await waitFor('the eviction after the early wake-up', async () => ((await deleting('early')) ? true : undefined), 5_000);
      assert.ok(due !== undefined && clock.now() >= due);
    } finally {
      stop.abort();
      await running;
    }
  });
});
