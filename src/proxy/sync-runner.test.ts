import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncRunner, type Timers } from './sync-runner.ts';

/** FakeTimers runs due callbacks when the test advances its clock. */
class FakeTimers implements Timers {
  now = 0;
  #queue: { at: number; fn: () => void; id: number }[] = [];
  #id = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.#queue.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.#queue = this.#queue.filter((t) => t.id !== h);
  }
  /** advance moves time forward, running callbacks (and the promises they start) as they fall due. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = this.#queue.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#queue = this.#queue.filter((t) => t !== due);
      this.now = Math.max(this.now, due.at);
      due.fn();
    }
    this.now = until;
    await new Promise((r) => setImmediate(r));
  }
}

function harness(opts: { fail?: () => boolean } = {}): { timers: FakeTimers; runs: number[]; runner: SyncRunner } {
  const timers = new FakeTimers();
  const runs: number[] = [];
  const runner = new SyncRunner({
    run: async () => {
      runs.push(timers.now);
      if (opts.fail?.()) throw new Error('nft failed');
    },
    minIntervalMs: 1000,
    burst: 2,
    retryMs: 500,
    clock: { now: () => timers.now },
    timers,
  });
  return { timers, runs, runner };
}

describe('SyncRunner', () => {
  it('runs the first request at once and folds requests of one turn into one run', async () => {
    const { timers, runs, runner } = harness();
    runner.request();
    runner.request();
    runner.request();
    await timers.advance(0);
    assert.deepEqual(runs, [0]);
  });

  it('allows a burst of two, then one run per interval', async () => {
    const { timers, runs, runner } = harness();
    for (let t = 0; t < 5; t++) {
      runner.request();
      await timers.advance(100);
    }
    await timers.advance(3000);
    // Requests at 0..400 ms: two at once, the rest batched behind the refilled token.
    assert.deepEqual(runs, [0, 100, 1000]);
  });

  it('retries a failed run', async () => {
    let fails = 1;
    const { timers, runs, runner } = harness({ fail: () => fails-- > 0 });
    runner.request();
    await timers.advance(600);
    assert.deepEqual(runs, [0, 500]);
  });

  it('does nothing after stop', async () => {
    const { timers, runs, runner } = harness();
    runner.stop();
    runner.request();
    await timers.advance(5000);
    assert.deepEqual(runs, []);
  });
});
