import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sweepLocalPathStorage } from './local-path-cleaner.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-lp-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('sweepLocalPathStorage', () => {
  it('removes directories of deleted PVs only, and nothing it does not own', async () => {
    const live = 'pvc-11111111-2222-3333-4444-555555555555';
    const gone = 'pvc-66666666-7777-8888-9999-000000000000';
    for (const d of [live, gone, 'not-a-pv']) {
      mkdirSync(join(root, d));
      writeFileSync(join(root, d, 'data'), 'x');
    }
    const removed = await sweepLocalPathStorage(root, async (name) => name === live);
    assert.deepEqual(removed, [gone]);
    assert.ok(existsSync(join(root, live, 'data')));
    assert.ok(existsSync(join(root, 'not-a-pv')));
    assert.equal(existsSync(join(root, gone)), false);
    assert.deepEqual(await sweepLocalPathStorage(join(root, 'absent'), async () => false), []);
  });
});
