import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWorkers, WorkQueue } from './workqueue.ts';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** reconciles runs workers over the queue and records every key they are handed, in order. */
function reconciles(queue: WorkQueue<string>, workers: number): { seen: string[]; done: Promise<void> } {
  const seen: string[] = [];
  const done = runWorkers(queue, workers, async (key) => {
    seen.push(key);
    await turn();
  });
  return { seen, done };
}

describe('WorkQueue', () => {
  it('hands a burst of adds of one key to an idle worker once', async () => {
    const queue = new WorkQueue<string>();
    const { seen, done } = reconciles(queue, 2);
    await turn();
    // One watch read or storage commit delivers many events for the same owner in one go.
    for (let i = 0; i < 50; i++) queue.add('default/rs');
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(seen, ['default/rs']);
    queue.shutDown();
    await done;
  });

  it('keeps the order of first adds within a burst and each key once', async () => {
    const queue = new WorkQueue<string>();
    const { seen, done } = reconciles(queue, 1);
    await turn();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(k);
    for (let i = 0; i < 10; i++) await turn();
    assert.deepEqual(seen, ['a', 'b', 'c']);
    queue.shutDown();
    await done;
  });

  it('processes a key added while it is being processed once more afterwards, never twice at once', async () => {
    const queue = new WorkQueue<string>();
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const done = runWorkers(queue, 4, async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (calls === 1) {
        queue.add('k');
        queue.add('k');
      }
      await turn();
      active--;
    });
    queue.add('k');
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(calls, 2);
    assert.equal(maxActive, 1);
    queue.shutDown();
    await done;
  });

  it('lets the earliest of several delayed adds of one key win', async () => {
    const queue = new WorkQueue<string>();
    const { seen, done } = reconciles(queue, 1);
    // A requeue far in the future (a CronJob's next minute) must not hold back a retry due sooner.
    queue.addAfter('k', 60_000);
    queue.addAfter('k', 20);
    queue.addAfter('k', 30_000);
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, ['k']);
    queue.shutDown();
    await done;
  });

  it('gives a queued key to get at once and undefined after shutDown', async () => {
    const queue = new WorkQueue<string>();
    queue.add('x');
    assert.equal(queue.len, 1);
    assert.equal(await queue.get(), 'x');
    const waiting = queue.get();
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('y');
    assert.equal(queue.len, 0);
  });

  it('hands keys added later to a waiting get', async () => {
    const queue = new WorkQueue<string>();
    const got = queue.get();
    queue.add('later');
    assert.equal(await got, 'later');
    queue.done('later');
  });
});
