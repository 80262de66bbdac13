import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

// The admission chain through the API server's REST handlers: what plugins add is stored, what they refuse is a
// Kubernetes Status with upstream's code and message.

describe('admission through the API', () => {
  let t: TestApi;
  const ns = '/api/v1/namespaces/default';
  before(async () => {
    t = await startTestApi();
  });
  after(async () => t.close());

  const createPod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}, query = '') =>
    t.call('POST', `${ns}/pods${query}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'nginx', image: 'nginx' }], ...spec } });

  it('stores what upstream stores for kubectl run nginx --image=nginx', async () => {
    const res = await createPod('plain');
    assert.equal(res.status, 201);
    const spec = (res.body as Pod).spec;
    assert.equal(spec?.serviceAccountName, 'default');
    assert.equal(spec?.priority, 0);
    assert.equal(spec?.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(spec?.tolerations, [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ]);
    assert.equal(spec?.containers[0]?.resources && Object.keys(spec.containers[0].resources).length, 0);
  });

  it('serves the built-in priority classes and resolves them', async () => {
    const pcs = await t.call('GET', '/apis/scheduling.k8s.io/v1/priorityclasses');
    assert.deepEqual((pcs.body.items as { metadata: { name: string }; value: number }[]).map((p) => [p.metadata.name, p.value]).sort(), [['system-cluster-critical', 2000000000], ['system-node-critical', 2000001000]]);
    const critical = await createPod('critical', { priorityClassName: 'system-node-critical' });
    assert.equal((critical.body as Pod).spec?.priority, 2000001000);
    const unknown = await createPod('unknown', { priorityClassName: 'gold' });
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.reason, 'Forbidden');
    assert.equal(unknown.body.message, 'pods "unknown" is forbidden: no PriorityClass with name gold was found');
  });

  it('applies LimitRange defaults visibly and refuses pods outside its range', async () => {
    const lr = await t.call('POST', `${ns}/limitranges`, {
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'cpu' },
      spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '500m' }, defaultRequest: { cpu: '250m' } }] },
    });
    assert.equal(lr.status, 201);
    const res = await createPod('defaulted');
    assert.equal(res.status, 201);
    const pod = res.body as Pod;
    assert.deepEqual(pod.spec?.containers[0]?.resources, { limits: { cpu: '500m' }, requests: { cpu: '250m' } });
    assert.equal(pod.metadata?.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container nginx; cpu limit for container nginx');
    const stored = await t.call('GET', `${ns}/pods/defaulted`);
    assert.deepEqual((stored.body as Pod).spec?.containers[0]?.resources, { limits: { cpu: '500m' }, requests: { cpu: '250m' } });

    const big = await createPod('big', { containers: [{ name: 'nginx', image: 'nginx', resources: { limits: { cpu: '2' } } }] });
    assert.equal(big.status, 403);
    assert.equal(big.body.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    assert.deepEqual(big.body.details, { name: 'big', kind: 'pods' });
    assert.equal((await t.call('DELETE', `${ns}/limitranges/cpu`)).status, 200);
  });

  it('refuses writes over quota with 403, charges status.used, and leaves it alone on dry runs', async () => {
    const rq = await t.call('POST', `${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '2', pods: '10' } } });
    assert.equal(rq.status, 201);
    // Admission enforces status.hard, which the controller (not running here) fills in; until then nothing is limited.
    const cpu1 = { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1' } } }] };
    assert.equal((await createPod('early', cpu1)).status, 201);
    const hard = { 'requests.cpu': '2', pods: '10' };
    const rv = async (): Promise<ApiObject> => (await t.call('GET', `${ns}/resourcequotas/compute`)).body as ApiObject;
    assert.equal((await t.call('PUT', `${ns}/resourcequotas/compute/status`, { ...(await rv()), status: { hard } })).status, 200);
    const unknown = await createPod('unknown-usage', cpu1);
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.message, 'pods "unknown-usage" is forbidden: status unknown for quota: compute, resources: pods,requests.cpu');

    const status = { hard, used: { 'requests.cpu': '1', pods: '1' } };
    assert.equal((await t.call('PUT', `${ns}/resourcequotas/compute/status`, { ...(await rv()), status })).status, 200);
    const over = await createPod('over', { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' } } }] });
    assert.equal(over.status, 403);
    assert.equal(over.body.reason, 'Forbidden');
    assert.equal(over.body.message, 'pods "over" is forbidden: exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2');
    const missing = await createPod('missing');
    assert.equal(missing.body.message, 'pods "missing" is forbidden: failed quota: compute: must specify requests.cpu for: nginx');

    const fits = { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '500m' } } }] };
    assert.equal((await createPod('dry', fits, '?dryRun=All')).status, 201);
    assert.deepEqual(((await t.call('GET', `${ns}/resourcequotas/compute`)).body as ResourceQuota).status?.used, { 'requests.cpu': '1', pods: '1' });
    assert.equal((await createPod('fits', fits)).status, 201);
    assert.deepEqual(((await t.call('GET', `${ns}/resourcequotas/compute`)).body as ResourceQuota).status?.used, { 'requests.cpu': '1500m', pods: '2' });
  });

  it('refuses content in namespaces that do not exist and the deletion of system namespaces', async () => {
    const res = await t.call('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'c' } } as ApiObject);
    assert.equal(res.status, 404);
    const del = await t.call('DELETE', '/api/v1/namespaces/kube-system');
    assert.equal(del.status, 403);
    assert.equal(del.body.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });
});
