import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Container } from '../cri/types.ts';
import { cadvisorLabels, readContainerLimits, specMemoryValue } from './cadvisor-metrics.ts';

describe('readContainerLimits', () => {
  let fs: string;
  const path = '/berth/podu1/c1';
  const write = (file: string, text: string): void => {
    mkdirSync(join(fs, file, '..'), { recursive: true });
    writeFileSync(join(fs, file), text);
  };
  before(() => (fs = mkdtempSync(join(tmpdir(), 'berth-cgfs-'))));
  after(() => rmSync(fs, { recursive: true, force: true }));

  it('reads cgroup v1 limits; an unlimited memory limit and quota are 0', async () => {
    write(`memory${path}/memory.limit_in_bytes`, '67108864\n');
    write(`cpu${path}/cpu.shares`, '102\n');
    write(`cpu${path}/cpu.cfs_quota_us`, '50000\n');
    write(`cpu${path}/cpu.cfs_period_us`, '100000\n');
    assert.deepEqual(await readContainerLimits(fs, path), { memoryBytes: 67108864, cpuShares: 102, cpuQuota: 50000, cpuPeriod: 100000 });
    write(`memory${path}/memory.limit_in_bytes`, '9223372036854771712\n');
    write(`cpu${path}/cpu.cfs_quota_us`, '-1\n');
    assert.deepEqual(await readContainerLimits(fs, path), { memoryBytes: 0, cpuShares: 102, cpuQuota: 0, cpuPeriod: 100000 });
  });

  it('reads cgroup v2 limits, weight converted back to shares', async () => {
    const v2 = mkdtempSync(join(tmpdir(), 'berth-cgfs-'));
    try {
      mkdirSync(join(v2, path), { recursive: true });
      writeFileSync(join(v2, path, 'memory.max'), 'max\n');
      writeFileSync(join(v2, path, 'cpu.max'), '20000 100000\n');
      writeFileSync(join(v2, path, 'cpu.weight'), '4\n');
      assert.deepEqual(await readContainerLimits(v2, path), { memoryBytes: 0, cpuShares: 81, cpuQuota: 20000, cpuPeriod: 100000 });
    } finally {
      rmSync(v2, { recursive: true, force: true });
    }
  });

  it('specMemoryValue keeps real limits', () => assert.equal(specMemoryValue(1024), 1024));
});

describe('cadvisorLabels', () => {
  const c: Container = {
    id: 'abc', podSandboxId: 's', imageRef: 'sha256:img', state: 'CONTAINER_RUNNING', createdAt: '1', imageId: '', annotations: {},
    labels: { 'io.kubernetes.container.name': 'main', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': 'u1' },
  };
  it('names the container as cAdvisor does, with the image by its tag', () => {
    const images = [{ id: 'sha256:img', repoTags: ['localhost/busybox:1.35'], repoDigests: [], size: '1', username: '', pinned: false }];
    assert.deepEqual(cadvisorLabels(c, '/berth/podu1/abc', images), { container: 'main', id: '/berth/podu1/abc', image: 'localhost/busybox:1.35', name: 'abc', namespace: 'default', pod: 'web' });
  });
  it('falls back to the image reference', () => assert.equal(cadvisorLabels(c, '/x', []).image, 'sha256:img'));
});
