import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DatastoreOpenError } from '../errors.ts';
import { SqliteStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const berth = fileURLToPath(new URL('../../../bin/berth', import.meta.url));

/** refuses asserts that opening `path` fails with a message matching `pattern` and leaves the file's bytes as they were. */
function refuses(path: string, pattern: RegExp): void {
  const before = readFileSync(path);
  assert.throws(() => SqliteStore.open({ path }), (err: unknown) => err instanceof DatastoreOpenError && pattern.test(err.message));
  assert.deepEqual(readFileSync(path), before, 'the file is untouched');
}

describe('opening an SQLite datastore', () => {
  it('refuses a corrupt file', () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, Buffer.alloc(8192, 'garbage!'));
    refuses(path, /not a readable SQLite database/);
  });

  it('refuses a file from a newer schema', async () => {
    const path = join(dir, 'newer.db');
    await SqliteStore.open({ path }).close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    refuses(path, /newer Berth \(schema 99/);
  });

  it('refuses an SQLite file that is not a Berth datastore', () => {
    const path = join(dir, 'foreign.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE customers (id INTEGER)');
    db.close();
    refuses(path, /not a Berth datastore/);
  });

  it('refuses a file another Berth holds', async () => {
    const path = join(dir, 'locked.db');
    const first = SqliteStore.open({ path });
    try {
      await first.create('/registry/a', new TextEncoder().encode('x'));
      assert.throws(() => SqliteStore.open({ path }), (err: unknown) => err instanceof DatastoreOpenError && /locked by another process/.test(err.message));
      assert.equal((await first.get('/registry/a'))?.modRevision, 1, 'the holder keeps working');
    } finally {
      await first.close();
    }
  });

  it('berth server exits non-zero with the message', () => {
    const path = join(dir, 'cli-corrupt.db');
    writeFileSync(path, Buffer.alloc(4096, 'x'));
    const res = spawnSync(berth, ['server', '--datastore', `sqlite://${path}`], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /not a readable SQLite database/);
    const unknown = spawnSync(berth, ['server', '--datastore', 'mysql://x'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /supported: sqlite:\/\/, etcd:\/\//);
  });
});
