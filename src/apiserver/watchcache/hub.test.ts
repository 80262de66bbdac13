import assert from 'node:assert/strict';
import { EncodedJson } from '../registry/split-json.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiObject } from '../../api/object.ts';
import { SqliteStore } from '../../storage/index.ts';
import { CacheHub } from './hub.ts';
import type { ResourceCache } from './resource-cache.ts';

describe('CacheHub', () => {
  let dir: string;
  let store: SqliteStore;
  let hub: CacheHub;
  let cache: ResourceCache;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-hub-'));
    store = SqliteStore.open({ path: join(dir, 'state.db'), autoCompact: null });
    hub = new CacheHub({ store });
    await hub.start();
    cache = await hub.register('/registry/configmaps/');
  });
  after(async () => {
    hub.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configMap = (name: string): ApiObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { k: 'v' } });

  it('keeps the object a write handed over instead of parsing the stored value again', async () => {
    const obj = configMap('noted');
    const json = EncodedJson.of(obj);
    hub.noteWrite(obj, json);
    const kv = await store.create('/registry/configmaps/ns/noted', json.bytes);
    await hub.waitFor(kv.modRevision);
    const cached = cache.get('/registry/configmaps/ns/noted');
    assert.equal(cached?.obj, obj);
    assert.equal(obj.metadata?.resourceVersion, String(kv.modRevision));
    assert.deepEqual(JSON.parse(Buffer.from(cached?.bytes ?? []).toString()), { ...configMap('noted'), metadata: { name: 'noted', namespace: 'ns', resourceVersion: String(kv.modRevision) } });
  });

  it('parses values nobody handed over', async () => {
    const obj = configMap('parsed');
    const kv = await store.create('/registry/configmaps/ns/parsed', Buffer.from(JSON.stringify(obj)));
    await hub.waitFor(kv.modRevision);
    const cached = cache.get('/registry/configmaps/ns/parsed');
    assert.notEqual(cached?.obj, obj);
    assert.equal(cached?.obj.metadata?.resourceVersion, String(kv.modRevision));
  });
});
