import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
