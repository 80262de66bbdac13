import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { ResourceQuotaController } from './controller.ts';
import { systemClock } from '../../clock.ts';

describe('ResourceQuotaController against a control plane', () => {
  let env: ControllerHarness;
  const ns = 'quota-test';

  before(async () => {
    env = await startHarness(systemClock, { disable: ['resourcequota', 'root-ca-cert-publisher'] });
    const ctrl = new ResourceQuotaController(env.deps, { resyncPeriodMs: 60_000 });
    env.run(ctrl);
    await env.client.resource('v1', 'namespaces').create({ metadata: { name: ns } });
  });
  after(async () => env.stop());

  const quotas = () => env.client.resource<ResourceQuota & ApiObject>('v1', 'resourcequotas');
  const pods = () => env.client.resource('v1', 'pods');
  const usedOf = async (name: string): Promise<Record<string, string> | undefined> => (await quotas().get(ns, name)).status?.used as Record<string, string> | undefined;
  const waitUsed = (name: string, want: Record<string, string>) =>
    waitFor(`${name} used ${JSON.stringify(want)}`, async () => {
      const used = await usedOf(name);
      return used && Object.entries(want).every(([k, v]) => used[k] === v) ? used : undefined;
    });
  const newPod = (name: string, cpu: string): ApiObject => ({ metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu, memory: '64Mi' }, limits: { cpu, memory: '64Mi' } } }] } });

  it('fills status on creation, admission charges creates, deletes and finished pods give quota back', async () => {
    await quotas().create({ metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '3', 'requests.cpu': '2', 'count/deployments.apps': '1' } } });
    await waitUsed('compute', { pods: '0', 'requests.cpu': '0', 'count/deployments.apps': '0' });
    const q = await quotas().get(ns, 'compute');
    assert.deepEqual(q.status?.hard, { pods: '3', 'requests.cpu': '2', 'count/deployments.apps': '1' });

    await pods().create(newPod('a', '1'));
    await pods().create(newPod('b', '500m'));
    assert.deepEqual(await usedOf('compute'), { pods: '2', 'requests.cpu': '1500m', 'count/deployments.apps': '0' });

    await assert.rejects(pods().create(newPod('c', '1')), (err: unknown) => {
      assert.ok(isApiError(err, 'Forbidden'));
      assert.equal(err.message, 'pods "c" is forbidden: exceeded quota: compute, requested: requests.cpu=1, used: requests.cpu=1500m, limited: requests.cpu=2');
      return true;
    });

    await pods().delete(ns, 'a');
    await waitUsed('compute', { pods: '1', 'requests.cpu': '500m' });
    await pods().create(newPod('c', '1'));
    assert.equal((await usedOf('compute'))?.['requests.cpu'], '1500m');

    // A finished pod holds no compute quota any more.
    const b = await pods().get(ns, 'b');
    await pods().updateStatus({ ...b, status: { phase: 'Succeeded' } });
    await waitUsed('compute', { pods: '1', 'requests.cpu': '1' });
  });

  it('counts other kinds once a quota names them, and follows spec changes', async () => {
    const deploy = (name: string): ApiObject => ({
      metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await env.client.resource('apps/v1', 'deployments').create(deploy('one'));
    await waitUsed('compute', { 'count/deployments.apps': '1' });
    await assert.rejects(env.client.resource('apps/v1', 'deployments').create(deploy('two')), /exceeded quota: compute, requested: count\/deployments.apps=1, used: count\/deployments.apps=1, limited: count\/deployments.apps=1/);

    const q = await quotas().get(ns, 'compute');
    await quotas().update({ ...q, spec: { hard: { ...q.spec?.hard, 'count/deployments.apps': '2', configmaps: '5' } } });
    // The root-CA publisher is off here, so a namespace starts with no config maps.
    await waitUsed('compute', { 'count/deployments.apps': '1', configmaps: '0' });
    assert.equal((await quotas().get(ns, 'compute')).status?.hard?.['configmaps'], '5');
    await env.client.resource('apps/v1', 'deployments').create(deploy('two'));
  });

  it('never lets concurrent creates past the quota', async () => {
    await quotas().create({ metadata: { name: 'count', namespace: ns }, spec: { hard: { 'count/configmaps': '5' } } });
    await waitUsed('count', { 'count/configmaps': '0' });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => env.client.resource('v1', 'configmaps').create({ metadata: { name: `cm-${i}`, namespace: ns } })));
    const created = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(created, 5);
    for (const r of results) if (r.status === 'rejected') assert.ok(isApiError(r.reason, 'Forbidden'), String(r.reason));
    assert.equal((await usedOf('count'))?.['count/configmaps'], '5');
    assert.equal((await env.client.resource('v1', 'configmaps').list(ns)).items.length, 5);
  });
});
