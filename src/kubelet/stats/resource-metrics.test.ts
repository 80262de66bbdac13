import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ContainerStats } from '../cri/types.ts';
import { containerSample, nodeUsagePoint } from './resource-metrics.ts';

const labels = { 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.name': 'p', 'io.kubernetes.container.name': 'c' };

describe('containerSample', () => {
  const cases: { name: string; stats: ContainerStats; want: unknown }[] = [
    {
      name: 'CPU and working set with the CPU timestamp',
      stats: { attributes: { id: 'x', labels, annotations: {} }, cpu: { timestamp: '1700000000123456789', usageCoreNanoSeconds: { value: '2500000000' } }, memory: { timestamp: '1', workingSetBytes: { value: '1048576' } } },
      want: { namespace: 'ns', pod: 'p', container: 'c', point: { timestampMs: 1700000000123, cpuNanoSeconds: 2.5e9, memoryBytes: 1048576, startTimeMs: 5 } },
    },
    { name: 'no CPU figure yet', stats: { attributes: { id: 'x', labels, annotations: {} }, memory: { timestamp: '1', workingSetBytes: { value: '1' } } }, want: undefined },
    { name: 'not a pod container', stats: { attributes: { id: 'x', labels: {}, annotations: {} }, cpu: { timestamp: '1', usageCoreNanoSeconds: { value: '1' } }, memory: { timestamp: '1', workingSetBytes: { value: '1' } } }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(containerSample(c.stats, 5), c.want));
});

describe('nodeUsagePoint', () => {
  it('reads cgroup v1 root counters: working set is usage minus inactive file pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cg-'));
    try {
      writeFileSync(join(dir, 'cpuacct.usage'), '123456789\n');
      writeFileSync(join(dir, 'memory.usage_in_bytes'), '1000000\n');
      writeFileSync(join(dir, 'memory.stat'), 'cache 5\ntotal_cache 9\ntotal_inactive_file 250000\n');
      assert.deepEqual(await nodeUsagePoint(42, { cpuacct: dir, memory: dir }), { timestampMs: 42, cpuNanoSeconds: 123456789, memoryBytes: 750000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to /proc without a cgroup v1 hierarchy', async () => {
    const p = await nodeUsagePoint(7, { cpuacct: '/nonexistent', memory: '/nonexistent' });
    assert.equal(p.timestampMs, 7);
    assert.ok(p.cpuNanoSeconds > 0 && p.memoryBytes > 0, JSON.stringify(p));
  });
});
