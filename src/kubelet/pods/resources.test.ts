import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerResources } from './resources.ts';

const gi = 1024 ** 3;
const podOf = (c: Container): Pod => ({ spec: { containers: [c] } });

describe('containerResources', () => {
  const cases: { name: string; c: Container; want: Record<string, string> }[] = [
    { name: 'best effort', c: { name: 'a' }, want: { cpuShares: '2', oomScoreAdj: '1000' } },
    {
      name: 'guaranteed',
      c: { name: 'a', resources: { requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } } },
      want: { cpuShares: '512', cpuPeriod: '100000', cpuQuota: '50000', memoryLimitInBytes: String(64 * 1024 * 1024), oomScoreAdj: '-997' },
    },
    { name: 'burstable by memory request', c: { name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' } } }, want: { cpuShares: '1024', oomScoreAdj: '750' } },
    { name: 'tiny cpu limit gets the minimum quota', c: { name: 'a', resources: { limits: { cpu: '1m' }, requests: { cpu: '1m' } } }, want: { cpuShares: '2', cpuPeriod: '100000', cpuQuota: '1000', oomScoreAdj: '999' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(containerResources(podOf(c.c), c.c, 4 * gi), c.want));
});
