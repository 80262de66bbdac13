import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkHostPathType } from './host-path.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-hp-'));
const dir = join(root, 'dir');
const file = join(root, 'file');
const sock = join(root, 'sock');
const server = createServer();
before(async () => {
  mkdirSync(dir);
  closeSync(openSync(file, 'w'));
  await new Promise<void>((r) => server.listen(sock, r));
});
after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('checkHostPathType', () => {
  const missing = join(root, 'missing');
  const cases: { name: string; path: string; type: string; want?: string }[] = [
    { name: 'no type skips the check', path: missing, type: '' },
    { name: 'Directory on a directory', path: dir, type: 'Directory' },
    { name: 'Directory on a file', path: file, type: 'Directory', want: `hostPath type check failed: ${file} is not a directory` },
    { name: 'Directory missing', path: missing, type: 'Directory', want: `hostPath type check failed: ${missing} is not a directory` },
    { name: 'DirectoryOrCreate on a file', path: file, type: 'DirectoryOrCreate', want: `hostPath type check failed: ${file} is not a directory` },
    { name: 'File on a file', path: file, type: 'File' },
    { name: 'File on a directory', path: dir, type: 'File', want: `hostPath type check failed: ${dir} is not a file` },
    { name: 'FileOrCreate on a directory', path: dir, type: 'FileOrCreate', want: `hostPath type check failed: ${dir} is not a file` },
    { name: 'Socket on a socket', path: sock, type: 'Socket' },
    { name: 'Socket on a file', path: file, type: 'Socket', want: `hostPath type check failed: ${file} is not a socket file` },
    { name: 'CharDevice on /dev/null', path: '/dev/null', type: 'CharDevice' },
    { name: 'CharDevice on a file', path: file, type: 'CharDevice', want: `hostPath type check failed: ${file} is not a character device` },
    { name: 'BlockDevice on /dev/null', path: '/dev/null', type: 'BlockDevice', want: 'hostPath type check failed: /dev/null is not a block device' },
    { name: 'an unknown type', path: dir, type: 'Pipe', want: 'Pipe is an invalid volume type' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(checkHostPathType(c.path, c.type), c.want));

  it('DirectoryOrCreate creates a missing directory (0755) and FileOrCreate a missing file (0644)', () => {
    const d = join(root, 'new/dir');
    assert.equal(checkHostPathType(d, 'DirectoryOrCreate'), undefined);
    assert.ok(statSync(d).isDirectory());
    assert.equal(statSync(d).mode & 0o777, 0o755);
    const f = join(root, 'newfile');
    assert.equal(checkHostPathType(f, 'FileOrCreate'), undefined);
    assert.ok(statSync(f).isFile());
    assert.equal(statSync(f).mode & 0o777, 0o644);
    assert.ok(existsSync(f));
  });
});
