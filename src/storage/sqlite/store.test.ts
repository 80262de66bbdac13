import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { storageContract, type StoreHandle } from '../contract.ts';
import { SqliteStore, type SqliteStoreOptions } from './store.ts';

// The same contract with the connection in its worker thread (production) and inline (in-process test servers).
for (const thread of ['worker', 'inline'] as const) {
  storageContract({
    name: `sqlite (${thread})`,
    newStore: async (): Promise<StoreHandle> => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
      const opts: SqliteStoreOptions = { path: join(dir, 'state.db'), leaseCheckIntervalMs: 100, thread };
      const handle: StoreHandle = {
        store: SqliteStore.open(opts),
        reopen: async () => {
          await handle.store.close();
          handle.store = SqliteStore.open(opts);
          return handle.store;
        },
        dispose: async () => {
          await handle.store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
      return handle;
    },
  });
}

describe('sqlite (worker) batches', () => {
  it('commits batches of every size through its reused buffer, and one too large for it through a buffer of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    const store = SqliteStore.open({ path: join(dir, 'state.db') });
    try {
      // Batches one after another: small, larger than the first buffer (it grows), small again (the bytes of the
      // larger batch are still behind it), and over 8 MiB (six 1.5 MiB values: packed on their own).
      const rounds = [
        { count: 3, size: 100 },
        { count: 40, size: 20_000 },
        { count: 2, size: 10 },
        { count: 6, size: 1.5 * 1024 * 1024 },
      ];
      for (const [r, { count, size }] of rounds.entries()) {
        const value = (i: number): Uint8Array => new Uint8Array(size).fill((r * 31 + i) % 251);
        await Promise.all(Array.from({ length: count }, (_, i) => store.create(`/registry/things/r${r}-${i}`, value(i))));
        for (let i = 0; i < count; i++) {
          const kv = await store.get(`/registry/things/r${r}-${i}`);
          assert.deepEqual(kv?.value, value(i), `round ${r} value ${i}`);
        }
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
