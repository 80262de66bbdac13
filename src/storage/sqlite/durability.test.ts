import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DatastoreOpenError } from '../errors.ts';
import { SqliteStore } from './store.ts';

it('every write acknowledged before SIGKILL is there after reopening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-durability-'));
  const path = join(dir, 'state.db');
  try {
    const writer = spawn(process.execPath, [fileURLToPath(new URL('testdata/writer.ts', import.meta.url)), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
    const acked: string[] = [];
    let checkedLock = false;
    const lines = createInterface({ input: writer.stdout });
    for await (const line of lines) {
      if (line.startsWith('ack ')) acked.push(line.slice(4));
      if (!checkedLock && acked.length >= 100) {
        checkedLock = true;
        // While the writer runs, a second process must be refused rather than share the file.
        assert.throws(() => SqliteStore.open({ path }), (err: unknown) => err instanceof DatastoreOpenError && /locked/.test(err.message));
      }
      if (acked.length >= 3000) {
        writer.kill('SIGKILL');
        break;
      }
    }
    await exited;
    // Lines still buffered in the pipe were acknowledged too; they must also be there.
    for await (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
    const store = SqliteStore.open({ path });
    try {
      const missing: string[] = [];
      for (const key of acked) if ((await store.get(key)) === null) missing.push(key);
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes were lost`);
      assert.ok((await store.currentRevision()) >= acked.length);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
