import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newDefaultFramework } from '../plugins/default-registry.ts';
import { fakeClock, newNode, newPod } from '../testing.ts';
import { SchedulingQueue, type QueuedPodInfo, type SchedulingQueueOptions } from './scheduling-queue.ts';

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();

function setup(opts: Partial<SchedulingQueueOptions> = {}) {
  const clock = fakeClock();
  const q = new SchedulingQueue({ clock, eventRegistrations: newDefaultFramework().eventRegistrations(), popFromBackoffQ: false, ...opts });
  // fail pops the pod and returns it as rejected by the given plugins (none: an error).
  const fail = async (...plugins: string[]): Promise<QueuedPodInfo> => {
    const qpi = await q.pop();
    const cycle = q.schedulingCycle();
    qpi.unschedulablePlugins = new Set(plugins);
    q.addUnschedulableIfNotPresent(qpi, cycle);
    return qpi;
  };
  return { clock, q, fail };
}

describe('SchedulingQueue ordering', () => {
  it('pops by priority, then by arrival', async () => {
    const { clock, q } = setup();
    for (const [name, priority] of [['low-1', 0], ['high', 100], ['mid', 50], ['low-2', 0]] as const) {
      q.add(newPod({ name, priority }));
      clock.advance(1);
    }
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop()).pod.metadata?.name ?? '');
    assert.deepEqual(order, ['high', 'mid', 'low-1', 'low-2']);
  });

  it('pop waits until a pod arrives', async () => {
    const { q } = setup();
    let got = '';
    const popped = q.pop().then((qpi) => (got = qpi.pod.metadata?.name ?? ''));
    await new Promise((r) => setImmediate(r));
    assert.equal(got, '');
    q.add(newPod({ name: 'late' }));
    await popped;
    assert.equal(got, 'late');
  });

  it('pop gives up when aborted', async () => {
    const { q } = setup();
    const ac = new AbortController();
    const popped = q.pop(ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(popped, /stop/);
  });

  it('holds gated pods until their scheduling gates are removed', () => {
    const { q } = setup();
    const gated = newPod({ name: 'gated', schedulingGates: ['example.com/wait'] });
    q.add(gated);
    assert.deepEqual(names(q.pendingPods().gated), ['gated']);
    q.update(gated, newPod({ name: 'gated' }));
    assert.deepEqual(names(q.pendingPods().active), ['gated']);
  });
});

describe('SchedulingQueue backoff', () => {
  it('backs off 1s, doubling per attempt up to 10s', () => {
    const { q } = setup();
    const cases = [
      { attempts: 1, want: 1000 },
      { attempts: 2, want: 2000 },
      { attempts: 3, want: 4000 },
      { attempts: 4, want: 8000 },
      { attempts: 5, want: 10_000 },
      { attempts: 9, want: 10_000 },
    ];
    const got = cases.map((c) => q.backoffExpiry({ pod: newPod(), key: 'k', timestamp: 0, attempts: c.attempts, unschedulablePlugins: new Set(), seq: 0 }));
    assert.deepEqual(got, cases.map((c) => c.want));
  });

  it('a pod that hit an error waits in backoffQ until its backoff expires', async () => {
    const { clock, q, fail } = setup();
    q.add(newPod({ name: 'p' }));
    await fail();
    assert.deepEqual(names(q.pendingPods().backoff), ['p']);
    clock.advance(999);
    q.flushBackoffQCompleted();
    assert.deepEqual(names(q.pendingPods().backoff), ['p']);
    clock.advance(1);
    q.flushBackoffQCompleted();
    assert.deepEqual(names(q.pendingPods().active), ['p']);
    await fail();
    clock.advance(1999);
    q.flushBackoffQCompleted();
    assert.deepEqual(names(q.pendingPods().backoff), ['p'], 'second attempt backs off 2s');
  });

  it('with popFromBackoffQ, an idle scheduler takes a backing-off pod early', async () => {
    const { q, fail } = setup({ popFromBackoffQ: true });
    q.add(newPod({ name: 'p' }));
    await fail();
    assert.equal((await q.pop()).pod.metadata?.name, 'p');
  });
});

describe('SchedulingQueue requeueing', () => {
  it('moves a pod rejected for resources back when a node that fits it is added, not before', async () => {
    const { clock, q, fail } = setup();
    q.add(newPod({ name: 'big', cpu: '8' }));
    await fail('NodeResourcesFit');
    assert.deepEqual(names(q.pendingPods().unschedulable), ['big']);
    q.assignedPodAdded(newPod({ name: 'other', nodeName: 'n1' }));
    q.nodeAdded(newNode({ name: 'small', cpu: '4' }));
    assert.deepEqual(names(q.pendingPods().unschedulable), ['big'], 'irrelevant events leave it alone');
    clock.advance(5000);
    q.nodeAdded(newNode({ name: 'huge', cpu: '16' }));
    assert.deepEqual(names(q.pendingPods().active), ['big']);
  });

  it('goes to backoffQ when moved before its backoff expired', async () => {
    const { q, fail } = setup();
    q.add(newPod({ name: 'p' }));
    await fail('NodeResourcesFit');
    q.assignedPodDeleted(newPod({ name: 'gone', nodeName: 'n1' }));
    assert.deepEqual(names(q.pendingPods().backoff), ['p']);
  });

  it('uses the plugin hints: a taint change only helps if the pod now tolerates the node', async () => {
    const { clock, q, fail } = setup();
    q.add(newPod({ name: 'p' }));
    await fail('TaintToleration');
    clock.advance(60_000);
    const tainted = newNode({ name: 'n', taints: [{ key: 'k', effect: 'NoSchedule' }] });
    q.nodeUpdated(newNode({ name: 'n', labels: { a: 'b' } }), { ...tainted, metadata: { name: 'n' } });
    assert.deepEqual(names(q.pendingPods().unschedulable), ['p']);
    q.nodeUpdated(tainted, newNode({ name: 'n' }));
    assert.deepEqual(names(q.pendingPods().active), ['p']);
  });

  it('a move request during the cycle sends the failed pod to backoff instead of the unschedulable pool', async () => {
    const { q } = setup();
    q.add(newPod({ name: 'p' }));
    const qpi = await q.pop();
    const cycle = q.schedulingCycle();
    q.nodeAdded(newNode({ name: 'new' }));
    qpi.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(qpi, cycle);
    assert.deepEqual(names(q.pendingPods().backoff), ['p']);
  });

  it('flushes pods unschedulable for more than 5 minutes', async () => {
    const { clock, q, fail } = setup();
    q.add(newPod({ name: 'p' }));
    await fail('NodeAffinity');
    clock.advance(5 * 60_000);
    q.flushUnschedulablePodsLeftover();
    assert.deepEqual(names(q.pendingPods().unschedulable), ['p']);
    clock.advance(1);
    q.flushUnschedulablePodsLeftover();
    assert.deepEqual(names(q.pendingPods().active), ['p']);
  });

  it('retries an unschedulable pod whose spec changed, and forgets deleted pods', async () => {
    const { clock, q, fail } = setup();
    const pod = newPod({ name: 'p', nodeSelector: { disk: 'ssd' } });
    q.add(pod);
    await fail('NodeAffinity');
    q.update(pod, { ...pod, status: { phase: 'Pending' } });
    assert.deepEqual(names(q.pendingPods().unschedulable), ['p'], 'a status-only update is not a reason to retry');
    clock.advance(2000);
    const relaxed = newPod({ name: 'p' });
    q.update(pod, relaxed);
    assert.deepEqual(names(q.pendingPods().active), ['p']);
    q.delete(relaxed);
    assert.deepEqual(q.pendingPods(), { active: [], backoff: [], unschedulable: [], gated: [] });
  });
});
