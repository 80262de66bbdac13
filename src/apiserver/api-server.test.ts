import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiObject } from '../api/object.ts';
import { startTestApi, type TestApi } from '../testing/apiserver.ts';

describe('ApiServer core', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => t.close());

  it('has the system namespaces', async () => {
    const res = await t.call('GET', '/api/v1/namespaces');
    assert.equal(res.status, 200);
    const names = (res.body.items as ApiObject[]).map((n) => n.metadata?.name).sort();
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('creates, reads, updates and deletes a configmap', async () => {
    const created = await t.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: '1' } });
    assert.equal(created.status, 201);
    const meta = created.body.metadata as Record<string, string>;
    assert.match(meta.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(Number(meta.resourceVersion) > 0);
    const dup = await t.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'c1' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
    assert.equal(dup.body.message, 'configmaps "c1" already exists');
    const got = await t.call('GET', '/api/v1/namespaces/default/configmaps/c1');
    assert.deepEqual(got.body.data, { a: '1' });
    const stale = await t.call('PUT', '/api/v1/namespaces/default/configmaps/c1', { metadata: { name: 'c1', resourceVersion: '1' }, data: { a: '2' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(String(stale.body.message), /the object has been modified; please apply your changes to the latest version and try again/);
    const updated = await t.call('PUT', '/api/v1/namespaces/default/configmaps/c1', { metadata: { name: 'c1', resourceVersion: meta.resourceVersion }, data: { a: '2' } });
    assert.equal(updated.status, 200);
    assert.equal((updated.body.metadata as Record<string, string>).uid, meta.uid);
    const del = await t.call('DELETE', '/api/v1/namespaces/default/configmaps/c1');
    assert.equal(del.status, 200);
    const gone = await t.call('GET', '/api/v1/namespaces/default/configmaps/c1');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.message, 'configmaps "c1" not found');
  });

  it('refuses objects in a missing namespace', async () => {
    const res = await t.call('POST', '/api/v1/namespaces/nope/configmaps', { metadata: { name: 'x' } });
    assert.equal(res.status, 404);
    assert.equal(res.body.message, 'namespaces "nope" not found');
  });

  it('pages a list with limit and continue', async () => {
    await t.call('POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) await t.call('POST', '/api/v1/namespaces/paging/configmaps', { metadata: { name: `cm${i}` } });
    const seen: string[] = [];
    let cont = '';
    for (;;) {
      const res = await t.call('GET', `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${cont}` : ''}`);
      assert.equal(res.status, 200);
      seen.push(...(res.body.items as ApiObject[]).map((o) => o.metadata?.name ?? ''));
      // A write between pages must not change the list being paged.
      await t.call('POST', '/api/v1/namespaces/paging/configmaps', { metadata: { generateName: 'extra-' } });
      cont = String((res.body.metadata as Record<string, string>).continue ?? '');
      if (!cont) break;
    }
    assert.deepEqual(seen, ['cm0', 'cm1', 'cm2', 'cm3', 'cm4', 'cm5', 'cm6']);
  });

  it('watches from a resourceVersion and sees later changes', async () => {
    const list = await t.call('GET', '/api/v1/namespaces/default/configmaps');
    const rv = (list.body.metadata as Record<string, string>).resourceVersion;
    const res = await t.api.handle(new Request(`https://berth.test/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`), { username: 'a', groups: [] });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await t.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'w1' } });
    await t.call('DELETE', '/api/v1/namespaces/default/configmaps/w1');
    let text = '';
    while (text.split('\n').length < 3) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: ApiObject });
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 'w1'], ['DELETED', 'w1']]);
  });

  it('answers 401 to anonymous callers except on public paths', async () => {
    const denied = await t.api.handle(new Request('https://berth.test/api/v1/pods'), null);
    assert.equal(denied.status, 401);
    const version = await t.api.handle(new Request('https://berth.test/version'), null);
    assert.equal(version.status, 200);
    assert.equal(((await version.json()) as { minor: string }).minor, '32');
  });

  describe('errors are Status objects with upstream codes, and nothing is stored', () => {
    const cases: { name: string; method: string; path: string; body: string | undefined; headers: Record<string, string>; code: number; reason: string }[] = [
      { name: 'malformed JSON', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '{"metadata":', headers: {}, code: 400, reason: 'BadRequest' },
      { name: 'body over 3 MiB', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } }), headers: {}, code: 413, reason: 'RequestEntityTooLarge' },
      { name: 'unsupported content type', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '<xml/>', headers: { 'content-type': 'application/xml' }, code: 415, reason: 'UnsupportedMediaType' },
      { name: 'unsupported verb on a subresource', method: 'DELETE', path: '/apis/apps/v1/namespaces/default/deployments/x/scale', body: undefined, headers: {}, code: 405, reason: 'MethodNotAllowed' },
      { name: 'unknown resource', method: 'GET', path: '/api/v1/widgets', body: undefined, headers: {}, code: 404, reason: 'NotFound' },
      { name: 'invalid name', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: JSON.stringify({ metadata: { name: 'Bad_Name' } }), headers: {}, code: 422, reason: 'Invalid' },
      { name: 'stale continue token', method: 'GET', path: '/api/v1/configmaps?limit=1&continue=bm90LWEtdG9rZW4', body: undefined, headers: {}, code: 400, reason: 'BadRequest' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await t.store.currentRevision();
        const res = await t.call(c.method, c.path, c.body, c.headers);
        assert.equal(res.status, c.code);
        assert.equal(res.body.kind, 'Status');
        assert.equal(res.body.reason, c.reason);
        assert.equal(await t.store.currentRevision(), before, 'nothing was written');
      });
    }
  });

  it('serves autoscaling/v1 HorizontalPodAutoscalers from autoscaling/v2 storage', async () => {
    const created = await t.call('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.apiVersion, 'autoscaling/v1');
    const v2 = await t.call('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    assert.equal(v2.body.apiVersion, 'autoscaling/v2');
    assert.deepEqual((v2.body.spec as { metrics: unknown }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    const v1 = await t.call('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers');
    const item = (v1.body.items as ApiObject[])[0] as ApiObject & { spec: { targetCPUUtilizationPercentage: number; minReplicas: number } };
    assert.equal(item.apiVersion, 'autoscaling/v1');
    assert.equal(item.spec.targetCPUUtilizationPercentage, 60);
    assert.equal(item.spec.minReplicas, 1, 'defaults applied');
  });

  it('serves events.k8s.io/v1 Events from the core Event storage', async () => {
    const created = await t.call('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.1' },
      regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Started',
      note: 'Started container web',
      type: 'Normal',
      action: 'Start',
      eventTime: '2026-11-28T00:00:00.000000Z',
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const core = await t.call('GET', '/api/v1/namespaces/default/events/web.1');
    assert.equal(core.body.apiVersion, 'v1');
    assert.equal(core.body.message, 'Started container web');
    assert.deepEqual(core.body.involvedObject, { kind: 'Pod', name: 'web', namespace: 'default' });
    const list = await t.call('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
    assert.deepEqual((list.body.items as { note?: string }[]).map((e) => e.note), ['Started container web']);
  });

  it('exposes request and storage metrics', async () => {
    await t.call('GET', '/api/v1/namespaces/default/configmaps');
    const res = await t.api.handle(new Request('https://berth.test/metrics'), { username: 'a', groups: [] });
    const text = await res.text();
    assert.match(text, /apiserver_request_total\{verb="list",group="",resource="configmaps",code="200"\} \d+/);
    assert.match(text, /apiserver_storage_request_duration_seconds_count\{operation="create"\} \d+/);
  });

  it('serves discovery', async () => {
    const res = await t.call('GET', '/apis/apps/v1');
    const names = (res.body.resources as { name: string }[]).map((r) => r.name);
    assert.ok(names.includes('deployments') && names.includes('deployments/scale'));
  });
});

describe('ApiServer generated names', () => {
  // Suffixes come from a script, so the test decides which generated names collide.
  const suffixes: string[] = [];
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ nameSuffix: () => suffixes.shift() ?? 'zzzzz' });
  });
  after(async () => t.close());

  const create = (generateName: string): ReturnType<TestApi['call']> => t.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName } });

  it('tries a new suffix when a generated name is taken, as upstream does', async () => {
    suffixes.push('bbbbb', 'bbbbb', 'bbbbb', 'ccccc');
    const first = await create('retry-');
    assert.equal((first.body.metadata as Record<string, string>).name, 'retry-bbbbb');
    const second = await create('retry-');
    assert.equal(second.status, 201);
    assert.equal((second.body.metadata as Record<string, string>).name, 'retry-ccccc');
  });

  it('answers AlreadyExists after 8 taken names', async () => {
    suffixes.push('ddddd', ...Array<string>(8).fill('ddddd'));
    assert.equal((await create('full-')).status, 201);
    const res = await create('full-');
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, 'AlreadyExists');
    assert.equal(res.body.message, 'configmaps "full-ddddd" already exists');
    assert.equal(suffixes.length, 0);
  });

  it('cuts a long base to 58 characters so the name fits in 63', async () => {
    suffixes.push('fffff');
    const res = await create(`${'a'.repeat(70)}-`);
    assert.equal(res.status, 201);
    assert.equal((res.body.metadata as Record<string, string>).name, `${'a'.repeat(58)}fffff`);
  });
});
