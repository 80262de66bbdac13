import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Limiter } from './limiter.ts';
import { Wheel } from './wheel.ts';

describe('Wheel', () => {
  it('hands out every item once per turn, spread over the slots', async () => {
    let now = 0;
    const seen = new Map<number, number>();
    let batches = 0;
    const wheel = new Wheel<number>({ periodMs: 100, tickMs: 10, clock: { now: () => now }, onDue: (items) => {
      batches++;
      for (const i of items) seen.set(i, (seen.get(i) ?? 0) + 1);
    } });
    for (let i = 0; i < 50; i++) wheel.add(i, i);
    wheel.remove(7);
    const stop = new AbortController();
    wheel.start(stop.signal);
    // Stepping the clock one whole period at once makes the next tick catch up on all ten slots.
    now = 99;
    await new Promise((r) => setTimeout(r, 30));
    stop.abort();
    assert.equal(seen.size, 49);
    assert.ok([...seen.values()].every((n) => n === 1));
    assert.equal(seen.has(7), false);
    assert.ok(batches >= 1);
  });

  it('catches up at most one turn after a stall', async () => {
    let now = 0;
    let calls = 0;
    const wheel = new Wheel<string>({ periodMs: 40, tickMs: 10, clock: { now: () => now }, onDue: (items) => (calls += items.length) });
    wheel.add('a', 0);
    const stop = new AbortController();
    wheel.start(stop.signal);
    now = 10_000;
    await new Promise((r) => setTimeout(r, 25));
    stop.abort();
    assert.equal(calls, 1);
  });
});

describe('Limiter', () => {
  it('never runs more than its maximum at once and runs everything', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limiter.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1));
      active--;
      return i;
    })));
    assert.equal(peak, 3);
    assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(limiter.active, 0);
  });
});
