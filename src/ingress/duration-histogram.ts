import { countInto, emptyHistogramCounts, LabeledHistogram, type HistogramCounts, type HistogramSeries, type LabeledOptions } from '../metrics/labeled.ts';

// The ingress's request duration histogram. The data-plane threads count their requests into buckets themselves
// and send the counts (a few numbers per series every flush, whatever the request rate); the main thread adds them
// to the series in bulk (metrics/labeled.ts), where prom-client's Histogram takes observations one at a time.

/** durationBuckets are the upper bounds in seconds of ingress-nginx's request duration histogram. */
export const durationBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** DurationCounts are one series' observations against durationBuckets. */
export type DurationCounts = HistogramCounts;

/** DurationSeries is one label set's series of a DurationHistogram. */
export type DurationSeries = HistogramSeries;

/** emptyCounts are counts with no observation. */
export function emptyCounts(): DurationCounts {
  return emptyHistogramCounts(durationBuckets);
}

/** countDuration adds one observation (seconds) to c. */
export function countDuration(c: DurationCounts, seconds: number): void {
  countInto(c, durationBuckets, seconds);
}

/** DurationHistogram is a Prometheus histogram of request durations in ingress-nginx's buckets. */
export class DurationHistogram<L extends string> extends LabeledHistogram<L> {
  constructor(opts: LabeledOptions<L>) {
    super({ ...opts, buckets: durationBuckets });
  }
}
