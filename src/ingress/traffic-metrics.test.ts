import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngressMetrics } from './metrics.ts';
import { IngressTrafficMetrics } from './traffic-metrics.ts';
import { CustomMetricsRegistry } from '../metrics/custom/source.ts';

describe('IngressTrafficMetrics', () => {
  const labels = { ingress: 'web', namespace: 'shop', service: 'web-svc', status: '200', canary: '' };
  const serve = (m: IngressMetrics, n: number, seconds: number): void => {
    for (let i = 0; i < n; i++) {
      m.requests.labels(labels).inc();
      m.latency.labels(labels).observe(seconds);
    }
  };

  it('rates requests and averages latency over the window, per Ingress and per Service', async () => {
    let now = 0;
    const m = new IngressMetrics();
    const t = new IngressTrafficMetrics(m, { windowMs: 60_000, now: () => now });
    serve(m, 10, 1);
    await t.sample();
    assert.equal(t.objectMetric('shop', 'ingresses.networking.k8s.io', 'web', 'requests_per_second'), undefined, 'one sample is no rate');
    now = 10_000;
    serve(m, 50, 0.2);
    await t.sample();
    assert.deepEqual(t.objectMetric('shop', 'ingresses.networking.k8s.io', 'web', 'requests_per_second'), { value: 5, timestampMs: 10_000, windowSeconds: 10 });
    const latency = t.objectMetric('shop', 'services', 'web-svc', 'request_duration_seconds');
    assert.ok(latency && Math.abs(latency.value - 0.2) < 1e-9, JSON.stringify(latency));
    assert.deepEqual(t.objectNames('shop', 'services', 'request_duration_seconds'), ['web-svc']);
    // 70 s later the first samples fall out of the window: only the last minute counts.
    now = 80_000;
    serve(m, 60, 0.5);
    await t.sample();
    const later = t.objectMetric('shop', 'ingresses.networking.k8s.io', 'web', 'request_duration_seconds');
    assert.ok(later && Math.abs(later.value - 0.5) < 1e-9 && later.windowSeconds === 70, JSON.stringify(later));
    assert.equal(t.objectMetric('other', 'ingresses.networking.k8s.io', 'web', 'requests_per_second'), undefined);
    assert.equal(t.objectMetric('shop', 'pods', 'web', 'requests_per_second'), undefined);
  });

  it('rates requests and averages latency per endpoint Pod, zero for idle endpoints, forgetting pods that left', async () => {
    let now = 0;
    const m = new IngressMetrics();
    const t = new IngressTrafficMetrics(m, { windowMs: 60_000, now: () => now });
    const target = null;
    m.trackPods(['shop/web-1', 'shop/web-2']);
    for (let i = 0; i < 100; i++) m.observe(target, 200, 0.3, 'shop/web-1');
    await t.sample();
    now = 10_000;
    for (let i = 0; i < 30; i++) m.observe(target, 200, 0.3, 'shop/web-1');
    // Worker threads report in batches; a pod no longer tracked (and no pod at all) is not counted.
    m.record({ series: [], pods: [['shop/web-1', { count: 20, durationSum: 2 }], ['shop/gone', { count: 5, durationSum: 1 }]] });
    m.observe(target, 502, 0.1, '');
    await t.sample();
    const rps = t.objectMetric('shop', 'pods', 'web-1', 'requests_per_second');
    assert.deepEqual(rps, { value: 5, timestampMs: 10_000, windowSeconds: 10 });
    const latency = t.objectMetric('shop', 'pods', 'web-1', 'request_duration_seconds');
    assert.ok(latency && Math.abs(latency.value - 11 / 50) < 1e-9, JSON.stringify(latency));
    assert.deepEqual(t.objectMetric('shop', 'pods', 'web-2', 'requests_per_second'), { value: 0, timestampMs: 10_000, windowSeconds: 10 });
    assert.deepEqual(t.objectNames('shop', 'pods', 'requests_per_second').sort(), ['web-1', 'web-2']);
    assert.equal(t.objectMetric('shop', 'pods', 'gone', 'requests_per_second'), undefined);
    // web-1 leaves the endpoints and comes back: it counts from zero, below its total at the window's start.
    m.trackPods(['shop/web-2']);
    now = 20_000;
    await t.sample();
    assert.deepEqual(t.objectNames('shop', 'pods', 'requests_per_second'), ['web-2']);
    m.trackPods(['shop/web-1', 'shop/web-2']);
    for (let i = 0; i < 40; i++) m.observe(target, 200, 0.5, 'shop/web-1');
    now = 30_000;
    await t.sample();
    assert.deepEqual(t.objectMetric('shop', 'pods', 'web-1', 'requests_per_second'), { value: 40 / 30, timestampMs: 30_000, windowSeconds: 30 });
  });

  it('joins a registry that serves every source\'s metrics', async () => {
    const reg = new CustomMetricsRegistry();
    const remove = reg.add(new IngressTrafficMetrics(new IngressMetrics()));
    assert.deepEqual(reg.metrics().map((d) => `${d.resource}/${d.metric}`).sort(), ['ingresses.networking.k8s.io/request_duration_seconds', 'ingresses.networking.k8s.io/requests_per_second', 'pods/request_duration_seconds', 'pods/requests_per_second', 'services/request_duration_seconds', 'services/requests_per_second']);
    remove();
    assert.deepEqual(reg.metrics(), []);
  });
});
