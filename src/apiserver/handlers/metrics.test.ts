import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiObject } from '../../api/object.ts';
import type { NodeUsage, PodUsage } from '../../metrics/storage.ts';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

const t0 = Date.parse('2025-01-02T03:04:05Z');

// A fixed source: what the metrics pipeline would have measured.
const source = {
  nodeUsage: (name: string): NodeUsage | undefined => (name === 'n1' ? { cpuNanoCores: 25e7, memoryBytes: 2 ** 30, timestampMs: t0, windowMs: 15_000 } : undefined),
  podUsage: (ns: string, name: string): PodUsage | undefined =>
    ns === 'default' && name.startsWith('web')
      ? { timestampMs: t0, windowMs: 15_000, containers: [{ name: 'app', cpuNanoCores: 4e8, memoryBytes: 8 * 2 ** 20 }, { name: 'side', cpuNanoCores: 1e8, memoryBytes: 2 * 2 ** 20 }] }
      : undefined,
};

describe('metrics.k8s.io/v1beta1', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ resourceMetrics: source });
    for (const [name, labels, phase] of [['web-1', { app: 'web' }, 'Running'], ['web-2', { app: 'web', tier: 'x' }, 'Running'], ['web-3', { app: 'web' }, 'Pending'], ['db-1', { app: 'db' }, 'Running']] as const) {
      const created = await t.call('POST', '/api/v1/namespaces/default/pods', { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'x' }, { name: 'side', image: 'y' }] } });
      assert.equal(created.status, 201);
      const pod = created.body as ApiObject;
      assert.equal((await t.call('PUT', `/api/v1/namespaces/default/pods/${name}/status`, { ...pod, status: { phase } })).status, 200);
    }
    for (const name of ['n1', 'n2']) assert.equal((await t.call('POST', '/api/v1/nodes', { metadata: { name, labels: { zone: name === 'n1' ? 'a' : 'b' } } })).status, 201);
  });
  after(async () => t.close());

  it('is listed in legacy and aggregated discovery, read-only', async () => {
    const groups = await t.call('GET', '/apis');
    assert.ok((groups.body.groups as { name: string }[]).some((g) => g.name === 'metrics.k8s.io'));
    const list = await t.call('GET', '/apis/metrics.k8s.io/v1beta1');
    const resources = (list.body.resources as { name: string; kind: string; namespaced: boolean; verbs: string[] }[]).map((r) => [r.name, r.kind, r.namespaced, r.verbs.join(',')]);
    assert.deepEqual(resources, [['nodes', 'NodeMetrics', false, 'get,list'], ['pods', 'PodMetrics', true, 'get,list']]);
    const agg = await t.call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const item = (agg.body.items as { metadata: { name: string }; versions: { version: string; resources: { resource: string }[] }[] }[]).find((i) => i.metadata.name === 'metrics.k8s.io');
    assert.deepEqual(item?.versions.map((v) => [v.version, v.resources.map((r) => r.resource)]), [['v1beta1', ['nodes', 'pods']]]);
  });

  it('lists running pods with metrics, selected by label, in name order', async () => {
    const all = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    assert.equal(all.status, 200);
    assert.equal(all.body.kind, 'PodMetricsList');
    assert.deepEqual((all.body.items as ApiObject[]).map((i) => i.metadata?.name), ['web-1', 'web-2']);
    const first = (all.body.items as Record<string, unknown>[])[0];
    assert.deepEqual(first?.containers, [{ name: 'app', usage: { cpu: '400m', memory: '8Mi' } }, { name: 'side', usage: { cpu: '100m', memory: '2Mi' } }]);
    assert.equal(first?.window, '15s');
    assert.equal(first?.timestamp, '2025-01-02T03:04:05Z');
    const sel = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=tier%3Dx');
    assert.deepEqual((sel.body.items as ApiObject[]).map((i) => i.metadata?.name), ['web-2']);
    const field = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dweb-1');
    assert.deepEqual((field.body.items as ApiObject[]).map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), ['default/web-1']);
    const other = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods');
    assert.deepEqual(other.body.items, []);
  });

  it('gets one pod or node, and 404s without a measurement', async () => {
    const got = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1');
    assert.equal(got.body.kind, 'PodMetrics');
    assert.deepEqual((got.body.metadata as Record<string, unknown>).labels, { app: 'web' });
    const missing = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db-1');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods.metrics.k8s.io "default/db-1" not found');
    const node = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1');
    assert.deepEqual(node.body.usage, { cpu: '250m', memory: '1Gi' });
    assert.equal((await t.call('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n2')).status, 404);
    const nodes = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Da');
    assert.deepEqual((nodes.body.items as ApiObject[]).map((i) => i.metadata?.name), ['n1']);
  });

  it('prints Tables and refuses writes and watches', async () => {
    const table = await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(table.body.kind, 'Table');
    assert.deepEqual((table.body.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'cpu', 'memory', 'Window']);
    assert.deepEqual((table.body.rows as { cells: unknown[] }[])[0]?.cells, ['web-1', '500m', '10Mi', '15s']);
    assert.equal((await t.call('POST', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', {})).status, 405);
    assert.equal((await t.call('GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true')).status, 405);
    assert.equal((await t.call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/deployments')).status, 404);
  });

  it('is not served without a metrics source', async () => {
    const bare = await startTestApi();
    try {
      assert.equal((await bare.call('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).status, 404);
      const groups = await bare.call('GET', '/apis');
      assert.ok(!(groups.body.groups as { name: string }[]).some((g) => g.name === 'metrics.k8s.io'));
    } finally {
      await bare.close();
    }
  });
});
