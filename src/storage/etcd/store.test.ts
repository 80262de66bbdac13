import { storageContract, type StoreHandle } from '../contract.ts';
import { startEtcd } from '../../testing/etcd.ts';
import { EtcdStore } from './store.ts';

storageContract({
  name: 'etcd',
  newStore: async (): Promise<StoreHandle> => {
    const etcd = await startEtcd();
    const handle: StoreHandle = {
      store: new EtcdStore({ endpoints: [etcd.endpoint] }),
      reopen: async () => {
        await handle.store.close();
        handle.store = new EtcdStore({ endpoints: [etcd.endpoint] });
        return handle.store;
      },
      dispose: async () => {
        await handle.store.close();
        await etcd.stop();
      },
    };
    return handle;
  },
});
