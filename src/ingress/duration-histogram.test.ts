import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { DurationHistogram, durationBuckets, emptyCounts, countDuration } from './duration-histogram.ts';

// The histogram must read as prom-client's own would, in the /metrics text and in get() (traffic-metrics.ts).

const labelNames = ['service', 'status'] as const;
const observations: [service: string, status: string, seconds: number][] = [
  ['a', '200', 0.001],
  ['a', '200', 0.005], // on a bound: counted in it (le is "less or equal")
  ['a', '200', 0.0051],
  ['a', '200', 0.3],
  ['a', '200', 11], // past the last bound: +Inf only
  ['a', '502', 2.5],
  ['b', '200', 0.02],
];

function both(): { ours: Registry; theirs: Registry; hist: DurationHistogram<(typeof labelNames)[number]> } {
  const ours = new Registry();
  const theirs = new Registry();
  const hist = new DurationHistogram({ name: 'req_seconds', help: 'Request time.', labelNames, registry: ours });
  const reference = new Histogram({ name: 'req_seconds', help: 'Request time.', labelNames, buckets: [...durationBuckets], registers: [theirs] });
  for (const [service, status, seconds] of observations) reference.labels({ service, status }).observe(seconds);
  return { ours, theirs, hist };
}

describe('DurationHistogram', () => {
  it('exposes what prom-client Histogram does for observations one at a time', async () => {
    const { ours, theirs, hist } = both();
    for (const [service, status, seconds] of observations) hist.labels({ service, status }).observe(seconds);
    assert.equal(await ours.metrics(), await theirs.metrics());
    // prom-client's values also carry an exemplar field (null without exemplars).
    const reference = await theirs.getSingleMetric('req_seconds')?.get();
    const values = reference?.values.map((v) => {
      const { exemplar: _, ...rest } = v as typeof v & { exemplar?: unknown };
      return rest;
    });
    assert.deepEqual(await hist.get(), { ...reference, values });
  });

  it('exposes the same for bucket counts added in bulk (a worker thread counted them)', async () => {
    const { ours, theirs, hist } = both();
    const counted = new Map<string, ReturnType<typeof emptyCounts>>();
    for (const [service, status, seconds] of observations) {
      const key = `${service}/${status}`;
      if (!counted.has(key)) counted.set(key, emptyCounts());
      countDuration(counted.get(key) as ReturnType<typeof emptyCounts>, seconds);
    }
    // Two batches for one series add up.
    for (const [key, c] of counted) {
      const [service = '', status = ''] = key.split('/');
      const half = { buckets: c.buckets.map(() => 0), count: 0, sum: 0 };
      hist.labels({ service, status }).add(c);
      hist.labels({ service, status }).add(half);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
  });

  it('forgets its series on reset', async () => {
    const { ours, hist } = both();
    hist.labels({ service: 'a', status: '200' }).observe(1);
    ours.resetMetrics();
    assert.deepEqual((await hist.get()).values, []);
  });
});
