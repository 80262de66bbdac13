import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatastoreOpenError } from './errors.ts';
import { parseDatastore } from './factory.ts';

describe('parseDatastore', () => {
  const cases = [
    { name: 'sqlite path', url: 'sqlite:///var/lib/berth/db/state.db', want: { kind: 'sqlite', path: '/var/lib/berth/db/state.db' } },
    { name: 'one etcd member', url: 'etcd://127.0.0.1:2379', want: { kind: 'etcd', endpoints: ['127.0.0.1:2379'] } },
    { name: 'several etcd members', url: 'etcd://a:2379,b:2379', want: { kind: 'etcd', endpoints: ['a:2379', 'b:2379'] } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseDatastore(c.url), c.want));

  const bad = [
    { name: 'unknown scheme names the supported ones', url: 'postgres://localhost/db', message: /unsupported datastore scheme "postgres:\/\/"; supported: sqlite:\/\/, etcd:\/\// },
    { name: 'no scheme', url: '/var/lib/berth/state.db', message: /invalid datastore/ },
    { name: 'sqlite without a path', url: 'sqlite://', message: /give a file path/ },
    { name: 'etcd without members', url: 'etcd://', message: /at least one host:port/ },
  ];
  for (const c of bad) {
    it(c.name, () => assert.throws(() => parseDatastore(c.url), (err: unknown) => err instanceof DatastoreOpenError && c.message.test(err.message)));
  }
});
