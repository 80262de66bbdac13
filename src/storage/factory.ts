import { join } from 'node:path';
import { DatastoreOpenError } from './errors.ts';
import { EtcdStore } from './etcd/store.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/store.ts';
import type { Store } from './types.ts';

/** supportedSchemes lists the datastore URL schemes openStore understands. */
export const supportedSchemes = ['sqlite', 'etcd'] as const;

/** defaultDatastore is the datastore URL used when none is given: an SQLite file in the data directory. */
export function defaultDatastore(dataDir: string): string {
  return `sqlite://${join(dataDir, 'db', 'state.db')}`;
}

/** parseDatastore splits a datastore URL into its backend and target; an unknown scheme is an error naming the supported ones. */
export function parseDatastore(url: string): { kind: 'sqlite'; path: string } | { kind: 'etcd'; endpoints: string[] } {
  const m = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(url);
  if (!m) {
    throw new DatastoreOpenError(`invalid datastore ${JSON.stringify(url)}: expected sqlite:///path/to/state.db or etcd://host:port[,host:port...]`);
  }
  const scheme = (m[1] as string).toLowerCase();
  const rest = m[2] as string;
  switch (scheme) {
    case 'sqlite':
      if (!rest) throw new DatastoreOpenError('invalid datastore "sqlite://": give a file path, as in sqlite:///var/lib/berth/db/state.db');
      return { kind: 'sqlite', path: rest };
    case 'etcd': {
      const endpoints = rest.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
      if (endpoints.length === 0) throw new DatastoreOpenError('invalid datastore "etcd://": give at least one host:port');
      return { kind: 'etcd', endpoints };
    }
    default:
      throw new DatastoreOpenError(`unsupported datastore scheme "${scheme}://"; supported: ${supportedSchemes.map((s) => `${s}://`).join(', ')}`);
  }
}

/** openStore opens the backend a datastore URL names. */
export function openStore(url: string, sqliteOpts: Omit<SqliteStoreOptions, 'path'> = {}): Store {
  const target = parseDatastore(url);
  return target.kind === 'sqlite' ? SqliteStore.open({ ...sqliteOpts, path: target.path }) : new EtcdStore({ endpoints: target.endpoints });
}
