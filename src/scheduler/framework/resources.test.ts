import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from 'kubernetes-types/core/v1.js';
import { newPod } from '../testing.ts';
import { podRequests, resourceFromList } from './resources.ts';

const c = (name: string, requests: Record<string, string>, restartPolicy?: string): Container => ({
  name,
  image: 'i',
  resources: { requests },
  ...(restartPolicy ? { restartPolicy } : {}),
});
const Mi = 1024 * 1024;

describe('podRequests', () => {
  const cases = [
    { name: 'sum of app containers', containers: [c('a', { cpu: '500m', memory: '1Gi' }), c('b', { cpu: '250m', memory: '512Mi' })], init: [], want: { cpu: 750, memory: 1536 * Mi } },
    {
      name: 'a classic init container larger than the app containers wins',
      containers: [c('a', { cpu: '500m', memory: '1Gi' })],
      init: [c('i', { cpu: '2', memory: '256Mi' })],
      want: { cpu: 2000, memory: 1024 * Mi },
    },
    {
      name: 'native sidecars add to the app containers',
      containers: [c('app', { memory: '1Gi' })],
      init: [c('log-collector', { memory: '512Mi' }, 'Always')],
      want: { cpu: 0, memory: 1536 * Mi },
    },
    {
      name: 'a classic init container runs next to the sidecars started before it',
      containers: [c('app', { memory: '100Mi' })],
      init: [c('proxy', { memory: '200Mi' }, 'Always'), c('migrate', { memory: '1Gi' }), c('late', { memory: '50Mi' }, 'Always')],
      // max(100+200+50 running together, 1024+200 while migrating).
      want: { cpu: 0, memory: 1224 * Mi },
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const r = podRequests(newPod({ containers: t.containers, initContainers: t.init }));
      assert.deepEqual({ cpu: r.milliCPU, memory: r.memory }, t.want);
    });
  }

  it('adds pod overhead', () => {
    const pod = newPod({ cpu: '1' });
    pod.spec = { ...(pod.spec ?? { containers: [] }), overhead: { cpu: '250m' } };
    assert.equal(podRequests(pod).milliCPU, 1250);
  });

  it('counts 100m and 200Mi for containers without requests when asked (scoring)', () => {
    const r = podRequests(newPod({ containers: [c('a', {}), c('b', { cpu: '1' })] }), { nonMissing: true });
    assert.deepEqual({ cpu: r.milliCPU, memory: r.memory }, { cpu: 1100, memory: 400 * Mi });
  });

  it('keeps extended resources apart and ignores unknown unprefixed names', () => {
    const r = podRequests(newPod({ requests: { 'nvidia.com/gpu': '2', bogus: '1', 'hugepages-2Mi': '4Mi' } }));
    assert.deepEqual([...r.scalar], [['nvidia.com/gpu', 2], ['hugepages-2Mi', 4 * Mi]]);
  });
});

describe('resourceFromList', () => {
  it('parses a node allocatable, rounding cpu to millicores and everything else up to units', () => {
    const r = resourceFromList({ cpu: '3500m', memory: '7.5Gi', pods: '110', 'ephemeral-storage': '1e3', 'nvidia.com/gpu': '4' });
    assert.deepEqual(r, { milliCPU: 3500, memory: 7.5 * 1024 * Mi, ephemeralStorage: 1000, allowedPodNumber: 110, scalar: new Map([['nvidia.com/gpu', 4]]) });
  });
});
