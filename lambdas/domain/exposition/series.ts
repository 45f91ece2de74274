import { type Labels, METRIC_NAME_LABEL, normalizeLabels } from '../series/labels';
import { formatOpenMetricsFloat, parseGoFloat } from './go-format';
import type { ExpositionSeries, MetricFamily } from './types';

/** Options of {@link familiesToSeries}. */
interface FamiliesToSeriesOptions {
  /** Timestamp of samples whose line carries none (the push or scrape time). */
  readonly defaultTimestampMs: number;
  /** Labels added to every series (e.g. a Pushgateway grouping key); they win over pushed labels. */
  readonly extraLabels?: Labels;
}

/** Sets a label, `__proto__` included (a valid label name that plain assignment would swallow). */
const setLabel = (labels: Record<string, string>, name: string, value: string): void => {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, { value, enumerable: true, writable: true });
  } else labels[name] = value;
};

/** Prometheus 3.x rewrites `le` (histograms) and `quantile` (summaries) in OpenMetrics float form. */
const normalizedSpecialLabel = (type: MetricFamily['type']): string | undefined => {
  if (type === 'histogram') return 'le';
  if (type === 'summary') return 'quantile';
  return undefined;
};

/**
 * Flattens parsed families into one series sample per sample line: `__name__` is the sample's
 * full name (`x_bucket`, `x_sum`…), `extraLabels` override pushed labels, empty label values are
 * dropped ({@link normalizeLabels}), and `le`/`quantile` values are normalized as Prometheus 3.x
 * does on ingestion (`le="1"` → `le="1.0"`), so prom-client and prometheus_client buckets agree.
 * @param families the output of `parseExposition`.
 * @param opts default timestamp and extra labels.
 * @example
 * familiesToSeries(parseExposition('x_bucket{le="1"} 3\n'), { defaultTimestampMs: 1000 });
 * // [{ labels: { __name__: 'x_bucket', le: '1' }, value: 3, timestampMs: 1000 }] (untyped: le kept)
 * @see https://prometheus.io/docs/prometheus/latest/migration/#le-and-quantile-label-values
 */
const familiesToSeries = (
  families: readonly MetricFamily[],
  opts: FamiliesToSeriesOptions,
): ExpositionSeries[] => {
  const out: ExpositionSeries[] = [];
  const extra = opts.extraLabels ?? {};
  for (const family of families) {
    const special = normalizedSpecialLabel(family.type);
    for (const sample of family.samples) {
      const labels: Record<string, string> = {};
      for (const [n, v] of Object.entries(sample.labels)) {
        let value = v;
        if (n === special) {
          const f = parseGoFloat(v);
          if (f !== undefined) value = formatOpenMetricsFloat(f);
        }
        setLabel(labels, n, value);
      }
      for (const [n, v] of Object.entries(extra)) setLabel(labels, n, v);
      labels[METRIC_NAME_LABEL] = sample.name;
      out.push({
        labels: normalizeLabels(labels),
        value: sample.value,
        timestampMs: sample.timestampMs ?? opts.defaultTimestampMs,
      });
    }
  }
  return out;
};

export type { FamiliesToSeriesOptions };
export { familiesToSeries };
