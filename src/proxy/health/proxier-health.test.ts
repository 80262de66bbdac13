import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { goTime, isNodeEligible, ProxierHealth, toBeDeletedTaint } from './proxier-health.ts';

const start = Date.UTC(2026, 10, 29, 1, 0, 0);

/** Step is one thing that happens to the proxy, `wait` moving the clock. */
type Step = { wait: number } | 'queued' | 'begin' | 'ok' | 'fail' | { node: Node | null };

const node = (o: { deleting?: boolean; taints?: string[] } = {}): Node => ({
  metadata: { name: 'n1', ...(o.deleting ? { deletionTimestamp: '2026-11-29T01:00:00Z' } : {}) },
  spec: { taints: (o.taints ?? []).map((key) => ({ key, effect: 'NoSchedule' })) },
});

function run(steps: Step[]): { health: ProxierHealth; now: () => number } {
  let t = start;
  const health = new ProxierHealth({ clock: { now: () => t }, timeoutMs: 1000 });
  for (const s of steps) {
    if (s === 'queued') health.queuedUpdate();
    else if (s === 'begin') health.beginSync();
    else if (s === 'ok') health.endSync(true);
    else if (s === 'fail') health.endSync(false);
    else if ('wait' in s) t += s.wait;
    else health.syncNode(s.node);
  }
  return { health, now: () => t };
}

describe('ProxierHealth', () => {
  const cases: { name: string; steps: Step[]; healthz: 200 | 503; livez: 200 | 503 }[] = [
    { name: 'healthy while starting up', steps: [], healthz: 200, livez: 200 },
    { name: 'a fresh change is not late yet', steps: ['queued', { wait: 999 }], healthz: 200, livez: 200 },
    { name: 'a change waiting the timeout makes it unhealthy', steps: ['queued', { wait: 1000 }], healthz: 503, livez: 503 },
    { name: 'a sync that applied the change makes it healthy again', steps: ['queued', { wait: 1500 }, 'begin', 'ok'], healthz: 200, livez: 200 },
    { name: 'a sync still running keeps its changes pending', steps: ['queued', 'begin', { wait: 1000 }], healthz: 503, livez: 503 },
    { name: 'a failed sync hands its changes back, dated from their first event', steps: ['queued', { wait: 600 }, 'begin', 'fail', { wait: 400 }], healthz: 503, livez: 503 },
    { name: 'a change during a sync stays pending after it', steps: ['queued', 'begin', { wait: 100 }, 'queued', 'ok', { wait: 1000 }], healthz: 503, livez: 503 },
    { name: 'quiet after a sync stays healthy however long', steps: ['queued', 'begin', 'ok', { wait: 3_600_000 }], healthz: 200, livez: 200 },
    { name: 'a node tainted for deletion fails /healthz only', steps: [{ node: node({ taints: [toBeDeletedTaint] }) }], healthz: 503, livez: 200 },
    { name: 'a node being deleted fails /healthz only', steps: [{ node: node({ deleting: true }) }], healthz: 503, livez: 200 },
    { name: 'a deleted node fails /healthz only', steps: [{ node: null }], healthz: 503, livez: 200 },
    { name: 'an untainted node is eligible again', steps: [{ node: node({ taints: [toBeDeletedTaint] }) }, { node: node() }], healthz: 200, livez: 200 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { health } = run(c.steps);
      assert.equal(health.healthz().status, c.healthz);
      assert.equal(health.livez().status, c.livez);
      assert.equal(health.isHealthy(), c.livez === 200);
    });
  }

  it('reports the current time as lastUpdated while healthy, and the last sync when not', () => {
    const healthy = run(['queued', 'begin', 'ok', { wait: 5000 }]);
    assert.deepEqual(healthy.health.healthz(), { status: 200, body: '{"lastUpdated": "2026-11-29 01:00:05 +0000 UTC","currentTime": "2026-11-29 01:00:05 +0000 UTC", "nodeEligible": true}' });
    const late = run(['queued', 'begin', 'ok', { wait: 250 }, 'queued', { wait: 1000 }]);
    assert.deepEqual(late.health.healthz(), { status: 503, body: '{"lastUpdated": "2026-11-29 01:00:00 +0000 UTC","currentTime": "2026-11-29 01:00:01.25 +0000 UTC", "nodeEligible": true}' });
    assert.deepEqual(late.health.livez(), { status: 503, body: '{"lastUpdated": "2026-11-29 01:00:00 +0000 UTC","currentTime": "2026-11-29 01:00:01.25 +0000 UTC"}' });
    const never = run(['queued', { wait: 1000 }, { node: null }]);
    assert.equal(never.health.healthz().body, '{"lastUpdated": "0001-01-01 00:00:00 +0000 UTC","currentTime": "2026-11-29 01:00:01 +0000 UTC", "nodeEligible": false}');
    for (const r of [healthy.health.healthz(), late.health.livez(), never.health.healthz()]) assert.ok(JSON.parse(r.body));
  });

  it('returns when the oldest change a sync takes up arrived', () => {
    let t = start;
    const health = new ProxierHealth({ clock: { now: () => t } });
    assert.equal(health.beginSync(), null);
    health.endSync(true);
    health.queuedUpdate();
    t += 10;
    health.queuedUpdate();
    assert.equal(health.beginSync(), start);
    health.endSync(false);
    t += 10;
    health.queuedUpdate();
    assert.equal(health.beginSync(), start, 'a retry still counts from the first event');
  });
});

describe('isNodeEligible', () => {
  const cases: { name: string; node: Node | null; want: boolean }[] = [
    { name: 'a plain node', node: node(), want: true },
    { name: 'other taints', node: node({ taints: ['node.kubernetes.io/unschedulable', 'DeletionCandidateOfClusterAutoscaler'] }), want: true },
    { name: 'ToBeDeletedByClusterAutoscaler', node: node({ taints: ['x', toBeDeletedTaint] }), want: false },
    { name: 'deletionTimestamp set', node: node({ deleting: true }), want: false },
    { name: 'deleted', node: null, want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isNodeEligible(c.node), c.want));
});

describe('goTime', () => {
  const cases: { ms: number | null; want: string }[] = [
    { ms: null, want: '"0001-01-01 00:00:00 +0000 UTC"' },
    { ms: Date.UTC(2026, 0, 2, 3, 4, 5), want: '"2026-01-02 03:04:05 +0000 UTC"' },
    { ms: Date.UTC(2026, 0, 2, 3, 4, 5, 100), want: '"2026-01-02 03:04:05.1 +0000 UTC"' },
    { ms: Date.UTC(2026, 0, 2, 3, 4, 5, 7), want: '"2026-01-02 03:04:05.007 +0000 UTC"' },
  ];
  for (const c of cases) it(`renders ${c.want} as Go does`, () => assert.equal(goTime(c.ms), c.want));
});
