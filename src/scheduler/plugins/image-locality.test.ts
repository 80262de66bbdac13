import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/interface.ts';
import { newPodInfo } from '../framework/pod-info.ts';
import { newNode, newPod } from '../testing.ts';
import { runPlugin } from '../testing.ts';
import { imageLocalityPriority, newImageLocalityPlugin, normalizedImageName } from './image-locality.ts';

const mb = 1024 * 1024;

describe('normalizedImageName', () => {
  const cases = [
    { in: 'nginx', want: 'nginx:latest' },
    { in: 'nginx:1.27', want: 'nginx:1.27' },
    { in: 'registry:5000/team/app', want: 'registry:5000/team/app:latest' },
    { in: 'registry:5000/team/app:v2', want: 'registry:5000/team/app:v2' },
  ];
  for (const c of cases) it(c.in, () => assert.equal(normalizedImageName(c.in), c.want));
});

describe('imageLocalityPriority', () => {
  const cases = [
    { name: 'below 23MiB scores 0', sum: 10 * mb, containers: 1, want: 0 },
    { name: 'at 1000MiB per container scores 100', sum: 1000 * mb, containers: 1, want: 100 },
    { name: 'half way', sum: Math.round((23 + 977 / 2) * mb), containers: 1, want: 50 },
    { name: 'the threshold grows with the container count', sum: 1000 * mb, containers: 2, want: 49 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(imageLocalityPriority(c.sum, c.containers), c.want));
});

describe('ImageLocality.score', () => {
  it('prefers nodes holding the image, scaled by how many nodes have it', () => {
    const big = { names: ['registry.example/app:1'], sizeBytes: 500 * mb };
    const nodes = [newNode({ name: 'has', images: [big] }), newNode({ name: 'also', images: [big] }), newNode({ name: 'none' })];
    // 500MiB × 2/3 of the nodes = 333MiB → (333 - 23) × 100 / 977 = 31.
    assert.deepEqual(runPlugin(newImageLocalityPlugin(), nodes).scores(newPod({ image: 'registry.example/app:1' })), { has: 31, also: 31, none: 0 });
  });

  it('matches an untagged image reference against the :latest name the node reports', () => {
    const nodes = [newNode({ name: 'has', images: [{ names: ['busybox:latest'], sizeBytes: 1000 * mb }] })];
    assert.deepEqual(runPlugin(newImageLocalityPlugin(), nodes).scores(newPod({ image: 'busybox' })), { has: 100 });
  });

  it('sits the cycle out when no node holds any of the pod\'s images, and scores when one does', () => {
    const cases = [
      { name: 'no node reports images', images: [], want: 'Skip' },
      { name: 'nodes hold other images', images: ['other:1'], want: 'Skip' },
      { name: 'a node holds the image', images: ['busybox:latest'], want: 'Success' },
    ];
    for (const c of cases) {
      const nodes = [newNode({ name: 'a', images: c.images.map((n) => ({ names: [n], sizeBytes: 100 * mb })) }), newNode({ name: 'b' })];
      const run = runPlugin(newImageLocalityPlugin(), nodes);
      const pod = newPod({ image: 'busybox' });
      const status = newImageLocalityPlugin().preScore?.(new CycleState(run.snapshot, newPodInfo(pod)), pod, run.snapshot.list());
      assert.equal(status?.code, c.want, c.name);
    }
  });
});
