import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../../testing/controller-harness.ts';
import { AtomicWriter, validatePayloadPath, type FileProjection } from './atomic-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-aw-'));
after(() => rmSync(root, { recursive: true, force: true }));

function files(entries: Record<string, string>, mode = 0o644): Map<string, FileProjection> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));
}

describe('AtomicWriter', () => {
  it('writes files as symlinks through ..data into a timestamped directory', () => {
    const dir = join(root, 'a');
    const w = new AtomicWriter(dir, new FakeClock(Date.UTC(2024, 0, 2, 3, 4, 5)));
    assert.equal(w.write(files({ foo: 'one', 'sub/bar': 'two' }, 0o600)), true);
    const version = readlinkSync(join(dir, '..data'));
    assert.match(version, /^\.\.2024_01_02_03_04_05\./);
    assert.equal(readlinkSync(join(dir, 'foo')), '..data/foo');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'sub/bar'), 'utf8'), 'two');
    assert.equal(statSync(join(dir, 'foo')).mode & 0o777, 0o600);
  });

  it('leaves a current payload alone and swaps a changed one whole, removing stale names', () => {
    const dir = join(root, 'b');
    const clock = new FakeClock(Date.UTC(2024, 0, 1));
    const w = new AtomicWriter(dir, clock);
    w.write(files({ a: '1', b: '2' }));
    const first = w.currentVersionDir();
    assert.equal(w.write(files({ a: '1', b: '2' })), false);
    assert.equal(w.currentVersionDir(), first);
    clock.step(1000);
    assert.equal(w.write(files({ a: '10', c: '3' })), true);
    const second = w.currentVersionDir();
    assert.notEqual(second, first);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', second, 'a', 'c'].sort());
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '10');
    assert.throws(() => lstatSync(join(dir, 'b')));
  });

  it('rewrites when only a mode changed', () => {
    const dir = join(root, 'c');
    const w = new AtomicWriter(dir, new FakeClock());
    w.write(files({ a: '1' }, 0o644));
    assert.equal(w.write(files({ a: '1' }, 0o400)), true);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o400);
  });

  it('never shows a reader a mixed set: ..data names one complete version at every step', () => {
    const dir = join(root, 'd');
    const clock = new FakeClock();
    const w = new AtomicWriter(dir, clock);
    for (let i = 0; i < 20; i++) {
      clock.step(1000);
      w.write(files({ x: `v${i}`, y: `v${i}` }));
      const v = readlinkSync(join(dir, '..data'));
      assert.equal(readFileSync(join(dir, v, 'x'), 'utf8'), readFileSync(join(dir, v, 'y'), 'utf8'));
      // Only the live version directory is kept.
      assert.equal(readdirSync(dir).filter((n) => n.startsWith('..2')).length, 1);
    }
  });

  const badPaths = [
    { path: '/etc/passwd', want: 'must be relative path' },
    { path: '../x', want: "must not contain '..'" },
    { path: 'a/../../x', want: "must not contain '..'" },
    { path: '..data', want: "must not start with '..'" },
    { path: '', want: 'must not be empty' },
    { path: 'x'.repeat(256), want: 'filenames must be less than or equal to 255 characters' },
  ];
  for (const c of badPaths) {
    it(`refuses payload path ${JSON.stringify(c.path.slice(0, 20))}`, () => {
      assert.match(validatePayloadPath(c.path) ?? '', new RegExp(c.want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.throws(() => new AtomicWriter(join(root, 'e'), new FakeClock()).write(files({ [c.path]: 'x' })));
    });
  }
});
