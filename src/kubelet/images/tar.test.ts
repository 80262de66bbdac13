import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeTar, type TarEntry } from './tar.ts';

describe('writeTar', () => {
  const longDir = `${'d'.repeat(90)}/${'e'.repeat(60)}`;
  const entries: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
    { type: 'symlink', path: 'bin/sh', target: '/bin/tool' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'empty', data: Buffer.alloc(0) },
    { type: 'file', path: 'block', data: Buffer.alloc(512, 7) },
    { type: 'dir', path: longDir },
    { type: 'file', path: `${longDir}/file-with-a-long-name`, data: Buffer.from('deep') },
  ];

  it('writes an archive GNU tar lists and extracts with modes, links and contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar'), writeTar(entries));
      const listing = execFileSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
      assert.match(listing, /^-rwxr-xr-x root\/root\s+18 1970-01-01 00:00 bin\/tool$/m);
      assert.match(listing, /^lrwxrwxrwx root\/root\s+0 1970-01-01 00:00 bin\/sh -> \/bin\/tool$/m);
      assert.match(listing, /^drwxrwxrwt root\/root\s+0 1970-01-01 00:00 tmp\/$/m);
      const out = join(dir, 'x');
      execFileSync('mkdir', [out]);
      execFileSync('tar', ['-xpf', join(dir, 'a.tar'), '-C', out]);
      assert.equal(readFileSync(join(out, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
      assert.equal(statSync(join(out, 'bin/tool')).mode & 0o777, 0o755);
      assert.equal(readlinkSync(join(out, 'bin/sh')), '/bin/tool');
      assert.equal(readFileSync(join(out, 'block')).length, 512);
      assert.equal(readFileSync(join(out, longDir, 'file-with-a-long-name'), 'utf8'), 'deep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is byte-for-byte reproducible and block-aligned', () => {
    const a = writeTar(entries);
    assert.deepEqual(a, writeTar(entries));
    assert.equal(a.length % 512, 0);
  });

  it('refuses a name that cannot fit ustar', () => {
    assert.throws(() => writeTar([{ type: 'file', path: 'x'.repeat(120), data: Buffer.alloc(0) }]), /too long/);
  });
});
