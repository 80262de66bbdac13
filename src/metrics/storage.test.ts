import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsPoint, ResourceMetricsBatch } from './resource-metrics.ts';
import { MetricsStorage, usageBetween } from './storage.ts';
import { formatGoDuration, nodeMetricsOf, podMetricsOf, usageList } from './objects.ts';

const s = 1000;
function batch(nodes: Record<string, MetricsPoint>, pods: Record<string, Record<string, MetricsPoint>> = {}): ResourceMetricsBatch {
  return { nodes: new Map(Object.entries(nodes)), pods: new Map(Object.entries(pods).map(([k, v]) => [k, new Map(Object.entries(v))])) };
}

describe('usageBetween', () => {
  const cases = [
    { name: 'rate over the window', last: { timestampMs: 20 * s, cpuNanoSeconds: 6e9, memoryBytes: 7 }, prev: { timestampMs: 10 * s, cpuNanoSeconds: 2e9, memoryBytes: 3 }, want: { cpuNanoCores: 4e8, memoryBytes: 7, timestampMs: 20 * s, windowMs: 10 * s } },
    { name: 'counter went down', last: { timestampMs: 20 * s, cpuNanoSeconds: 1e9, memoryBytes: 7 }, prev: { timestampMs: 10 * s, cpuNanoSeconds: 2e9, memoryBytes: 3 }, want: undefined },
    { name: 'no time passed', last: { timestampMs: 10 * s, cpuNanoSeconds: 3e9, memoryBytes: 7 }, prev: { timestampMs: 10 * s, cpuNanoSeconds: 2e9, memoryBytes: 3 }, want: undefined },
    { name: 'start went back', last: { startTimeMs: 1, timestampMs: 20 * s, cpuNanoSeconds: 3e9, memoryBytes: 7 }, prev: { startTimeMs: 2, timestampMs: 10 * s, cpuNanoSeconds: 2e9, memoryBytes: 3 }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(usageBetween(c.last, c.prev), c.want));
});

describe('MetricsStorage', () => {
  it('answers once a node or container has two points, and forgets what a scrape no longer has', () => {
    const st = new MetricsStorage({ resolutionMs: 15 * s });
    const c = (t: number, cpu: number): MetricsPoint => ({ startTimeMs: 0, timestampMs: t, cpuNanoSeconds: cpu, memoryBytes: 1024 });
    st.store(batch({ n: { timestampMs: 100 * s, cpuNanoSeconds: 50e9, memoryBytes: 10 } }, { 'ns/p': { a: c(100 * s, 10e9), b: c(100 * s, 1e9) } }));
    assert.equal(st.nodeUsage('n'), undefined);
    assert.equal(st.podUsage('ns', 'p'), undefined);
    st.store(batch({ n: { timestampMs: 115 * s, cpuNanoSeconds: 65e9, memoryBytes: 20 } }, { 'ns/p': { a: c(115 * s, 16e9), b: c(115 * s, 1.15e9) } }));
    assert.deepEqual(st.nodeUsage('n'), { cpuNanoCores: 1e9, memoryBytes: 20, timestampMs: 115 * s, windowMs: 15 * s });
    assert.deepEqual(st.podUsage('ns', 'p'), { timestampMs: 115 * s, windowMs: 15 * s, containers: [{ name: 'a', cpuNanoCores: 4e8, memoryBytes: 1024 }, { name: 'b', cpuNanoCores: 1e7, memoryBytes: 1024 }] });
    // The same points again (a scrape that saw nothing new) keep the window.
    st.store(batch({ n: { timestampMs: 115 * s, cpuNanoSeconds: 65e9, memoryBytes: 20 } }, { 'ns/p': { a: c(115 * s, 16e9), b: c(115 * s, 1.15e9) } }));
    assert.equal(st.nodeUsage('n')?.cpuNanoCores, 1e9);
    st.store(batch({}));
    assert.equal(st.nodeUsage('n'), undefined);
    assert.equal(st.podUsage('ns', 'p'), undefined);
  });

  it('starts over after a container restart and rates a fresh container from its start', () => {
    const st = new MetricsStorage({ resolutionMs: 60 * s });
    st.store(batch({}, { 'ns/p': { a: { startTimeMs: 0, timestampMs: 100 * s, cpuNanoSeconds: 10e9, memoryBytes: 1 } } }));
    st.store(batch({}, { 'ns/p': { a: { startTimeMs: 105 * s, timestampMs: 115 * s, cpuNanoSeconds: 1e9, memoryBytes: 1 } } }));
    // Started 10 s before its point (within one resolution): rated against zero CPU at the start.
    assert.deepEqual(st.podUsage('ns', 'p'), { timestampMs: 115 * s, windowMs: 10 * s, containers: [{ name: 'a', cpuNanoCores: 1e8, memoryBytes: 1 }] });
    const st2 = new MetricsStorage({ resolutionMs: 5 * s });
    st2.store(batch({}, { 'ns/p': { a: { startTimeMs: 0, timestampMs: 100 * s, cpuNanoSeconds: 10e9, memoryBytes: 1 } } }));
    st2.store(batch({}, { 'ns/p': { a: { startTimeMs: 105 * s, timestampMs: 115 * s, cpuNanoSeconds: 1e9, memoryBytes: 1 } } }));
    assert.equal(st2.podUsage('ns', 'p'), undefined);
  });
});

describe('metrics.k8s.io objects', () => {
  it('prints quantities and windows as metrics-server does', () => {
    assert.deepEqual(usageList({ cpuNanoCores: 4e8, memoryBytes: 8 * 2 ** 20 }), { cpu: '400m', memory: '8Mi' });
    assert.deepEqual(usageList({ cpuNanoCores: 123456789, memoryBytes: 1234567 }), { cpu: '123456789n', memory: '1234567' });
    const cases: [number, string][] = [[15_000, '15s'], [15_004, '15.004s'], [90_500, '1m30.5s'], [250, '250ms'], [3_600_000, '1h0m0s']];
    for (const [ms, want] of cases) assert.equal(formatGoDuration(ms), want);
  });

  it('builds PodMetrics and NodeMetrics with labels and the request time as creationTimestamp', () => {
    const pm = podMetricsOf({ name: 'p', namespace: 'ns', labels: { app: 'x' } }, { timestampMs: 1_700_000_000_000, windowMs: 15_000, containers: [{ name: 'c', cpuNanoCores: 1e9, memoryBytes: 2 ** 30 }] }, 1_700_000_001_000);
    assert.deepEqual(pm, {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2023-11-14T22:13:21Z', labels: { app: 'x' } },
      timestamp: '2023-11-14T22:13:20Z',
      window: '15s',
      containers: [{ name: 'c', usage: { cpu: '1', memory: '1Gi' } }],
    });
    const nm = nodeMetricsOf({ name: 'n' }, { timestampMs: 0, windowMs: 1000, cpuNanoCores: 5e7, memoryBytes: 512 * 2 ** 20 }, 0);
    assert.deepEqual(nm.usage, { cpu: '50m', memory: '512Mi' });
    assert.equal(nm.metadata.namespace, undefined);
  });
});
