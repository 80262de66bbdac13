import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { admissionAttrs, fakeObjects, refusal } from '../../testing/admission.ts';
import { ResourceQuotaAdmission } from './resource-quota.ts';

const rqs = { group: '', resource: 'resourcequotas' };
const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };
const quota = (name: string, hard: Record<string, string>, used: Record<string, string> | undefined, spec: Partial<NonNullable<ResourceQuota['spec']>> = {}): ApiObject =>
  ({ metadata: { name, namespace: 'ns' }, spec: { hard, ...spec }, status: { hard, ...(used ? { used } : {}) } }) as ApiObject;
const pod = (name: string, containers: Partial<Container>[], extra: Record<string, unknown> = {}): ApiObject =>
  ({ metadata: { name, namespace: 'ns' }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c })), ...extra } }) as ApiObject;
const res = (requests: Record<string, string>, limits: Record<string, string> = {}): Partial<Container> => ({ resources: { requests, limits } });

describe('ResourceQuota admission', () => {
  const cases: { name: string; quotas: ApiObject[]; resource?: string; object: ApiObject; oldObject?: ApiObject; refused?: string; used?: Record<string, Record<string, string>> }[] = [
    {
      name: 'charges a pod within quota',
      quotas: [quota('compute', { 'requests.cpu': '2', pods: '10' }, { 'requests.cpu': '1', pods: '1' })],
      object: pod('x', [res({ cpu: '500m' })]),
      used: { compute: { pods: '2', 'requests.cpu': '1500m' } },
    },
    {
      name: 'refuses a pod over quota with upstream message',
      quotas: [quota('compute', { 'requests.cpu': '2' }, { 'requests.cpu': '1' })],
      object: pod('x', [res({ cpu: '2' })]),
      refused: 'pods "x" is forbidden: exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2',
    },
    {
      name: 'refuses a pod that does not state a tracked resource',
      quotas: [quota('compute', { 'requests.memory': '1Gi' }, { 'requests.memory': '0' })],
      object: pod('x', [{}]),
      refused: 'pods "x" is forbidden: failed quota: compute: must specify requests.memory for: c0',
    },
    {
      name: 'refuses while usage is unknown',
      quotas: [quota('compute', { pods: '1' }, undefined)],
      object: pod('x', [{}]),
      refused: 'pods "x" is forbidden: status unknown for quota: compute, resources: pods',
    },
    {
      name: 'extended resources',
      quotas: [quota('gpu', { 'requests.nvidia.com/gpu': '1' }, { 'requests.nvidia.com/gpu': '1' })],
      object: pod('x', [res({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' })]),
      refused: 'pods "x" is forbidden: exceeded quota: gpu, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=1',
    },
    {
      name: 'a BestEffort-scoped quota ignores pods with requests',
      quotas: [quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] })],
      object: pod('x', [res({ cpu: '1' })]),
    },
    {
      name: 'a BestEffort-scoped quota limits best-effort pods',
      quotas: [quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] })],
      object: pod('x', [{}]),
      refused: 'pods "x" is forbidden: exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0',
    },
    {
      name: 'a PriorityClass scope selector',
      quotas: [quota('high', { pods: '1' }, { pods: '1' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } })],
      object: pod('x', [{}], { priorityClassName: 'low' }),
    },
    {
      name: 'object counts of other kinds',
      quotas: [quota('objects', { 'count/deployments.apps': '1' }, { 'count/deployments.apps': '1' })],
      resource: 'deployments.apps',
      object: { metadata: { name: 'web', namespace: 'ns' }, spec: {} },
      refused: 'deployments.apps "web" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    },
    {
      name: 'a service turning into a load balancer is charged the difference',
      quotas: [quota('svc', { 'services.loadbalancers': '0', services: '5' }, { 'services.loadbalancers': '0', services: '1' })],
      resource: 'services',
      object: { metadata: { name: 's', namespace: 'ns' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
      oldObject: { metadata: { name: 's', namespace: 'ns', resourceVersion: '5' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } },
      refused: 'services "s" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    },
    {
      name: 'several quotas are all charged',
      quotas: [quota('a', { pods: '5' }, { pods: '1' }), quota('b', { 'count/pods': '5' }, { 'count/pods': '3' })],
      object: pod('x', [{}]),
      used: { a: { pods: '2' }, b: { 'count/pods': '4' } },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const objects = fakeObjects(c.quotas.map((q) => [rqs, q]));
      const plugin = new ResourceQuotaAdmission(objects, clock);
      const a = admissionAttrs(c.oldObject ? 'UPDATE' : 'CREATE', c.resource ?? 'pods', c.object, c.oldObject ? { oldObject: c.oldObject } : {});
      assert.equal(await refusal(() => plugin.validate(a)), c.refused);
      for (const [name, used] of Object.entries(c.used ?? {})) {
        const q = (await objects.get(rqs, 'ns', name)) as ResourceQuota;
        assert.deepEqual(q.status?.used, used);
      }
      if (c.refused) assert.equal(objects.writes, 0);
    });
  }

  it('checks but does not charge dry runs, and ignores pod updates', async () => {
    const objects = fakeObjects([[rqs, quota('compute', { pods: '2' }, { pods: '1' })]]);
    const plugin = new ResourceQuotaAdmission(objects, clock);
    await plugin.validate(admissionAttrs('CREATE', 'pods', pod('x', [{}]), { dryRun: true }));
    await plugin.validate(admissionAttrs('UPDATE', 'pods', pod('x', [{}]), { oldObject: pod('x', [{}]) }));
    assert.equal(objects.writes, 0);
  });

  it('decides again against the quota it finds when writing', async () => {
    // The cached quota still has room, the stored one (what updateStatus sees) no longer does.
    const objects = fakeObjects([[rqs, quota('compute', { pods: '2' }, { pods: '1' })]]);
    const stored = quota('compute', { pods: '2' }, { pods: '2' });
    const plugin = new ResourceQuotaAdmission({ ...objects, updateStatus: async (_gr, _ns, _name, fn) => fn(structuredClone(stored)) }, clock);
    assert.equal(await refusal(() => plugin.validate(admissionAttrs('CREATE', 'pods', pod('x', [{}])))), 'pods "x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
  });
});
