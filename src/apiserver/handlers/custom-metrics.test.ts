import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CustomMetricsSource } from '../../metrics/custom/source.ts';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

const t0 = Date.parse('2025-01-02T03:04:05Z');

// A fixed source, as the ingress or the simulation would feed it: per-pod request rates (web-3 has none; the
// pod "gone" was deleted) and one Service's latency.
const rps = new Map([['default/web-1', 12.5], ['default/web-2', 7], ['default/db-1', 3], ['default/gone', 1], ['other/web-1', 99]]);
// extraMetric is one more pods metric, as simulated pods' annotations add and drop them.
let extraMetric = '';
const source: CustomMetricsSource = {
  metrics: () => [
    { resource: 'pods', metric: 'requests_per_second', kind: 'Pod', apiVersion: 'v1' },
    { resource: 'services', metric: 'request_duration_seconds', kind: 'Service', apiVersion: 'v1' },
    ...(extraMetric ? [{ resource: 'pods', metric: extraMetric, kind: 'Pod', apiVersion: 'v1' }] : []),
  ],
  objectMetric: (ns, resource, name, metric) => {
    if (resource === 'pods' && metric === 'requests_per_second') {
      const v = rps.get(`${ns}/${name}`);
      return v === undefined ? undefined : { value: v, timestampMs: t0, windowSeconds: 60 };
    }
    return resource === 'services' && ns === 'default' && name === 'web' ? { value: 0.25, timestampMs: t0, windowSeconds: 60 } : undefined;
  },
  objectNames: (ns, resource) => (resource === 'pods' ? [...rps.keys()].filter((k) => k.startsWith(`${ns}/`)).map((k) => k.slice(ns.length + 1)) : ns === 'default' ? ['web'] : []),
};

interface MetricValue {
  describedObject: { kind: string; namespace: string; name: string; apiVersion: string };
  metric: { name: string };
  timestamp: string;
  windowSeconds: number;
  value: string;
}

describe('custom.metrics.k8s.io/v1beta2', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ customMetrics: source });
    for (const [name, labels] of [['web-1', { app: 'web' }], ['web-2', { app: 'web', tier: 'x' }], ['web-3', { app: 'web' }], ['db-1', { app: 'db' }]] as const) {
      assert.equal((await t.call('POST', '/api/v1/namespaces/default/pods', { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'x' }] } })).status, 201);
    }
  });
  after(async () => t.close());

  it('lists <resource>/<metric> entries in discovery, namespaced and get-only', async () => {
    const list = await t.call('GET', '/apis/custom.metrics.k8s.io/v1beta2');
    const resources = (list.body.resources as { name: string; kind: string; namespaced: boolean; verbs: string[] }[]).map((r) => [r.name, r.kind, r.namespaced, r.verbs.join(',')]);
    assert.deepEqual(resources, [['pods/requests_per_second', 'MetricValueList', true, 'get'], ['services/request_duration_seconds', 'MetricValueList', true, 'get']]);
  });

  it('follows the served metrics in discovery, also when one replaces another', async () => {
    const names = async () => ((await t.call('GET', '/apis/custom.metrics.k8s.io/v1beta2')).body.resources as { name: string }[]).map((r) => r.name);
    try {
      extraMetric = 'queue_length';
      assert.ok((await names()).includes('pods/queue_length'));
      extraMetric = 'queue_age_seconds';
      assert.deepEqual((await names()).filter((n) => n.startsWith('pods/queue')), ['pods/queue_age_seconds']);
    } finally {
      extraMetric = '';
    }
  });

  const base = '/apis/custom.metrics.k8s.io/v1beta2/namespaces';
  const cases: { name: string; path: string; status: number; items?: [string, string][]; message?: string }[] = [
    { name: 'one pod', path: `${base}/default/pods/web-1/requests_per_second`, status: 200, items: [['web-1', '12500m']] },
    { name: 'every pod with the metric (the HPA asks with its selector)', path: `${base}/default/pods/*/requests_per_second?labelSelector=app%3Dweb`, status: 200, items: [['web-1', '12500m'], ['web-2', '7']] },
    { name: 'every pod, as client-go escapes the `*` (the HPA, kubectl get --raw)', path: `${base}/default/pods/%2A/requests_per_second?labelSelector=app%3Dweb`, status: 200, items: [['web-1', '12500m'], ['web-2', '7']] },
    { name: 'a narrower selector', path: `${base}/default/pods/*/requests_per_second?labelSelector=app%3Dweb,tier%3Dx`, status: 200, items: [['web-2', '7']] },
    { name: 'no selector: every existing pod of the namespace with the metric', path: `${base}/default/pods/*/requests_per_second`, status: 200, items: [['db-1', '3'], ['web-1', '12500m'], ['web-2', '7']] },
    { name: 'a selector no measured pod matches is an empty list', path: `${base}/default/pods/*/requests_per_second?labelSelector=app%3Dnone`, status: 200, items: [] },
    { name: 'a pod without a value', path: `${base}/default/pods/web-3/requests_per_second`, status: 404, message: 'the server could not find the metric requests_per_second for pods web-3' },
    { name: 'a metric no source serves for pods', path: `${base}/default/pods/web-1/request_duration_seconds`, status: 404, message: 'the server could not find the metric request_duration_seconds for pods web-1' },
    { name: 'a Service metric', path: `${base}/default/services/web/request_duration_seconds`, status: 200, items: [['web', '250m']] },
  ];
  for (const c of cases) {
    it(`GET ${c.name}`, async () => {
      const r = await t.call('GET', c.path);
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      if (c.message !== undefined) assert.equal(r.body.message, c.message);
      if (c.items === undefined) return;
      assert.equal(r.body.kind, 'MetricValueList');
      assert.equal(r.body.apiVersion, 'custom.metrics.k8s.io/v1beta2');
      assert.deepEqual((r.body.items as MetricValue[]).map((i) => [i.describedObject.name, i.value]), c.items);
    });
  }

  it('describes each pod as a Pod of its namespace, with the metric, time and window', async () => {
    const r = await t.call('GET', `${base}/default/pods/*/requests_per_second?labelSelector=tier%3Dx`);
    assert.deepEqual(r.body.items, [{ describedObject: { kind: 'Pod', namespace: 'default', name: 'web-2', apiVersion: 'v1' }, metric: { name: 'requests_per_second' }, timestamp: '2025-01-02T03:04:05Z', windowSeconds: 60, value: '7' }]);
  });

  it('is read-only', async () => {
    assert.equal((await t.call('POST', `${base}/default/pods/web-1/requests_per_second`, {})).status, 405);
  });
});
