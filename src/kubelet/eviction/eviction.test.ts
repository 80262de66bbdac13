import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EvictionManager, type Observations } from './manager.ts';
import { evictionMessage, formatBytes, rankForEviction, type PodUsage } from './rank.ts';
import { defaultEvictionHard, parseThresholds, thresholdAmount } from './thresholds.ts';

const Mi = 1024 * 1024;
const pod = (name: string, opts: { request?: string; priority?: number; annotations?: Record<string, string> } = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: name, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
  spec: { containers: [{ name: 'app', ...(opts.request ? { resources: { requests: { memory: opts.request } } } : {}) }], ...(opts.priority !== undefined ? { priority: opts.priority } : {}) },
});
const used = (mb: number): PodUsage => ({ total: mb * Mi, containers: [{ name: 'app', used: mb * Mi }] });

describe('parseThresholds', () => {
  it('reads the kubelet default', () => {
    const t = parseThresholds(defaultEvictionHard);
    assert.deepEqual(t.map((x) => [x.signal, x.quantity ?? `${x.percentage}%`]), [['memory.available', 100 * Mi], ['nodefs.available', '10%'], ['nodefs.inodesFree', '5%'], ['imagefs.available', '15%']]);
    assert.equal(thresholdAmount(t[1] as never, 1000), 100);
  });
  const bad = [
    ['memory.available>1Gi', /want signal<value/],
    ['cpu.available<1', /unsupported eviction signal "cpu.available"/],
    ['memory.available<1Gi,memory.available<2Gi', /duplicate/],
    ['nodefs.available<120%', /percentage/],
    ['memory.available<lots', /invalid quantity/],
  ] as const;
  for (const [spec, re] of bad) it(`refuses ${spec}`, () => assert.throws(() => parseThresholds(spec), re));
});

describe('rankForEviction', () => {
  it('puts pods over their request first, then lower priority, then larger use above request', () => {
    const pods = [pod('guarded', { request: '500Mi' }), pod('hog-high', { priority: 1000 }), pod('hog-small'), pod('hog-big')];
    const usage: Record<string, PodUsage> = { guarded: used(100), 'hog-high': used(300), 'hog-small': used(10), 'hog-big': used(200) };
    assert.deepEqual(rankForEviction(pods, (p) => usage[p.metadata?.name ?? ''], 'memory').map((p) => p.metadata?.name), ['hog-big', 'hog-small', 'hog-high', 'guarded']);
  });
  it('ranks a pod without stats first', () => {
    assert.deepEqual(rankForEviction([pod('a'), pod('b')], (p) => (p.metadata?.name === 'a' ? used(1) : undefined), 'memory').map((p) => p.metadata?.name), ['b', 'a']);
  });
  it('writes upstream\'s message', () => {
    assert.equal(formatBytes(1536 * 1024), '1536Ki');
    assert.equal(evictionMessage(pod('x'), 'memory', { text: '100Mi', available: 50 * Mi }, used(20)), 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container app was using 20Mi, request is 0, has larger consumption of memory. ');
  });
});

describe('EvictionManager', () => {
  const setup = (available: number) => {
    let now = 0;
    const evicted: string[] = [];
    const pods = [pod('best-effort'), pod('burstable', { request: '64Mi' }), pod('static', { annotations: { 'kubernetes.io/config.source': 'file' } }), pod('critical', { priority: 2_000_000_000 })];
    const obs = (): Observations => new Map([['memory.available', { capacity: 1000 * Mi, available: available * Mi }]]);
    const m = new EvictionManager({
      thresholds: parseThresholds('memory.available<100Mi'),
      observe: async () => obs(),
      activePods: () => pods.filter((p) => !evicted.includes(p.metadata?.name ?? '')),
      usage: async () => new Map(pods.map((p) => [p.metadata?.uid ?? '', { memory: used(8), 'ephemeral-storage': used(0) }])),
      evict: async (p) => void evicted.push(p.metadata?.name ?? ''),
      now: () => now,
      log: () => {},
    });
    return { m, evicted, advance: (ms: number) => (now += ms), setAvailable: (mb: number) => (available = mb) };
  };

  it('does nothing above the threshold', async () => {
    const { m, evicted } = setup(500);
    assert.equal(await m.synchronize(), undefined);
    assert.deepEqual(evicted, []);
    assert.deepEqual(m.pressure(), { memoryPressure: false, diskPressure: false, pidPressure: false });
    assert.equal(m.admit(pod('new')), undefined);
  });

  it('evicts one pod per round, BestEffort first, never static or critical ones', async () => {
    const { m, evicted } = setup(50);
    assert.equal(await m.synchronize(), 'best-effort');
    assert.equal(await m.synchronize(), 'burstable');
    assert.equal(await m.synchronize(), undefined);
    assert.deepEqual(evicted, ['best-effort', 'burstable']);
  });

  it('refuses BestEffort pods under memory pressure and keeps the condition for the transition period', async () => {
    const { m, advance, setAvailable } = setup(50);
    await m.synchronize();
    assert.equal(m.pressure().memoryPressure, true);
    assert.deepEqual(m.admit(pod('new')), { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    assert.equal(m.admit(pod('new', { request: '1Mi' })), undefined, 'Burstable pods are admitted');
    const tolerating = pod('tol');
    tolerating.spec = { ...tolerating.spec, containers: tolerating.spec?.containers ?? [], tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] };
    assert.equal(m.admit(tolerating), undefined);
    setAvailable(500);
    advance(299_000);
    await m.synchronize();
    assert.equal(m.pressure().memoryPressure, true, 'held for 5 minutes');
    advance(2_000);
    assert.equal(m.pressure().memoryPressure, false);
  });
});
