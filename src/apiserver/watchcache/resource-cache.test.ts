import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchEvent } from '../../storage/index.ts';
import { ResourceCache } from './resource-cache.ts';
import type { CachedObject, CacheWatcher, WatchEventType } from './types.ts';

const encoder = new TextEncoder();
const prefix = '/registry/configmaps/';

function put(name: string, rv: number): WatchEvent {
  const value = encoder.encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } }));
  return { type: 'PUT', kv: { key: `${prefix}ns/${name}`, value, createRevision: rv, modRevision: rv, lease: 0 }, prevKv: null };
}

function recorder(): CacheWatcher & { seen: { type: WatchEventType; rv: number }[] } {
  const seen: { type: WatchEventType; rv: number }[] = [];
  return { seen, filter: () => true, send: (type: WatchEventType, o: CachedObject) => seen.push({ type, rv: o.rv }), bookmark: () => {}, expire: () => {} };
}

describe('ResourceCache event window', () => {
  // Revisions 1..n, one new object each; the window holds the last `capacity` events.
  const filled = (capacity: number, n: number): ResourceCache => {
    const cache = new ResourceCache(prefix, [], 0, capacity);
    for (let rv = 1; rv <= n; rv++) cache.apply(put(`cm-${rv}`, rv));
    return cache;
  };

  const cases = [
    { name: 'not yet full', capacity: 4, n: 3, oldest: 0 },
    { name: 'one event dropped', capacity: 4, n: 5, oldest: 1 },
    { name: 'just before dropped slots are cut off', capacity: 4, n: 7, oldest: 3 },
    { name: 'just after dropped slots are cut off', capacity: 4, n: 8, oldest: 4 },
    { name: 'many windows later', capacity: 4, n: 23, oldest: 19 },
  ];
  for (const c of cases) {
    it(`${c.name}: oldestRv is the last dropped revision and a watch from it gets every later event`, () => {
      const cache = filled(c.capacity, c.n);
      assert.equal(cache.oldestRv, c.oldest);
      const w = recorder();
      assert.equal(cache.watch(w, c.oldest), true);
      const expected = Array.from({ length: c.n - c.oldest }, (_, i) => ({ type: 'ADDED', rv: c.oldest + 1 + i }));
      assert.deepEqual(w.seen, expected);
    });
  }

  it('a watch from before the window is refused', () => {
    const cache = filled(4, 23);
    assert.equal(cache.watch(recorder(), 18), false);
  });

  it('a watch from the middle of the window gets the events after its revision only', () => {
    const cache = filled(4, 23);
    const w = recorder();
    assert.equal(cache.watch(w, 21), true);
    assert.deepEqual(w.seen.map((e) => e.rv), [22, 23]);
  });
});
