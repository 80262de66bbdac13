export type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WriteOptions } from './types.ts';
export { DatastoreOpenError, isStorageError, StorageError, type StorageErrorCode } from './errors.ts';
export { checkKey, keyPrefix, maxValueBytes } from './limits.ts';
export { guaranteedUpdate, type GuaranteedUpdateOptions, type TryUpdate } from './guaranteed-update.ts';
export { defaultDatastore, openStore, parseDatastore, supportedSchemes } from './factory.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/store.ts';
export { EtcdStore, type EtcdStoreOptions } from './etcd/store.ts';
