import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { customMetricsAnnotation, parseCustomMetrics, SimPodCustomMetrics } from './custom-metrics.ts';

describe('parseCustomMetrics', () => {
  const cases: { name: string; raw: string | undefined; want: [string, number][] }[] = [
    { name: 'absent', raw: undefined, want: [] },
    { name: 'numbers', raw: 'requests_per_second=25,request_duration_seconds=0.3', want: [['requests_per_second', 25], ['request_duration_seconds', 0.3]] },
    { name: 'quantities and spaces', raw: ' queue_length = 1500m , rps=2k', want: [['queue_length', 1.5], ['rps', 2000]] },
    { name: 'bad items are left out', raw: 'ok=1,=2,bad name=3,neg=-1,nan=x,novalue', want: [['ok', 1]] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual([...parseCustomMetrics(c.raw)], c.want));
});

describe('SimPodCustomMetrics', () => {
  const now = Date.parse('2025-03-04T05:06:07Z');
  const pod = (name: string, opts: { ns?: string; metrics?: string; phase?: string; containerID?: string } = {}): Pod => ({
    metadata: { name, namespace: opts.ns ?? 'default', ...(opts.metrics !== undefined ? { annotations: { [customMetricsAnnotation]: opts.metrics } } : {}) },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: opts.phase ?? 'Running', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: 0, containerID: opts.containerID ?? 'sim://abc' }] },
  });

  it('serves running simulated pods\' annotated values as pods/<metric>, listed in discovery', () => {
    const s = new SimPodCustomMetrics({ clock: { now: () => now } });
    s.upsert(pod('a', { metrics: 'requests_per_second=25,request_duration_seconds=0.3' }));
    s.upsert(pod('b', { metrics: 'requests_per_second=5' }));
    s.upsert(pod('c', { ns: 'other', metrics: 'requests_per_second=1' }));
    assert.deepEqual(s.metrics(), [
      { resource: 'pods', metric: 'request_duration_seconds', kind: 'Pod', apiVersion: 'v1' },
      { resource: 'pods', metric: 'requests_per_second', kind: 'Pod', apiVersion: 'v1' },
    ]);
    assert.deepEqual(s.objectMetric('default', 'pods', 'a', 'request_duration_seconds'), { value: 0.3, timestampMs: now, windowSeconds: 60 });
    assert.deepEqual(s.objectNames('default', 'pods', 'requests_per_second').sort(), ['a', 'b']);
    assert.deepEqual(s.objectNames('default', 'pods', 'request_duration_seconds'), ['a']);
    assert.equal(s.objectMetric('default', 'services', 'a', 'requests_per_second'), undefined);
    assert.deepEqual(s.objectNames('default', 'services', 'requests_per_second'), []);
  });

  const silent: { name: string; pod: Pod }[] = [
    { name: 'a pod not running yet', pod: pod('p', { metrics: 'rps=1', phase: 'Pending' }) },
    { name: 'a real pod (containerd container IDs)', pod: pod('p', { metrics: 'rps=1', containerID: 'containerd://abc' }) },
    { name: 'a pod without the annotation', pod: pod('p') },
  ];
  for (const c of silent) {
    it(`reports nothing for ${c.name}`, () => {
      const s = new SimPodCustomMetrics({ clock: { now: () => now } });
      s.upsert(c.pod);
      assert.equal(s.objectMetric('default', 'pods', 'p', 'rps'), undefined);
      assert.deepEqual(s.metrics(), []);
    });
  }

  it('follows changed annotations and deleted pods, dropping metrics no pod reports', () => {
    const s = new SimPodCustomMetrics({ clock: { now: () => now } });
    s.upsert(pod('a', { metrics: 'rps=1' }));
    s.upsert(pod('b', { metrics: 'rps=2' }));
    s.upsert(pod('a', { metrics: 'rps=10,latency=0.5' }));
    assert.equal(s.objectMetric('default', 'pods', 'a', 'rps')?.value, 10);
    assert.deepEqual(s.metrics().map((m) => m.metric), ['latency', 'rps']);
    s.upsert(pod('a', { metrics: 'rps=3' }));
    assert.deepEqual(s.metrics().map((m) => m.metric), ['rps']);
    s.remove(pod('a'));
    assert.deepEqual(s.objectNames('default', 'pods', 'rps'), ['b']);
    s.upsert(pod('b', { metrics: 'rps=2', phase: 'Succeeded' }));
    assert.deepEqual(s.metrics(), []);
    assert.deepEqual(s.objectNames('default', 'pods', 'rps'), []);
  });
});
