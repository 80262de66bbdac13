import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowStartBatch } from './manage.ts';

describe('slowStartBatch', () => {
  const cases = [
    { name: 'all succeed in batches 1, 2, 4, 3', count: 10, failAt: -1, want: { created: 10, calls: 10 } },
    { name: 'a failure in the third batch stops later batches', count: 10, failAt: 4, want: { created: 6, calls: 7 } },
    { name: 'a failure in the first call stops everything', count: 10, failAt: 0, want: { created: 0, calls: 1 } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      let calls = 0;
      const res = await slowStartBatch(c.count, 1, async () => {
        const n = calls++;
        if (n === c.failAt) throw new Error('quota exceeded');
      });
      assert.deepEqual({ created: res.created, calls }, c.want);
      assert.equal(res.error?.message, c.failAt >= 0 ? 'quota exceeded' : undefined);
    });
  }
});
