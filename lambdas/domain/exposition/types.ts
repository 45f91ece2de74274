import type { Labels } from '../series/labels';

/**
 * Metric types of the text exposition format 0.0.4.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 */
const MetricType = {
  Counter: 'counter',
  Gauge: 'gauge',
  Histogram: 'histogram',
  Summary: 'summary',
  Untyped: 'untyped',
} as const;

type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** One sample line of a family. */
interface ExpositionSample {
  /** Full sample name as written, e.g. `x_bucket`, `x_sum`, `x_count`, `x_total`. */
  readonly name: string;
  /** Labels as written (no `__name__`), in line order; a repeated `le`/`quantile` keeps the last. */
  readonly labels: Labels;
  readonly value: number;
  /** Optional int64 millisecond timestamp of the line. */
  readonly timestampMs?: number;
}

/**
 * A metric family as `expfmt.TextParser` groups it: histogram `_bucket`/`_sum`/`_count` lines and
 * summary quantile/`_sum`/`_count` lines belong to the family named in the `# TYPE` line.
 */
interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly samples: readonly ExpositionSample[];
}

/** One flat series sample, as stored: labels include `__name__`. */
interface ExpositionSeries {
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

export type { ExpositionSample, ExpositionSeries, MetricFamily };
export { MetricType };
