import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestReference, parseImported, socketPath } from './import.ts';

describe('parseImported', () => {
  it('reads names and digests from ctr import output', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const out = `unpacking localhost/busybox:1.35 (${d})...done\nunpacking docker.io/library/nginx:1 (sha256:${'b'.repeat(64)})...done\n`;
    assert.deepEqual(parseImported(out), [{ name: 'localhost/busybox:1.35', digest: d }, { name: 'docker.io/library/nginx:1', digest: `sha256:${'b'.repeat(64)}` }]);
    assert.deepEqual(parseImported('ctr: nothing\n'), []);
  });
});

describe('digestReference', () => {
  const cases = [
    { name: 'localhost/busybox:1.35', want: 'localhost/busybox@sha256:x' },
    { name: '127.0.0.1:5000/web', want: '127.0.0.1:5000/web@sha256:x' },
    { name: 'localhost/busybox@sha256:y', want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(digestReference(c.name, 'sha256:x'), c.want));
});

describe('socketPath', () => {
  for (const e of ['unix:///run/c.sock', 'unix:/run/c.sock', '/run/c.sock']) it(e, () => assert.equal(socketPath(e), '/run/c.sock'));
});
