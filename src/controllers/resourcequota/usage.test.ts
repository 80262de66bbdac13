import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { quotaStatus } from './usage.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const pod = (name: string, cpu: string | null, extra: Record<string, unknown> = {}): ApiObject => ({
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
  ...extra,
});
const objects: Record<string, ApiObject[]> = {
  '/pods': [pod('a', '500m'), pod('b', '1'), pod('done', '4', { status: { phase: 'Succeeded' } }), pod('be', null)],
  '/services': [{ metadata: { name: 's', namespace: 'ns' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }],
  'apps/deployments': [{ metadata: { name: 'd1', namespace: 'ns' } }, { metadata: { name: 'd2', namespace: 'ns' } }],
};
const quota = (hard: Record<string, string>, spec: Partial<NonNullable<ResourceQuota['spec']>> = {}, used?: Record<string, string>): ResourceQuota =>
  ({ metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...spec }, ...(used ? { status: { hard, used } } : {}) });

describe('quotaStatus', () => {
  const cases: { name: string; rq: ResourceQuota; want: Record<string, string> }[] = [
    { name: 'compute and counts; terminal pods hold no compute', rq: quota({ pods: '10', 'requests.cpu': '4', 'count/pods': '10' }), want: { 'count/pods': '4', pods: '3', 'requests.cpu': '1500m' } },
    { name: 'other kinds by count/', rq: quota({ 'count/deployments.apps': '5', services: '2', 'services.nodeports': '3' }), want: { 'count/deployments.apps': '2', services: '1', 'services.nodeports': '1' } },
    { name: 'a BestEffort scope counts only best-effort pods', rq: quota({ pods: '10' }, { scopes: ['BestEffort'] }), want: { pods: '1' } },
    { name: 'a NotBestEffort scope the others', rq: quota({ pods: '10' }, { scopes: ['NotBestEffort'] }), want: { pods: '2' } },
    { name: 'names nobody measures keep their usage, names no longer hard go', rq: quota({ pods: '10', 'example.com/thing': '1' }, {}, { 'example.com/thing': '1', secrets: '3' }), want: { pods: '3', 'example.com/thing': '1' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = quotaStatus(c.rq, (ev) => objects[`${ev.group}/${ev.resource}`] ?? [], now);
      assert.deepEqual(status, { hard: c.rq.spec?.hard, used: c.want });
    });
  }
});
