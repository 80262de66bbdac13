import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageContract, type StoreHandle } from '../contract.ts';
import { SqliteStore } from './store.ts';

storageContract({
  name: 'sqlite',
  newStore: async (): Promise<StoreHandle> => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    const path = join(dir, 'state.db');
    const handle: StoreHandle = {
      store: SqliteStore.open({ path, leaseCheckIntervalMs: 100 }),
      reopen: async () => {
        await handle.store.close();
        handle.store = SqliteStore.open({ path, leaseCheckIntervalMs: 100 });
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
