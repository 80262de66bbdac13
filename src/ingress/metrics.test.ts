import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObservationBuffer } from './metrics.ts';
import type { Target } from './routing.ts';

// A data-plane thread's observations, batched: each request lands in its own series and Pod whatever came before
// it, and a drain starts a new batch.

const target = (service: string): Target => ({ ingress: 'ns/web', namespace: 'ns', ingressName: 'web', backend: null, service, canary: false, stats: null });

describe('ObservationBuffer', () => {
  it('counts each request in its series and Pod, across drains', () => {
    const a = target('a');
    const b = target('b');
    const buf = new ObservationBuffer();
    const observations: [Target | null, number, number, string][] = [
      [a, 200, 0.001, 'ns/a-1'], [a, 200, 0.02, 'ns/a-1'], [a, 502, 0.003, 'ns/a-2'], [b, 200, 0.004, 'ns/b-1'], [a, 200, 0.3, 'ns/a-1'], [null, 404, 0.001, ''],
    ];
    for (const [t, status, seconds, pod] of observations) buf.observe(t, status, seconds, pod);
    const summary = (batch: ReturnType<ObservationBuffer['drain']>): unknown => ({
      series: batch.series.map((s) => [s.labels.service, s.labels.status, s.counts.count, Math.round(s.counts.sum * 1000), s.counts.buckets.indexOf(1)]).sort(),
      pods: batch.pods.map(([pod, t]) => [pod, t.count, Math.round(t.durationSum * 1000)]).sort(),
    });
    assert.deepEqual(summary(buf.drain()), {
      series: [['', '404', 1, 1, 0], ['a', '200', 3, 321, 0], ['a', '502', 1, 3, 0], ['b', '200', 1, 4, 0]].sort(),
      pods: [['ns/a-1', 3, 321], ['ns/a-2', 1, 3], ['ns/b-1', 1, 4]],
    });
    buf.observe(a, 200, 0.002, 'ns/a-1');
    assert.deepEqual(summary(buf.drain()), { series: [['a', '200', 1, 2, 0]], pods: [['ns/a-1', 1, 2]] });
    assert.deepEqual(summary(buf.drain()), { series: [], pods: [] });
  });
});
