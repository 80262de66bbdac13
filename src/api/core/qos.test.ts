import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { podQosClass } from './qos.ts';

function newPod(containers: Partial<Container>[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c })), ...extra } };
}

const res = (requests: Record<string, string>, limits: Record<string, string> = {}) => ({ resources: { requests, limits } });

describe('podQosClass', () => {
  const cases = [
    { name: 'no resources', pod: newPod([{}]), want: 'BestEffort' },
    { name: 'zero requests only', pod: newPod([res({ cpu: '0' })]), want: 'BestEffort' },
    { name: 'requests equal limits for cpu and memory', pod: newPod([res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })]), want: 'Guaranteed' },
    { name: 'equal in other units', pod: newPod([res({ cpu: '1000m', memory: '1024Mi' }, { cpu: '1', memory: '1Gi' })]), want: 'Guaranteed' },
    { name: 'limit without memory', pod: newPod([res({ cpu: '1' }, { cpu: '1' })]), want: 'Burstable' },
    { name: 'requests below limits', pod: newPod([res({ cpu: '500m', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })]), want: 'Burstable' },
    { name: 'one container without limits', pod: newPod([res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), {}]), want: 'Burstable' },
    { name: 'extended resources do not count', pod: newPod([res({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '1' })]), want: 'BestEffort' },
    { name: 'init containers count', pod: newPod([res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], { initContainers: [{ name: 'i', image: 'busybox' }] }), want: 'Burstable' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podQosClass(c.pod), c.want));
});

