import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerUsages, CpuMeters, cpuUsageAnnotation, defaultContainerUsage, memoryUsageAnnotation } from './usage.ts';

const pod = (annotations: Record<string, string>, containers = ['app', 'log']): Pod => ({ metadata: { annotations }, spec: { containers: containers.map((name) => ({ name })) } });
const Mi = 2 ** 20;
const d = defaultContainerUsage;

describe('containerUsages', () => {
  const cases = [
    { name: 'defaults', pod: pod({}), want: { app: [d.cpuNanoCores, d.memoryBytes], log: [d.cpuNanoCores, d.memoryBytes] } },
    { name: 'pod total split evenly', pod: pod({ [cpuUsageAnnotation]: '400m', [memoryUsageAnnotation]: '64Mi' }), want: { app: [2e8, 32 * Mi], log: [2e8, 32 * Mi] } },
    { name: 'per container, others default', pod: pod({ [cpuUsageAnnotation]: 'app=1.5, nope=3' }), want: { app: [1.5e9, d.memoryBytes], log: [d.cpuNanoCores, d.memoryBytes] } },
    { name: 'unparseable ignored', pod: pod({ [cpuUsageAnnotation]: 'lots', [memoryUsageAnnotation]: 'app=-1Mi' }), want: { app: [d.cpuNanoCores, d.memoryBytes], log: [d.cpuNanoCores, d.memoryBytes] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = Object.fromEntries([...containerUsages(c.pod)].map(([k, u]) => [k, [u.cpuNanoCores, u.memoryBytes]]));
      assert.deepEqual(got, c.want);
    });
  }
});

describe('CpuMeters', () => {
  it('integrates the rate since the previous read, restarts with a new start and forgets unread keys', () => {
    const m = new CpuMeters();
    assert.equal(m.read('c', 0, 5e8, 10_000), 5e9);
    assert.equal(m.read('c', 0, 1e9, 12_000), 7e9);
    assert.equal(m.read('c', 11_000, 1e9, 12_000), 1e9, 'a new start time is a new counter');
    m.read('other', 0, 1, 1);
    m.sweep();
    m.read('c', 11_000, 1e9, 13_000);
    m.sweep();
    assert.equal(m.size, 1);
  });
});
