import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../object.ts';
import { evaluatorFor, objectCountName, parseObjectCountName, podEvaluator, pvcEvaluator, serviceEvaluator } from './evaluators.ts';
import { formatUsage } from './resource-list.ts';

const pod = (containers: Partial<Container>[], extra: Partial<NonNullable<Pod['spec']>> = {}, status?: Pod['status']): ApiObject =>
  ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c })), ...extra }, ...(status ? { status } : {}) }) as ApiObject;
const res = (requests: Record<string, string>, limits: Record<string, string> = {}): Partial<Container> => ({ resources: { requests, limits } });
const now = Date.parse('2026-01-01T00:00:00Z');

describe('podEvaluator.usage', () => {
  const cases: { name: string; pod: ApiObject; want: Record<string, string> }[] = [
    { name: 'best effort', pod: pod([{}]), want: { 'count/pods': '1', pods: '1' } },
    {
      name: 'requests and limits of all containers',
      pod: pod([res({ cpu: '500m', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), res({ cpu: '250m', 'nvidia.com/gpu': '1' })]),
      want: { 'count/pods': '1', pods: '1', cpu: '750m', 'requests.cpu': '750m', 'limits.cpu': '1', memory: '1Gi', 'requests.memory': '1Gi', 'limits.memory': '1Gi', 'requests.nvidia.com/gpu': '1' },
    },
    {
      name: 'init containers count when larger',
      pod: pod([res({ cpu: '100m' })], { initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '2' } } }] }),
      want: { 'count/pods': '1', pods: '1', cpu: '2', 'requests.cpu': '2' },
    },
    { name: 'terminal pods count only as objects', pod: pod([res({ cpu: '1' })], {}, { phase: 'Succeeded' }), want: { 'count/pods': '1' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(formatUsage(podEvaluator.usage(c.pod, now)), c.want));

  it('stops charging a pod stuck past its deletion grace period', () => {
    const p = pod([res({ cpu: '1' })]);
    p.metadata = { ...p.metadata, deletionTimestamp: '2025-12-31T23:59:00Z', deletionGracePeriodSeconds: 30 };
    assert.deepEqual(formatUsage(podEvaluator.usage(p, now)), { 'count/pods': '1' });
  });
});

describe('podEvaluator scopes and constraints', () => {
  const scope = (scopeName: string, operator = 'Exists', values?: string[]) => ({ scopeName, operator, ...(values ? { values } : {}) });
  const cases = [
    { name: 'BestEffort', sel: scope('BestEffort'), pod: pod([{}]), want: true },
    { name: 'NotBestEffort', sel: scope('NotBestEffort'), pod: pod([{}]), want: false },
    { name: 'Terminating', sel: scope('Terminating'), pod: pod([{}], { activeDeadlineSeconds: 60 }), want: true },
    { name: 'NotTerminating', sel: scope('NotTerminating'), pod: pod([{}], { activeDeadlineSeconds: 60 }), want: false },
    { name: 'PriorityClass In', sel: scope('PriorityClass', 'In', ['high']), pod: pod([{}], { priorityClassName: 'high' }), want: true },
    { name: 'PriorityClass NotIn', sel: scope('PriorityClass', 'NotIn', ['high']), pod: pod([{}], { priorityClassName: 'high' }), want: false },
    { name: 'PriorityClass Exists without class', sel: scope('PriorityClass'), pod: pod([{}]), want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podEvaluator.matchesScope(c.sel, c.pod), c.want));

  it('requires cpu and memory to be stated when quota tracks them', () => {
    const p = pod([res({ cpu: '1' }), {}]);
    assert.equal(podEvaluator.constraints(['requests.cpu', 'limits.memory', 'pods'], p), 'must specify limits.memory for: c0,c1; requests.cpu for: c1');
    assert.equal(podEvaluator.constraints(['requests.nvidia.com/gpu', 'pods'], p), undefined);
  });
});

describe('other evaluators', () => {
  it('services count load balancers and node ports', () => {
    const svc = { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } } as ApiObject;
    assert.deepEqual(formatUsage(serviceEvaluator.usage(svc, now)), { 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '2' });
  });

  it('claims count storage overall and per class', () => {
    const pvc = { metadata: { name: 'c' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } } as ApiObject;
    assert.deepEqual(formatUsage(pvcEvaluator.usage(pvc, now)), {
      'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
    });
    assert.deepEqual(pvcEvaluator.matchingResources(['requests.storage', 'fast.storageclass.storage.k8s.io/requests.storage', 'pods']), ['requests.storage', 'fast.storageclass.storage.k8s.io/requests.storage']);
  });

  it('any other resource is counted by count/<resource>.<group>, with legacy aliases for a few', () => {
    assert.equal(objectCountName('apps', 'deployments'), 'count/deployments.apps');
    assert.deepEqual(parseObjectCountName('count/deployments.apps'), { group: 'apps', resource: 'deployments' });
    assert.deepEqual(parseObjectCountName('count/secrets'), { group: '', resource: 'secrets' });
    assert.deepEqual(formatUsage(evaluatorFor('apps', 'deployments')?.usage({}, now) ?? new Map()), { 'count/deployments.apps': '1' });
    assert.deepEqual(formatUsage(evaluatorFor('', 'secrets')?.usage({}, now) ?? new Map()), { 'count/secrets': '1', secrets: '1' });
    assert.equal(evaluatorFor('', 'events'), undefined);
    assert.equal(evaluatorFor('apps', 'deployments')?.handles('UPDATE', ''), false);
  });
});
