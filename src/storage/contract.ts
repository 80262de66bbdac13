import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStorageError, type StorageErrorCode } from './errors.ts';
import { guaranteedUpdate } from './guaranteed-update.ts';
import type { KeyValue, Store, Watch, WatchEvent } from './types.ts';

/** StoreHandle is a backend under test: the open store, and how to close and reopen it on the same data. */
export interface StoreHandle {
  store: Store;
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

/** ContractOptions names a backend, makes fresh instances of it, and lists tests it skips with a reason. */
export interface ContractOptions {
  name: string;
  newStore: () => Promise<StoreHandle>;
  skip?: { reason: string; tests: string[] }[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (kv: KeyValue | null): string | null => (kv ? dec.decode(kv.value) : null);

/** expectCode asserts that a promise rejects with a StorageError of `code`. */
async function expectCode(p: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStorageError(err, code), `expected ${code}, got ${String(err)}`);
    return true;
  });
}

/** take reads `n` events from a watch, failing after `timeoutMs`. */
export async function take(w: Watch, n: number, timeoutMs = 10_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const it = w[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(left, 0));
      }),
    ]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`timed out after ${out.length} of ${n} events`);
    if (r.done) throw new Error(`watch ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}

let seq = 0;
/** uniquePrefix gives each test its own key space, so backends can be shared between tests. */
function uniquePrefix(): string {
  seq++;
  return `/registry/contract/${Date.now().toString(36)}-${seq}/`;
}

/** storageContract runs the etcd-semantics contract every Store backend must pass. */
export function storageContract(opts: ContractOptions): void {
  const skipped = new Map<string, string>();
  for (const s of opts.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);
  const test = (name: string, fn: (store: Store, handle: StoreHandle) => Promise<void>): void => {
    const reason = skipped.get(name);
    it(name, reason ? { skip: reason } : {}, async () => fn(handle.store, handle));
  };
  let handle: StoreHandle;

  describe(`storage contract: ${opts.name}`, () => {
    before(async () => {
      handle = await opts.newStore();
    });
    after(async () => {
      await handle.dispose();
    });

    test('revisions increase by one per write', async (store) => {
      const p = uniquePrefix();
      const r0 = await store.currentRevision();
      const a = await store.create(`${p}a`, enc.encode('1'));
      assert.equal(a.modRevision, r0 + 1);
      assert.equal(a.createRevision, r0 + 1);
      const b = await store.update(`${p}a`, enc.encode('2'), a.modRevision);
      assert.equal(b.modRevision, r0 + 2);
      assert.equal(b.createRevision, r0 + 1);
      const d = await store.delete(`${p}a`);
      assert.equal(d.modRevision, r0 + 2, 'delete returns the deleted version');
      assert.equal(await store.currentRevision(), r0 + 3);
      assert.equal(await store.get(`${p}a`), null);
    });

    test('create of an existing key fails with KeyExists and writes nothing', async (store) => {
      const p = uniquePrefix();
      await store.create(`${p}a`, enc.encode('first'));
      const rev = await store.currentRevision();
      await expectCode(store.create(`${p}a`, enc.encode('second')), 'KeyExists');
      assert.equal(await store.currentRevision(), rev);
      assert.equal(text(await store.get(`${p}a`)), 'first');
    });

    test('compare-and-swap with a stale revision fails and writes nothing', async (store) => {
      const p = uniquePrefix();
      const v1 = await store.create(`${p}a`, enc.encode('v1'));
      const v2 = await store.update(`${p}a`, enc.encode('v2'), v1.modRevision);
      const rev = await store.currentRevision();
      await expectCode(store.update(`${p}a`, enc.encode('v3'), v1.modRevision), 'RevisionMismatch');
      await expectCode(store.delete(`${p}a`, v1.modRevision), 'RevisionMismatch');
      assert.equal(await store.currentRevision(), rev);
      assert.equal(text(await store.get(`${p}a`)), 'v2');
      await store.delete(`${p}a`, v2.modRevision);
      assert.equal(await store.get(`${p}a`), null);
    });

    test('update and delete of an absent key fail with KeyNotFound', async (store) => {
      const p = uniquePrefix();
      await expectCode(store.update(`${p}nope`, enc.encode('x'), 1), 'KeyNotFound');
      await expectCode(store.delete(`${p}nope`), 'KeyNotFound');
    });

    test('get at a past revision returns the version of that time', async (store) => {
      const p = uniquePrefix();
      const v1 = await store.create(`${p}a`, enc.encode('v1'));
      const v2 = await store.update(`${p}a`, enc.encode('v2'), v1.modRevision);
      await store.delete(`${p}a`);
      assert.equal(text(await store.get(`${p}a`, { revision: v1.modRevision })), 'v1');
      assert.equal(text(await store.get(`${p}a`, { revision: v2.modRevision })), 'v2');
      assert.equal(await store.get(`${p}a`, { revision: v1.modRevision - 1 }), null);
      assert.equal(await store.get(`${p}a`), null);
    });

    test('50 concurrent guaranteedUpdate writers on one counter end at exactly 50', async (store) => {
      const key = `${uniquePrefix()}counter`;
      await store.create(key, enc.encode('0'));
      await Promise.all(
        Array.from({ length: 50 }, () =>
          guaranteedUpdate(store, key, (cur) => enc.encode(String(Number(text(cur)) + 1))),
        ),
      );
      assert.equal(text(await store.get(key)), '50');
    });

    test('paged list returns every key exactly once while writes continue', async (store) => {
      const p = uniquePrefix();
      const want: string[] = [];
      for (let i = 0; i < 60; i++) {
        const k = `${p}k${String(i).padStart(3, '0')}`;
        want.push(k);
        await store.create(k, enc.encode(String(i)));
      }
      const seen: string[] = [];
      let continueKey: string | undefined;
      let revision: number | undefined;
      let writer = 0;
      for (;;) {
        const page = await store.list(p, { limit: 7, ...(continueKey === undefined ? {} : { continueKey }), ...(revision === undefined ? {} : { revision }) });
        revision = page.revision;
        seen.push(...page.kvs.map((kv) => kv.key));
        // Writes between pages: new keys before and after the cursor, updates and deletes of listed keys.
        await store.create(`${p}k${String(writer).padStart(3, '0')}x`, enc.encode('new'));
        await store.create(`${p}z${writer}`, enc.encode('new'));
        const victim = page.kvs[0];
        if (victim) await store.delete(victim.key);
        writer++;
        if (!page.more) break;
        continueKey = page.kvs[page.kvs.length - 1]?.key;
      }
      assert.deepEqual(seen, want);
    });

    test('list honours limit and reports more', async (store) => {
      const p = uniquePrefix();
      for (const k of ['a', 'b', 'c']) await store.create(`${p}${k}`, enc.encode(k));
      await store.create(`${p.slice(0, -1)}x/other`, enc.encode('sibling prefix'));
      const all = await store.list(p);
      assert.deepEqual(all.kvs.map((kv) => kv.key), ['a', 'b', 'c'].map((k) => `${p}${k}`));
      assert.equal(all.more, false);
      const two = await store.list(p, { limit: 2 });
      assert.equal(two.kvs.length, 2);
      assert.equal(two.more, true);
      const exact = await store.list(p, { limit: 3 });
      assert.equal(exact.more, false);
    });

    test('watch from an old revision replays every change in order, then continues live', async (store) => {
      const p = uniquePrefix();
      const start = await store.currentRevision();
      const a = await store.create(`${p}a`, enc.encode('a1'));
      await store.update(`${p}a`, enc.encode('a2'), a.modRevision);
      await store.create(`${p}b`, enc.encode('b1'));
      await store.create(`${uniquePrefix()}elsewhere`, enc.encode('not watched'));
      await store.delete(`${p}a`);
      const w = await store.watch(p, start);
      try {
        const replay = await take(w, 4);
        assert.deepEqual(replay.map((e) => [e.type, e.kv.key.slice(p.length), text(e.kv) || null, text(e.prevKv)]), [
          ['PUT', 'a', 'a1', null],
          ['PUT', 'a', 'a2', 'a1'],
          ['PUT', 'b', 'b1', null],
          ['DELETE', 'a', null, 'a2'],
        ]);
        const revs = replay.map((e) => e.kv.modRevision);
        assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
        const writes = [store.create(`${p}c`, enc.encode('c1')), store.create(`${p}d`, enc.encode('d1'))];
        await Promise.all(writes);
        const live = await take(w, 2);
        assert.deepEqual(live.map((e) => e.kv.key.slice(p.length)).sort(), ['c', 'd']);
        assert.ok((live[0] as WatchEvent).kv.modRevision > (replay[3] as WatchEvent).kv.modRevision);
      } finally {
        w.close();
      }
    });

    test('watch delivers concurrent writes with no gap and no duplicate', async (store) => {
      const p = uniquePrefix();
      const from = await store.currentRevision();
      const w = await store.watch(p, from);
      try {
        const n = 200;
        const created = await Promise.all(Array.from({ length: n }, (_, i) => store.create(`${p}${i}`, enc.encode(String(i)))));
        const events = await take(w, n);
        assert.deepEqual(events.map((e) => e.kv.modRevision), created.map((kv) => kv.modRevision).sort((x, y) => x - y));
      } finally {
        w.close();
      }
    });

    test('watch and get from a compacted revision fail with Compacted', async (store) => {
      const p = uniquePrefix();
      const first = await store.create(`${p}a`, enc.encode('1'));
      let last = first;
      for (let i = 2; i <= 5; i++) last = await store.update(`${p}a`, enc.encode(String(i)), last.modRevision);
      await store.compact(last.modRevision);
      await expectCode(store.watch(p, first.modRevision - 1), 'Compacted');
      await expectCode(store.get(`${p}a`, { revision: first.modRevision }), 'Compacted');
      assert.equal(text(await store.get(`${p}a`)), '5', 'compaction keeps the latest version');
      const w = await store.watch(p, last.modRevision);
      try {
        await store.update(`${p}a`, enc.encode('6'), last.modRevision);
        const [ev] = await take(w, 1);
        assert.equal(text((ev as WatchEvent).prevKv), '5');
      } finally {
        w.close();
      }
    });

    test('lease expiry deletes its keys and emits DELETE events', async (store) => {
      const p = uniquePrefix();
      const lease = await store.grantLease(1);
      const from = await store.currentRevision();
      await store.create(`${p}leased`, enc.encode('x'), { lease });
      await store.create(`${p}kept`, enc.encode('y'));
      const w = await store.watch(p, from);
      try {
        const events = await take(w, 3, 15_000);
        const del = events[2] as WatchEvent;
        assert.equal(del.type, 'DELETE');
        assert.equal(del.kv.key, `${p}leased`);
        assert.equal(text(del.prevKv), 'x');
      } finally {
        w.close();
      }
      assert.equal(await store.get(`${p}leased`), null);
      assert.equal(text(await store.get(`${p}kept`)), 'y');
      await expectCode(store.keepAlive(lease), 'LeaseNotFound');
    });

    test('revoking a lease deletes its keys; keep-alive renews it', async (store) => {
      const p = uniquePrefix();
      const lease = await store.grantLease(30);
      await store.keepAlive(lease);
      await store.create(`${p}a`, enc.encode('a'), { lease });
      await store.create(`${p}b`, enc.encode('b'), { lease });
      await store.revokeLease(lease);
      assert.equal((await store.list(p)).kvs.length, 0);
    });

    test('bad keys and oversized values are refused and nothing is written', async (store) => {
      const rev = await store.currentRevision();
      for (const key of ['', 'pods/x', '/registry/', '/etc/passwd']) {
        await expectCode(store.create(key, enc.encode('x')), 'InvalidKey');
      }
      await expectCode(store.create(`${uniquePrefix()}big`, new Uint8Array(1.5 * 1024 * 1024 + 1)), 'ValueTooLarge');
      assert.equal(await store.currentRevision(), rev);
      const ok = await store.create(`${uniquePrefix()}limit`, new Uint8Array(1024 * 1024));
      assert.equal(ok.value.byteLength, 1024 * 1024);
    });

    test('restart keeps all data and the revision counter', async (_store, h) => {
      const p = uniquePrefix();
      await h.store.create(`${p}a`, enc.encode('kept'));
      const rev = await h.store.currentRevision();
      const store = await h.reopen();
      assert.equal(await store.currentRevision(), rev);
      assert.equal(text(await store.get(`${p}a`)), 'kept');
      const next = await store.create(`${p}b`, enc.encode('after'));
      assert.equal(next.modRevision, rev + 1);
    });
  });
}
