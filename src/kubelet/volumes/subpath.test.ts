import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { containerEnvForExpansion, expandSubPathExpr, resolveSubPath, SubPathError } from './subpath.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-sp-'));
after(() => rmSync(root, { recursive: true, force: true }));
const vol = join(root, 'vol');
mkdirSync(join(vol, 'data/inner'), { recursive: true });
chmodSync(vol, 0o770);
writeFileSync(join(vol, 'data/file'), 'x');
symlinkSync('/etc', join(vol, 'escape'));
symlinkSync('../../..', join(vol, 'data/up'));
symlinkSync('inner', join(vol, 'data/ok-link'));

describe('resolveSubPath', () => {
  it('resolves a path inside the volume', () => assert.equal(resolveSubPath(vol, 'data/file'), join(vol, 'data/file')));
  it('follows a symlink that stays inside', () => assert.equal(resolveSubPath(vol, 'data/ok-link'), join(vol, 'data/inner')));
  it('creates a missing directory with the volume root mode', () => {
    const p = resolveSubPath(vol, 'made/here');
    assert.equal(p, join(vol, 'made/here'));
    assert.equal(statSync(p).mode & 0o777, 0o770);
  });
  const refused = [
    { name: 'a symlink to a node path', sub: 'escape', want: /not within volume path/ },
    { name: 'a path through a symlink to a node path', sub: 'escape/passwd', want: /not within volume path/ },
    { name: 'a relative symlink climbing out', sub: 'data/up', want: /not within volume path/ },
    { name: 'an absolute subPath', sub: '/etc', want: /must not be an absolute path/ },
    { name: 'backsteps', sub: 'data/../../x', want: /must not contain '\.\.'/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => assert.throws(() => resolveSubPath(vol, c.sub), (e: unknown) => e instanceof SubPathError && c.want.test(e.message)));
  }
});

describe('subPathExpr', () => {
  const pod = { metadata: { name: 'web-0', namespace: 'ns' }, spec: { containers: [] } };
  const container = { name: 'c', env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'DIR', value: 'logs/$(POD)' }] };
  it('expands env from literals and fieldRefs', () => assert.equal(expandSubPathExpr('$(DIR)/x-$$', containerEnvForExpansion(pod, container)), 'logs/web-0/x-$'));
  it('refuses a reference without a value', () => assert.throws(() => expandSubPathExpr('$(NOPE)/$(POD)', containerEnvForExpansion(pod, container)), /missing value for NOPE/));
});
