/**
 * Pure formatting of mirrored series into CloudWatch Embedded Metric Format (EMF) log lines.
 * No SDK, no I/O: `EmfMetricsMirror` writes the lines, this file decides what they say.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Decisions (`cloudwatch.mirror` in docs/configuration.md is the user's view):
 * - Only metrics named in the allow-list are mirrored, and only the label names listed in their
 *   rule become dimensions, in the rule's order. Other labels are dropped, so series that differ
 *   only in unlisted labels are aggregated by CloudWatch into one metric (that is the point: the
 *   bill is per unique name + dimensions).
 * - Every datapoint of a rule carries the rule's full dimension set. A series that lacks one of
 *   the listed labels gets the value {@link MISSING_DIMENSION_VALUE} (`"none"`) for it. EMF needs
 *   every dimension key as a string member of the root, and CloudWatch rejects empty dimension
 *   values; a fixed dimension set also means an alarm or dashboard defined with the rule's
 *   dimensions (cdk-monitoring `dimensionsMap`) sees every datapoint, instead of some of them
 *   silently landing in a different metric with fewer dimensions.
 * - Samples are grouped per (dimension values, minute). One line carries every allow-listed
 *   metric of that group, each as an array of values (CloudWatch computes sum, min, max, count,
 *   average and percentiles from the individual values). `Timestamp` is the start of the minute:
 *   at the default 60 s storage resolution CloudWatch aggregates per minute anyway.
 * - EMF has no `Counts` array (that is PutMetricData's `Values`/`Counts`): repeated values are
 *   sent as repeated array members.
 * - Values CloudWatch cannot store are skipped and counted by reason: Prometheus staleness
 *   markers, NaN, ±Inf, |v| > 2^360, timestamps older than 14 days or more than 2 hours ahead,
 *   dimension values that are not 1–1024 printable ASCII characters. Rules CloudWatch could never
 *   accept (more than 30 dimensions, a metric name longer than 255 characters or clashing with a
 *   dimension key or `_aws`) are refused up front by {@link validateMirrorRules}.
 */
import type { MirrorRule } from '../../domain/config/types';
import type { MirroredSeries } from '../../domain/ports';
import { METRIC_NAME_LABEL } from '../../domain/series/labels';
import { isStaleNaN } from '../../domain/series/sample';

/** Value given to a listed dimension whose label the series does not have. */
const MISSING_DIMENSION_VALUE = 'none';

/** EMF: a MetricDirective MUST NOT contain more than 100 metric definitions. */
const MAX_METRICS_PER_DOCUMENT = 100;
/** EMF: a metric's value array MUST NOT contain more than 100 values. */
const MAX_VALUES_PER_METRIC = 100;
/** EMF: a DimensionSet MUST NOT contain more than 30 dimension keys. */
const MAX_DIMENSIONS_PER_SET = 30;
/** CloudWatch dimension values: 1–1024 ASCII characters (API_Dimension). */
const MAX_DIMENSION_VALUE_CHARS = 1024;
/** CloudWatch metric and dimension names: 1–255 characters (API_MetricDatum, API_Dimension). */
const MAX_NAME_CHARS = 255;
/** CloudWatch namespaces: 1–255 characters (API_PutMetricData). */
const MAX_NAMESPACE_CHARS = 255;
/** CloudWatch rejects values outside ±2^360 (API_MetricDatum `Value`). */
const MAX_ABS_VALUE = 2 ** 360;
/** EMF timestamps older than 14 days are not extracted (same bound as Powertools Metrics). */
const MAX_PAST_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** EMF timestamps more than 2 hours ahead are not extracted (same bound as Powertools Metrics). */
const MAX_FUTURE_AGE_MS = 2 * 60 * 60 * 1000;
/**
 * Largest line we emit, bytes. A CloudWatch Logs event holds 256 KiB (1 MiB in newer
 * documentation); staying under the older bound works everywhere.
 */
const MAX_LINE_BYTES = 256 * 1024 - 1024;
/** Samples are grouped per minute, CloudWatch's default storage resolution. */
const GROUP_INTERVAL_MS = 60_000;

/** Why a sample was not mirrored. */
const SkipReason = {
  Stale: 'stale',
  NonFinite: 'non-finite',
  OutOfRange: 'out-of-range',
  TooOld: 'too-old',
  TooNew: 'too-new',
  InvalidDimension: 'invalid-dimension',
} as const;
type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** The allow-list is unusable (caught when the mirror is built, not on the hot path). */
class MirrorConfigError extends Error {
  override readonly name = 'MirrorConfigError';
}

interface EmfFormatOptions {
  /** CloudWatch namespace of every metric. */
  readonly namespace: string;
  /** Allow-list: metric name and the label names kept as dimensions. */
  readonly rules: readonly MirrorRule[];
  /** Current time, ms; bounds the accepted timestamps. */
  readonly nowMs: number;
}

interface EmfFormatResult {
  /** EMF documents, one JSON object per line, without trailing newline. */
  readonly lines: string[];
  /** Values written into the lines. */
  readonly emitted: number;
  /** Samples of allow-listed metrics that were not written. */
  readonly skipped: number;
  readonly skippedByReason: Readonly<Record<SkipReason, number>>;
}

interface Group {
  readonly timestampMs: number;
  readonly dimensionKeys: readonly string[];
  readonly dimensionValues: readonly string[];
  readonly metrics: Map<string, number[]>;
}

const PRINTABLE_ASCII_RE = /^[\x20-\x7e]+$/;

const isValidDimensionValue = (v: string): boolean =>
  v.length <= MAX_DIMENSION_VALUE_CHARS && PRINTABLE_ASCII_RE.test(v) && v.trim() !== '';

/**
 * Checks an allow-list against CloudWatch's limits. Throws {@link MirrorConfigError} naming the
 * first offending rule.
 */
const validateMirrorRules = (namespace: string, rules: readonly MirrorRule[]): void => {
  if (
    namespace.length === 0 ||
    namespace.length > MAX_NAMESPACE_CHARS ||
    !PRINTABLE_ASCII_RE.test(namespace) ||
    namespace.startsWith(':') ||
    namespace.startsWith('AWS/')
  ) {
    throw new MirrorConfigError(
      `cloudwatch.namespace ${JSON.stringify(namespace)}: must be 1-${MAX_NAMESPACE_CHARS} printable ASCII characters, not starting with ':' or 'AWS/'`,
    );
  }
  rules.forEach((rule, i) => {
    const where = `cloudwatch.mirror[${i}] (${rule.metric})`;
    if (rule.metric.length === 0 || rule.metric.length > MAX_NAME_CHARS || rule.metric === '_aws') {
      throw new MirrorConfigError(
        `${where}: metric name must be 1-${MAX_NAME_CHARS} characters and not '_aws'`,
      );
    }
    if (rule.dimensions.length > MAX_DIMENSIONS_PER_SET) {
      throw new MirrorConfigError(
        `${where}: ${rule.dimensions.length} dimensions, EMF allows at most ${MAX_DIMENSIONS_PER_SET}`,
      );
    }
    if (new Set(rule.dimensions).size !== rule.dimensions.length) {
      throw new MirrorConfigError(`${where}: a dimension is listed twice`);
    }
    for (const d of rule.dimensions) {
      if (d.length === 0 || d.length > MAX_NAME_CHARS || d === '_aws' || d === rule.metric) {
        throw new MirrorConfigError(
          `${where}: dimension ${JSON.stringify(d)} is empty, too long, or clashes with the metric name or '_aws'`,
        );
      }
    }
  });
};

const emptyCounts = (): Record<SkipReason, number> => ({
  stale: 0,
  'non-finite': 0,
  'out-of-range': 0,
  'too-old': 0,
  'too-new': 0,
  'invalid-dimension': 0,
});

/** The reason a sample cannot be mirrored, or undefined when it can. */
const sampleProblem = (t: number, v: number, nowMs: number): SkipReason | undefined => {
  if (isStaleNaN(v)) return SkipReason.Stale;
  if (!Number.isFinite(v)) return SkipReason.NonFinite;
  if (Math.abs(v) > MAX_ABS_VALUE) return SkipReason.OutOfRange;
  if (t < nowMs - MAX_PAST_AGE_MS) return SkipReason.TooOld;
  if (t > nowMs + MAX_FUTURE_AGE_MS) return SkipReason.TooNew;
  return undefined;
};

const buildDocument = (
  namespace: string,
  group: Group,
  metrics: readonly (readonly [string, readonly number[]])[],
): string => {
  const doc: Record<string, unknown> = {
    _aws: {
      Timestamp: group.timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [group.dimensionKeys],
          Metrics: metrics.map(([name]) => ({ Name: name })),
        },
      ],
    },
  };
  group.dimensionKeys.forEach((k, i) => {
    doc[k] = group.dimensionValues[i];
  });
  for (const [name, values] of metrics) doc[name] = values.length === 1 ? values[0] : values;
  return JSON.stringify(doc);
};

/** Appends documents for `metrics`, halving the set while a line would be too large. */
const pushDocuments = (
  out: string[],
  namespace: string,
  group: Group,
  metrics: readonly (readonly [string, readonly number[]])[],
): void => {
  const line = buildDocument(namespace, group, metrics);
  if (Buffer.byteLength(line) <= MAX_LINE_BYTES || metrics.length === 1) {
    out.push(line);
    return;
  }
  const half = Math.ceil(metrics.length / 2);
  pushDocuments(out, namespace, group, metrics.slice(0, half));
  pushDocuments(out, namespace, group, metrics.slice(half));
};

/** Lines for one group: value arrays cut at 100, at most 100 metrics per line. */
const formatGroup = (namespace: string, group: Group, out: string[]): void => {
  const names = [...group.metrics.keys()].sort();
  for (let offset = 0; ; offset += MAX_VALUES_PER_METRIC) {
    const slice: [string, number[]][] = [];
    for (const name of names) {
      const values = group.metrics.get(name) ?? [];
      if (offset < values.length) {
        slice.push([name, values.slice(offset, offset + MAX_VALUES_PER_METRIC)]);
      }
    }
    if (slice.length === 0) return;
    for (let i = 0; i < slice.length; i += MAX_METRICS_PER_DOCUMENT) {
      pushDocuments(out, namespace, group, slice.slice(i, i + MAX_METRICS_PER_DOCUMENT));
    }
  }
};

/**
 * Formats allow-listed samples as EMF documents, one per line.
 *
 * Lines come out sorted by minute, then by dimension values, so the output is deterministic.
 * Call {@link validateMirrorRules} once beforehand; rules are trusted here.
 *
 * @param series - series with `__name__` among their labels; names not in `rules` are ignored
 *   (neither emitted nor counted as skipped).
 * @example
 * formatEmf([{ labels: { __name__: 'latency_seconds', model: 'a' }, samples: [{ t: 60_000, v: 0.2 }] }],
 *   { namespace: 'Vigil', rules: [{ metric: 'latency_seconds', dimensions: ['model'] }], nowMs: 61_000 });
 * // lines[0] === '{"_aws":{"Timestamp":60000,"CloudWatchMetrics":[{"Namespace":"Vigil",
 * //   "Dimensions":[["model"]],"Metrics":[{"Name":"latency_seconds"}]}]},"model":"a","latency_seconds":0.2}'
 */
const formatEmf = (
  series: readonly MirroredSeries[],
  options: EmfFormatOptions,
): EmfFormatResult => {
  const rulesByMetric = new Map<string, MirrorRule[]>();
  for (const rule of options.rules) {
    const list = rulesByMetric.get(rule.metric) ?? [];
    list.push(rule);
    rulesByMetric.set(rule.metric, list);
  }
  const skippedByReason = emptyCounts();
  const groups = new Map<string, Group>();
  let emitted = 0;

  for (const s of series) {
    const name = s.labels[METRIC_NAME_LABEL] ?? '';
    const rules = rulesByMetric.get(name);
    if (!rules) continue;
    for (const rule of rules) {
      const dimensionValues = rule.dimensions.map((d) => {
        const v = s.labels[d];
        return v === undefined || v === '' ? MISSING_DIMENSION_VALUE : v;
      });
      if (!dimensionValues.every(isValidDimensionValue)) {
        skippedByReason[SkipReason.InvalidDimension] += s.samples.length;
        continue;
      }
      const dimensionId = JSON.stringify([rule.dimensions, dimensionValues]);
      for (const { t, v } of s.samples) {
        const problem = sampleProblem(t, v, options.nowMs);
        if (problem) {
          skippedByReason[problem] += 1;
          continue;
        }
        const timestampMs = Math.floor(t / GROUP_INTERVAL_MS) * GROUP_INTERVAL_MS;
        const id = `${timestampMs}\u0000${dimensionId}`;
        let group = groups.get(id);
        if (!group) {
          group = {
            timestampMs,
            dimensionKeys: rule.dimensions,
            dimensionValues,
            metrics: new Map(),
          };
          groups.set(id, group);
        }
        const values = group.metrics.get(name) ?? [];
        values.push(v);
        group.metrics.set(name, values);
        emitted += 1;
      }
    }
  }

  const lines: string[] = [];
  const ordered = [...groups.entries()].sort(([a], [b]) => {
    const ta = Number(a.slice(0, a.indexOf('\u0000')));
    const tb = Number(b.slice(0, b.indexOf('\u0000')));
    return ta - tb || (a < b ? -1 : a > b ? 1 : 0);
  });
  for (const [, group] of ordered) formatGroup(options.namespace, group, lines);
  const skipped = Object.values(skippedByReason).reduce((a, b) => a + b, 0);
  return { lines, emitted, skipped, skippedByReason };
};

export type { EmfFormatOptions, EmfFormatResult };
export {
  formatEmf,
  MAX_DIMENSIONS_PER_SET,
  MAX_LINE_BYTES,
  MAX_METRICS_PER_DOCUMENT,
  MAX_VALUES_PER_METRIC,
  MISSING_DIMENSION_VALUE,
  MirrorConfigError,
  SkipReason,
  validateMirrorRules,
};
