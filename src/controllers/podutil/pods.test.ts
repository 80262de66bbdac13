import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerExpectations, expectationsTimeoutMs } from './expectations.ts';
import { compareActivePods, isPodAvailable, type PodObject } from './pods.ts';

function pod(name: string, o: { node?: string; phase?: string; readySince?: string; restarts?: number; created?: string; cost?: string } = {}): PodObject {
  return {
    metadata: { name, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}) },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Pending',
      ...(o.readySince ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince }] } : {}),
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: Boolean(o.readySince), restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('compareActivePods (which pod to delete first)', () => {
  const running = { node: 'n', phase: 'Running' };
  const cases = [
    { name: 'unscheduled before scheduled', first: pod('a'), second: pod('b', { node: 'n' }) },
    { name: 'pending before running', first: pod('a', { node: 'n' }), second: pod('b', running) },
    { name: 'unready before ready', first: pod('a', running), second: pod('b', { ...running, readySince: '2026-01-01T00:00:00Z' }) },
    { name: 'lower deletion cost first', first: pod('a', { ...running, cost: '-5' }), second: pod('b', running) },
    { name: 'ready for less time first', first: pod('a', { ...running, readySince: '2026-01-02T00:00:00Z' }), second: pod('b', { ...running, readySince: '2026-01-01T00:00:00Z' }) },
    { name: 'more restarts first', first: pod('a', { ...running, restarts: 3 }), second: pod('b', running) },
    { name: 'newer first', first: pod('a', { ...running, created: '2026-01-03T00:00:00Z' }), second: pod('b', running) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.ok(compareActivePods(c.first, c.second) < 0);
      assert.ok(compareActivePods(c.second, c.first) > 0);
    });
  }
});

describe('isPodAvailable', () => {
  const p = pod('a', { node: 'n', phase: 'Running', readySince: '2026-01-01T00:00:00Z' });
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  it('is available at once without minReadySeconds', () => assert.ok(isPodAvailable(p, 0, t0)));
  it('waits minReadySeconds after becoming ready', () => {
    assert.ok(!isPodAvailable(p, 10, t0 + 9_000));
    assert.ok(isPodAvailable(p, 10, t0 + 10_000));
  });
});

describe('ControllerExpectations', () => {
  it('blocks a sync until creates and deletes are observed', () => {
    const e = new ControllerExpectations({ now: () => 0 });
    e.expectCreations('ns/rs', 2);
    assert.ok(!e.satisfiedExpectations('ns/rs'));
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    assert.ok(e.satisfiedExpectations('ns/rs'));
    e.expectDeletions('ns/rs', ['ns/a']);
    e.deletionObserved('ns/rs', 'ns/other');
    assert.ok(!e.satisfiedExpectations('ns/rs'));
    e.deletionObserved('ns/rs', 'ns/a');
    assert.ok(e.satisfiedExpectations('ns/rs'));
  });
  it('gives up waiting after the TTL', () => {
    let now = 0;
    const e = new ControllerExpectations({ now: () => now });
    e.expectCreations('ns/rs', 1);
    now = expectationsTimeoutMs + 1;
    assert.ok(e.satisfiedExpectations('ns/rs'));
  });
});
