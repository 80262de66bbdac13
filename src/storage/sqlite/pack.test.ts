import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Write } from './engine.ts';
import { packedSize, packInto, packWrites, unpackWrites } from './pack.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('packWrites', () => {
  const cases: { name: string; writes: Write[] }[] = [
    { name: 'no writes', writes: [] },
    { name: 'a create', writes: [{ kind: 'create', key: '/registry/pods/ns/p', value: bytes('{"a":1}'), lease: 0 }] },
    { name: 'an update with a lease', writes: [{ kind: 'update', key: '/k', value: bytes('v'), expected: 2 ** 40 + 3, lease: 2 ** 47 - 1 }] },
    { name: 'deletes with and without a revision', writes: [{ kind: 'delete', key: '/a', expected: 7 }, { kind: 'delete', key: '/b', expected: undefined }] },
    { name: 'a revoke and a compact', writes: [{ kind: 'revoke', lease: 12345 }, { kind: 'compact', revision: 99 }] },
    {
      name: 'multi-byte keys, empty and binary values, mixed kinds',
      writes: [
        { kind: 'create', key: '/registry/configmaps/ns/ключ-✓-😀', value: new Uint8Array(0), lease: 0 },
        { kind: 'update', key: '/x', value: new Uint8Array([0, 255, 10, 13]), expected: 1, lease: 0 },
        { kind: 'delete', key: '/ключ', expected: undefined },
        { kind: 'create', key: '', value: bytes('✓'.repeat(1000)), lease: 5 },
      ],
    },
  ];
  for (const c of cases) {
    it(`round-trips ${c.name}`, () => {
      const back = unpackWrites(packWrites(c.writes));
      // Values come back as views into the packed buffer: compare their bytes.
      assert.deepEqual(back.map((w) => ('value' in w ? { ...w, value: [...w.value] } : w)), c.writes.map((w) => ('value' in w ? { ...w, value: [...w.value] } : w)));
    });
  }

  it('packs into a larger shared buffer that is reused, and reads back only the packed length', () => {
    const shared = new SharedArrayBuffer(4096);
    const first: Write[] = [{ kind: 'create', key: '/registry/pods/ns/long-name', value: bytes('x'.repeat(500)), lease: 0 }, { kind: 'delete', key: '/a', expected: 3 }];
    const second: Write[] = [{ kind: 'update', key: '/b', value: bytes('y'), expected: 4, lease: 0 }];
    for (const writes of [first, second]) {
      const length = packInto(writes, shared);
      assert.equal(length, packedSize(writes));
      const back = unpackWrites(shared, length);
      // The second, shorter batch leaves the first one's bytes after it: they must not be read as writes.
      assert.deepEqual(back.map((w) => ('value' in w ? { ...w, value: [...w.value] } : w)), writes.map((w) => ('value' in w ? { ...w, value: [...w.value] } : w)));
    }
  });

  it('refuses a buffer with an unknown kind', () => {
    assert.throws(() => unpackWrites(new Uint8Array([9]).buffer), /unknown kind/);
  });
});
