import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Heap } from './heap.ts';

describe('Heap', () => {
  it('pops in order and supports update and delete by key', () => {
    const h = new Heap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    for (const [k, v] of [['a', 5], ['b', 3], ['c', 8], ['d', 1], ['e', 7]] as const) h.addOrUpdate({ k, v });
    h.addOrUpdate({ k: 'c', v: 0 });
    assert.equal(h.delete('b')?.v, 3);
    const out: string[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.k);
    assert.deepEqual(out, ['c', 'd', 'a', 'e']);
    assert.equal(h.size, 0);
  });
});
