import type { Metric, Registry } from 'prom-client';

// The ingress's request duration histogram. The data-plane threads count their requests into buckets themselves
// and send the counts (a few numbers per series every flush, whatever the request rate); prom-client's Histogram
// takes observations only one at a time, each hashing its label set, which cost the main thread about a
// microsecond per proxied request. This one is registered in the same prom-client Registry and exposes the same
// series, in prom-client's shape (bucket, sum and count values with the series labels as shared labels).

/** durationBuckets are the upper bounds in seconds of ingress-nginx's request duration histogram. */
export const durationBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** DurationCounts are one series' observations: per bucket (each bound's own count, not cumulative; the last is +Inf), their count and sum. */
export interface DurationCounts {
  buckets: number[];
  count: number;
  sum: number;
}

/** emptyCounts are counts with no observation. */
export function emptyCounts(): DurationCounts {
  return { buckets: new Array<number>(durationBuckets.length + 1).fill(0), count: 0, sum: 0 };
}

/** countDuration adds one observation (seconds) to c. */
export function countDuration(c: DurationCounts, seconds: number): void {
  let i = 0;
  while (i < durationBuckets.length && seconds > (durationBuckets[i] as number)) i++;
  c.buckets[i] = (c.buckets[i] as number) + 1;
  c.count++;
  c.sum += seconds;
}

/** DurationSeries is one label set's series of a DurationHistogram. */
export class DurationSeries {
  readonly counts = emptyCounts();

  /** observe counts one duration in seconds. */
  observe(seconds: number): void {
    countDuration(this.counts, seconds);
  }

  /** add counts what another thread counted. */
  add(c: DurationCounts): void {
    const into = this.counts;
    for (let i = 0; i < into.buckets.length; i++) into.buckets[i] = (into.buckets[i] as number) + (c.buckets[i] ?? 0);
    into.count += c.count;
    into.sum += c.sum;
  }
}

/** DurationValue is one exposed value: a bucket (le), the sum or the count of a series. */
export interface DurationValue {
  metricName: string;
  value: number;
  labels: Record<string, string | number>;
}

/** DurationMetric is the histogram's values in prom-client's shape. */
export interface DurationMetric<V> {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: V[];
}

/** DurationHistogramOptions name the histogram and its labels, and the registry that serves it. */
export interface DurationHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registry: Registry;
}

/** DurationHistogram is a Prometheus histogram of durations whose series also take bucket counts in bulk. */
export class DurationHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, { labels: Record<L, string>; series: DurationSeries }>();

  constructor(opts: DurationHistogramOptions<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.#labelNames = opts.labelNames;
    // The registry calls get() and reset(), as on its own metrics.
    opts.registry.registerMetric(this as unknown as Metric<L>);
  }

  /** labels is the series of a label set (made on first use); callers keep it to skip the lookup. */
  labels(labels: Record<L, string>): DurationSeries {
    const key = this.#labelNames.map((l) => labels[l]).join('\0');
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = { labels: { ...labels }, series: new DurationSeries() }));
    return s.series;
  }

  /** get returns the series' values as prom-client's Histogram does: cumulative buckets, +Inf, sum and count. */
  async get(): Promise<DurationMetric<DurationValue>> {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ labels, sharedLabels, ...v }) => ({ ...v, labels: { ...labels, ...sharedLabels } })) };
  }

  /** getForPromString is what the Registry renders: each value's series labels apart (sharedLabels), after le. */
  async getForPromString(): Promise<DurationMetric<DurationValue & { sharedLabels: Record<string, string> }>> {
    const values: (DurationValue & { sharedLabels: Record<string, string> })[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels: sharedLabels, series } of this.#series.values()) {
      const c = series.counts;
      let acc = 0;
      for (let i = 0; i < durationBuckets.length; i++) {
        acc += c.buckets[i] as number;
        values.push({ labels: { le: durationBuckets[i] as number }, sharedLabels, value: acc, metricName: bucket });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: c.count, metricName: bucket },
        { labels: {}, sharedLabels, value: c.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: c.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  /** reset forgets every series. */
  reset(): void {
    this.#series.clear();
  }
}
