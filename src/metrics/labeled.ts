import type { Metric, Registry } from 'prom-client';

// Counters and histograms for hot paths. prom-client's Counter.inc and Histogram.observe hash their label set on
// every call (its keys sorted and joined), about a microsecond each; an API server request made three such calls.
// Here a caller looks a series up once by its label values (joined, unsorted: the order is the metric's own) and
// counts into it. Both register in a prom-client Registry and expose the same text as prom-client's own metrics:
// the registry calls get(), getForPromString() and reset() as it does on those.

/** SeriesValue is one exposed value: a sample of a series, with its own labels (le) and the series' labels apart. */
interface SeriesValue {
  metricName?: string;
  value: number;
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
}

/** MetricData is a metric's values in prom-client's shape. */
interface MetricData<V> {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: V[];
}

/** LabeledOptions name a metric and its labels, and the registry that serves it. */
export interface LabeledOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registry: Registry;
}

/** Labeled keeps a metric's series by label values; T is a series. */
abstract class Labeled<L extends string, T> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  readonly #labelNames: readonly L[];
  protected readonly series = new Map<string, { labels: Record<string, string>; series: T }>();

  constructor(opts: LabeledOptions<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.#labelNames = opts.labelNames;
    opts.registry.registerMetric(this as unknown as Metric<L>);
  }

  protected abstract newSeries(): T;

  /** labels is the series of a label set (made on first use); callers may keep it to skip the lookup. */
  labels(labels: Record<L, string>): T {
    let key = '';
    for (const l of this.#labelNames) key += `${labels[l]}\0`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { ...labels }, series: this.newSeries() }));
    return s.series;
  }

  /** get returns the values with each series' labels merged in, as prom-client's metrics do. */
  async get(): Promise<MetricData<Omit<SeriesValue, 'sharedLabels'>>> {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ labels, sharedLabels, ...v }) => ({ ...v, labels: { ...labels, ...sharedLabels } })) };
  }

  /** getForPromString is what the Registry renders. */
  abstract getForPromString(): Promise<MetricData<SeriesValue>>;

  /** reset forgets every series. */
  reset(): void {
    this.series.clear();
  }
}

/** CounterSeries is one label set's count. */
export class CounterSeries {
  value = 0;

  /** inc adds n (1 by default). */
  inc(n = 1): void {
    this.value += n;
  }
}

/** LabeledCounter is a Prometheus counter with label sets. */
export class LabeledCounter<L extends string> extends Labeled<L, CounterSeries> {
  readonly type = 'counter';

  protected newSeries(): CounterSeries {
    return new CounterSeries();
  }

  /** inc adds n to a label set's count. */
  inc(labels: Record<L, string>, n = 1): void {
    this.labels(labels).inc(n);
  }

  async getForPromString(): Promise<MetricData<SeriesValue>> {
    const values: SeriesValue[] = [];
    for (const { labels, series } of this.series.values()) values.push({ labels: {}, sharedLabels: labels, value: series.value });
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }
}

/** HistogramCounts are one series' observations: per bucket (each bound's own count, not cumulative; the last is +Inf), their count and sum. */
export interface HistogramCounts {
  buckets: number[];
  count: number;
  sum: number;
}

/** emptyHistogramCounts are counts with no observation against `bounds`. */
export function emptyHistogramCounts(bounds: readonly number[]): HistogramCounts {
  return { buckets: new Array<number>(bounds.length + 1).fill(0), count: 0, sum: 0 };
}

/** countInto adds one observation to counts against `bounds` (a value on a bound counts in it: le is "less or equal"). */
export function countInto(c: HistogramCounts, bounds: readonly number[], value: number): void {
  let i = 0;
  while (i < bounds.length && value > (bounds[i] as number)) i++;
  c.buckets[i] = (c.buckets[i] as number) + 1;
  c.count++;
  c.sum += value;
}

/** HistogramSeries is one label set's observations against a histogram's bucket bounds. */
export class HistogramSeries {
  readonly counts: HistogramCounts;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = emptyHistogramCounts(bounds);
  }

  /** observe counts one value. */
  observe(value: number): void {
    countInto(this.counts, this.#bounds, value);
  }

  /** add counts what was counted elsewhere against the same bounds (another thread, in bulk). */
  add(c: HistogramCounts): void {
    const into = this.counts;
    for (let i = 0; i < into.buckets.length; i++) into.buckets[i] = (into.buckets[i] as number) + (c.buckets[i] ?? 0);
    into.count += c.count;
    into.sum += c.sum;
  }
}

/** LabeledHistogram is a Prometheus histogram with label sets. */
export class LabeledHistogram<L extends string> extends Labeled<L, HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(opts: LabeledOptions<L> & { buckets: readonly number[] }) {
    super(opts);
    this.buckets = [...opts.buckets];
  }

  protected newSeries(): HistogramSeries {
    return new HistogramSeries(this.buckets);
  }

  /** observe counts one value for a label set. */
  observe(labels: Record<L, string>, value: number): void {
    this.labels(labels).observe(value);
  }

  /** getForPromString gives what prom-client's Histogram does: cumulative buckets, +Inf, sum and count per series. */
  async getForPromString(): Promise<MetricData<SeriesValue>> {
    const values: SeriesValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels: sharedLabels, series } of this.series.values()) {
      const c = series.counts;
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += c.buckets[i] as number;
        values.push({ labels: { le: this.buckets[i] as number }, sharedLabels, value: acc, metricName: bucket });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: c.count, metricName: bucket },
        { labels: {}, sharedLabels, value: c.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: c.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
