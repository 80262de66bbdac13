import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CriError } from '../kubelet/cri/errors.ts';
import { startTestContainerd, type TestContainerd } from '../testing/containerd.ts';
import { formatImages, humanSize, runImage, splitReference } from './image.ts';

const berth = join(import.meta.dirname, '..', '..', 'bin', 'berth');

describe('image table helpers', () => {
  const sizes = [
    { in: 999, want: '999B' },
    { in: 1_057_228, want: '1.06MB' },
    { in: 322_743, want: '323kB' },
    { in: 5_000_000_000, want: '5GB' },
  ];
  for (const c of sizes) it(`humanSize ${c.in}`, () => assert.equal(humanSize(c.in), c.want));
  const refs: { in: string; want: [string, string] }[] = [
    { in: 'localhost/busybox:1.35', want: ['localhost/busybox', '1.35'] },
    { in: '127.0.0.1:5000/web', want: ['127.0.0.1:5000/web', 'latest'] },
    { in: 'localhost/busybox@sha256:abc', want: ['localhost/busybox', '<none>'] },
  ];
  for (const c of refs) it(`splitReference ${c.in}`, () => assert.deepEqual(splitReference(c.in), c.want));
  it('formats images like crictl images', () => {
    const out = formatImages([{ id: 'sha256:0123456789abcdef', repoTags: ['localhost/pause:3.9'], repoDigests: [], size: '322743', username: '', pinned: false }]);
    assert.deepEqual(out.split('\n').map((l) => l.split(/\s{2,}/)), [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ['localhost/pause', '3.9', '0123456789abc', '323kB'], ['']]);
  });
});

describe('berth image against containerd', () => {
  let env: TestContainerd;
  let out = '';
  const capture = (s: string): void => {
    out += s;
  };
  const image = async (...args: string[]): Promise<string> => {
    out = '';
    await runImage([...args, '--runtime-endpoint', env.endpoint], capture);
    return out;
  };
  before(async () => {
    env = await startTestContainerd();
  });
  after(async () => {
    await env?.teardown();
  });

  it('builds and imports the test images, which bin/berth then lists', async () => {
    const built = await image('build-test-images', join(env.dir, 'cli-images'));
    assert.match(built, /^built localhost\/pause:3.9 -> .*pause.oci.tar$/m);
    assert.match(built, /^imported localhost\/busybox:1.35$/m);
    const { stdout } = await promisify(execFile)(berth, ['image', 'ls', '--runtime-endpoint', env.endpoint]);
    assert.match(stdout, /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/m);
    assert.match(stdout, /^localhost\/busybox\s+1.35\s+[0-9a-f]{13}\s+[\d.]+MB$/m);
    assert.match(stdout, /^localhost\/pause\s+3.9\s+/m);
  });

  it('removes an image, refuses an absent one, and imports it back from its archive', async () => {
    assert.match(await image('rm', 'localhost/busybox:1.35'), /^deleted localhost\/busybox:1.35 \(sha256:[0-9a-f]{64}\)$/m);
    assert.doesNotMatch(await image('ls'), /busybox/);
    await assert.rejects(image('rm', 'localhost/busybox:1.35'), (err: unknown) => err instanceof CriError && /no such image/.test(err.message));
    assert.equal(await image('import', join(env.dir, 'cli-images', 'busybox.oci.tar')), 'imported localhost/busybox:1.35\n');
    assert.match(await image('ls'), /^localhost\/busybox\s+1.35/m);
  });

  it('says where it looked when containerd is not there', async () => {
    await assert.rejects(runImage(['ls', '--runtime-endpoint', join(env.dir, 'nothing.sock')], capture), /UNAVAILABLE.*is containerd running at/);
  });
});
