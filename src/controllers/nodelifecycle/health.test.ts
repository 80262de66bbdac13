import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../api/time.ts';
import { FakeClock } from '../../testing/controller-harness.ts';
import { checkNodeHealth, computeZoneState, zoneKeyOf, type NodeObject } from './health.ts';
import { RateLimitedTimedQueue } from './rate-limited-queue.ts';
import { noScheduleTaintDiff } from './taints.ts';
import { Zones } from './zones.ts';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const timings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

function node(conditions: NodeCondition[] | undefined, extra: Partial<NodeObject> = {}): NodeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', creationTimestamp: formatTime(t0) }, ...extra, status: conditions ? { conditions } : {} };
}
const ready = (heartbeat: number, status = 'True'): NodeCondition[] => [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: formatTime(heartbeat), lastTransitionTime: formatTime(t0) },
  { type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: formatTime(heartbeat), lastTransitionTime: formatTime(t0) },
];

describe('checkNodeHealth', () => {
  it('leaves a node alone within the grace period and marks it Unknown after it', () => {
    const first = checkNodeHealth(node(ready(t0)), undefined, undefined, t0, timings);
    assert.equal(first.update, undefined);
    assert.equal(first.health.probeTimestamp, t0);
    const within = checkNodeHealth(node(ready(t0)), first.health, undefined, t0 + 40_000, timings);
    assert.equal(within.update, undefined);
    const late = checkNodeHealth(node(ready(t0)), first.health, undefined, t0 + 40_001, timings);
    assert.equal(late.observedReady.status, 'True');
    assert.equal(late.currentReady?.status, 'Unknown');
    const conds = late.update?.status?.conditions ?? [];
    const r = conds.find((c) => c.type === 'Ready');
    assert.deepEqual([r?.reason, r?.message, r?.lastTransitionTime, r?.lastHeartbeatTime], ['NodeStatusUnknown', 'Kubelet stopped posting node status.', formatTime(t0 + 40_001), formatTime(t0)]);
    assert.equal(conds.find((c) => c.type === 'MemoryPressure')?.status, 'Unknown');
    // Conditions the kubelet never posted are added as never updated.
    const disk = conds.find((c) => c.type === 'DiskPressure');
    assert.deepEqual([disk?.status, disk?.reason, disk?.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
  });

  it('counts a new heartbeat or a renewed lease as life', () => {
    const first = checkNodeHealth(node(ready(t0)), undefined, undefined, t0, timings);
    const beat = checkNodeHealth(node(ready(t0 + 30_000)), first.health, undefined, t0 + 30_000, timings);
    assert.equal(beat.health.probeTimestamp, t0 + 30_000);
    const lease = { metadata: { name: 'n', namespace: 'kube-node-lease' }, spec: { renewTime: '2025-01-01T00:01:00.000000Z' } };
    const renewed = checkNodeHealth(node(ready(t0 + 30_000)), beat.health, lease, t0 + 65_000, timings);
    assert.equal(renewed.update, undefined);
    assert.equal(renewed.health.probeTimestamp, t0 + 65_000);
    // The same lease again is no news.
    const stale = checkNodeHealth(node(ready(t0 + 30_000)), renewed.health, lease, t0 + 106_000, timings);
    assert.equal(stale.currentReady?.status, 'Unknown');
  });

  it('gives a node that never posted status the startup grace period', () => {
    const first = checkNodeHealth(node(undefined), undefined, undefined, t0 + 1000, timings);
    assert.equal(first.update, undefined);
    assert.equal(first.observedReady.status, 'Unknown');
    const late = checkNodeHealth(node(undefined), first.health, undefined, t0 + 60_001, timings);
    assert.equal(late.currentReady?.reason, 'NodeStatusNeverUpdated');
    assert.equal(late.currentReady?.lastHeartbeatTime, formatTime(t0));
  });

  it('writes nothing when the node is already Unknown', () => {
    const unknown = node([{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: formatTime(t0), lastTransitionTime: formatTime(t0) }]);
    const first = checkNodeHealth(unknown, undefined, undefined, t0, timings);
    const late = checkNodeHealth(unknown, first.health, undefined, t0 + 100_000, timings);
    assert.equal(late.update, undefined);
    assert.equal(late.currentReady?.status, 'Unknown');
  });
});

describe('computeZoneState', () => {
  const c = (status: string): NodeCondition => ({ type: 'Ready', status });
  const cases = [
    { name: 'all ready', conds: [c('True'), c('True')], want: 'Normal' },
    { name: 'none ready', conds: [c('Unknown'), c('False')], want: 'FullDisruption' },
    { name: 'two of five down is normal', conds: [c('True'), c('True'), c('True'), c('Unknown'), c('Unknown')], want: 'Normal' },
    { name: 'three of five down is partial', conds: [c('True'), c('True'), c('Unknown'), c('Unknown'), c('False')], want: 'PartialDisruption' },
    { name: 'three of ten down is normal', conds: [...Array(7).fill(c('True')), c('Unknown'), c('Unknown'), c('Unknown')], want: 'Normal' },
    { name: 'a node without Ready counts as not ready', conds: [undefined, undefined, undefined, c('True')], want: 'PartialDisruption' },
  ];
  for (const k of cases) it(k.name, () => assert.equal(computeZoneState(k.conds, 0.55).state, k.want));
});

describe('zoneKeyOf', () => {
  it('joins region and zone, and is empty without either', () => {
    assert.equal(zoneKeyOf(node(undefined)), '');
    assert.equal(zoneKeyOf(node(undefined, { metadata: { name: 'n', labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'a' } } })), 'r:\u0000:a');
  });
});

describe('noScheduleTaintDiff', () => {
  const cases = [
    { name: 'ready node, nothing to do', n: node(ready(t0)), add: [], remove: [] },
    { name: 'unknown node gets unreachable', n: node(ready(t0, 'Unknown')), add: ['node.kubernetes.io/unreachable'], remove: [] },
    { name: 'not ready swaps unreachable for not-ready', n: node(ready(t0, 'False'), { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'custom', effect: 'NoSchedule' }] } }), add: ['node.kubernetes.io/not-ready'], remove: ['node.kubernetes.io/unreachable'] },
    { name: 'memory pressure and cordon', n: node([{ type: 'MemoryPressure', status: 'True' }, { type: 'Ready', status: 'True' }], { spec: { unschedulable: true } }), add: ['node.kubernetes.io/memory-pressure', 'node.kubernetes.io/unschedulable'], remove: [] },
    { name: 'NoExecute taints are not ours here', n: node(ready(t0), { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } }), add: [], remove: [] },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const d = noScheduleTaintDiff(k.n);
      assert.deepEqual(d.add.map((t) => t.key), k.add);
      assert.deepEqual(d.remove.map((t) => t.key), k.remove);
    });
  }
});

describe('RateLimitedTimedQueue', () => {
  it('hands out one node per 1/qps seconds, each once until removed', async () => {
    const clock = new FakeClock(t0);
    const q = new RateLimitedTimedQueue(0.1, clock);
    assert.equal(q.add('a', '1'), true);
    assert.equal(q.add('b', '2'), true);
    assert.equal(q.add('a', '1'), false);
    const seen: string[] = [];
    const take = () => q.process(async (v) => {
      seen.push(v.value);
      return { done: true };
    });
    await take();
    assert.deepEqual(seen, ['a']);
    clock.step(5_000);
    await take();
    assert.deepEqual(seen, ['a']);
    clock.step(5_000);
    await take();
    assert.deepEqual(seen, ['a', 'b']);
    // Processed nodes stay known until removed.
    assert.equal(q.add('a', '1'), false);
    assert.equal(q.remove('a'), true);
    assert.equal(q.add('a', '1'), true);
  });

  it('processes nothing at rate 0 and retries failures later', async () => {
    const clock = new FakeClock(t0);
    const q = new RateLimitedTimedQueue(0, clock);
    q.add('a', '1');
    let calls = 0;
    const fn = async () => {
      calls++;
      return { done: false, retryAfterMs: 1000 };
    };
    await q.process(fn);
    assert.equal(calls, 0);
    q.swapLimiter(100);
    await q.process(fn);
    assert.equal(calls, 1);
    clock.step(500);
    await q.process(fn);
    assert.equal(calls, 1);
    clock.step(600);
    await q.process(fn);
    assert.equal(calls, 2);
  });
});

describe('Zones.handleDisruption', () => {
  const rates = { evictionQps: 0.1, secondaryEvictionQps: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };
  const c = (status: string): NodeCondition => ({ type: 'Ready', status });
  it('stops evictions when every zone is down and resumes when one recovers', () => {
    const z = new Zones(new FakeClock(t0), rates);
    assert.equal(z.handleDisruption(new Map([['a', [c('True')]], ['b', [c('True')]]])), 'none');
    assert.equal(z.tainter('a').qps, 0.1);
    assert.equal(z.handleDisruption(new Map([['a', [c('Unknown')]], ['b', [c('True')]]])), 'none');
    assert.equal(z.states.get('a'), 'FullDisruption');
    assert.equal(z.tainter('a').qps, 0.1);
    assert.equal(z.handleDisruption(new Map([['a', [c('Unknown')]], ['b', [c('Unknown')]]])), 'enteredFullDisruption');
    assert.equal(z.tainter('a').qps, 0);
    assert.equal(z.tainter('b').qps, 0);
    assert.equal(z.handleDisruption(new Map([['a', [c('Unknown')]], ['b', [c('True')]]])), 'exitedFullDisruption');
    assert.equal(z.tainter('a').qps, 0.1);
    assert.equal(z.states.get('b'), 'Normal');
  });

  it('slows a large partially disrupted zone and stops a small one', () => {
    const z = new Zones(new FakeClock(t0), rates);
    const zone = (n: number, down: number) => [...Array(n - down).fill(c('True')), ...Array(down).fill(c('Unknown'))];
    z.handleDisruption(new Map([['small', zone(4, 0)], ['large', zone(60, 0)]]));
    z.handleDisruption(new Map([['small', zone(4, 3)], ['large', zone(60, 40)]]));
    assert.equal(z.states.get('small'), 'PartialDisruption');
    assert.equal(z.tainter('small').qps, 0);
    assert.equal(z.tainter('large').qps, 0.01);
  });
});
