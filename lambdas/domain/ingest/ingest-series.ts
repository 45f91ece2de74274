import type { IngestLimits, RuntimeConfig } from '../config/types';
import { PayloadTooLargeError } from '../errors';
import type { CardinalityTracker, MetricsMirror, RejectedSample, SeriesStore } from '../ports';
import { internedFacts } from '../series/interned-labels';
import { metricName, seriesKey } from '../series/labels';
import type { Series } from '../series/sample';
import { admitSeriesNames, type IngestOrigin } from './name-budget';
import {
  countSamples,
  describeSeries,
  type IncomingSeries,
  validateSeries,
} from './validate-series';

/** The ports ingestion writes through. */
export interface IngestPorts {
  readonly store: SeriesStore;
  readonly cardinality: CardinalityTracker;
  readonly mirror: MetricsMirror;
}

/**
 * What happened to a request's samples: every one is accepted (stored), rejected with a reason,
 * or dropped on purpose by the user's `write_relabel_configs`.
 */
export interface IngestResult {
  readonly accepted: number;
  readonly rejected: readonly RejectedSample[];
  /** Samples `write_relabel_configs` dropped; absent when it dropped none. */
  readonly dropped?: number;
}

/** Options of one ingestion. */
export interface IngestOptions {
  /** Who writes: a client stays out of the names reserved for Vigil's own series. @default 'client' */
  readonly origin?: IngestOrigin;
}

/**
 * The one ingestion pipeline all formats share: request limits → `write_relabel_configs` →
 * data-model validation → label and metric name budgets (Timestream's per-table quotas) →
 * series-per-metric guard → durable write → CloudWatch mirror (after the write, so a mirrored
 * point is always a stored one). Throws `PayloadTooLargeError` when the request holds too many
 * samples.
 */
const ingestSeries = async (
  incoming: readonly IncomingSeries[],
  ports: IngestPorts,
  config: RuntimeConfig,
  nowMs: number,
  options: IngestOptions = {},
): Promise<IngestResult> => {
  const total = countSamples(incoming);
  if (total > config.limits.maxSamplesPerRequest) {
    throw new PayloadTooLargeError(
      `request holds ${total} samples, more than the limit of ${config.limits.maxSamplesPerRequest} per request`,
    );
  }
  const relabelConfigs = config.writeRelabelConfigs ?? [];
  // The relabel engine (and RE2, when a regex needs it) loads only for a deployment that has rules.
  let relabelled: { series: readonly IncomingSeries[]; droppedSamples: number } = {
    series: incoming,
    droppedSamples: 0,
  };
  if (relabelConfigs.length > 0) {
    const { applyWriteRelabel, loadRegexEngineForRelabel } = await import('./write-relabel');
    await loadRegexEngineForRelabel(relabelConfigs);
    relabelled = applyWriteRelabel(incoming, relabelConfigs);
  }
  const valid = validateSeries(relabelled.series, {
    limits: config.limits,
    nowMs,
    maxSampleAgeMs: config.maxSampleAgeMs,
  });
  const named = await admitSeriesNames(
    valid.accepted,
    ports.cardinality,
    config.limits,
    options.origin ?? 'client',
  );
  const accepted = named.admitted;
  const rejected = [...valid.rejected, ...named.rejected];
  const keyed = accepted.map((s) => ({
    s,
    metric: metricName(s.labels),
    key: internedFacts(s.labels)?.key ?? seriesKey(s.labels),
  }));
  const refused = await admitSeries(keyed, ports.cardinality, config.limits);
  const toWrite: Series[] = [];
  const keys: string[] = [];
  const allRejected: RejectedSample[] = [...rejected];
  for (const { s, metric, key } of keyed) {
    if (!refused.has(key)) {
      toWrite.push(s);
      keys.push(key);
      continue;
    }
    const reason = seriesLimitReason(metric, config.limits, describeSeries(s.labels));
    for (const sample of s.samples) allRejected.push({ labels: s.labels, sample, reason });
  }
  const written =
    toWrite.length > 0 ? await ports.store.write(toWrite, keys) : { accepted: 0, rejected: [] };
  allRejected.push(...written.rejected);
  if (written.accepted > 0) await ports.mirror.mirror(storedOnly(toWrite, written.rejected));
  const dropped = relabelled.droppedSamples;
  return dropped > 0
    ? { accepted: written.accepted, rejected: allRejected, dropped }
    : { accepted: written.accepted, rejected: allRejected };
};

/** The most series `metric` may have: its override, else `limits.maxSeriesPerMetric`. */
const seriesLimitOf = (metric: string, limits: IngestLimits): number =>
  Object.hasOwn(limits.maxSeriesPerMetricOverrides, metric)
    ? (limits.maxSeriesPerMetricOverrides[metric] as number)
    : limits.maxSeriesPerMetric;

/** Why a new series of a full metric is refused, and how to raise its limit. */
const seriesLimitReason = (metric: string, limits: IngestLimits, series: string): string => {
  const limit = seriesLimitOf(metric, limits);
  const which = Object.hasOwn(limits.maxSeriesPerMetricOverrides, metric)
    ? `limits.maxSeriesPerMetricOverrides.${metric}`
    : 'limits.maxSeriesPerMetric';
  return `metric ${metric} already has ${limit} series, its limit (${which}); new series ${series} refused. To admit more, raise it for this metric in vigil.config.yaml: limits: { maxSeriesPerMetricOverrides: { ${metric}: <series> } } (docs/cardinality.md says what a series costs)`;
};

/** Admits the series through the tracker, one call per distinct limit (overridden metrics apart). */
const admitSeries = async (
  keyed: readonly { readonly metric: string; readonly key: string }[],
  tracker: CardinalityTracker,
  limits: IngestLimits,
): Promise<ReadonlySet<string>> => {
  const byLimit = new Map<number, { metric: string; key: string }[]>();
  for (const k of keyed) {
    const limit = seriesLimitOf(k.metric, limits);
    const group = byLimit.get(limit);
    if (group) group.push(k);
    else byLimit.set(limit, [k]);
  }
  if (byLimit.size === 1) {
    const [[limit, series]] = [...byLimit] as [[number, { metric: string; key: string }[]]];
    return tracker.admit(series, limit);
  }
  const refused = new Set<string>();
  for (const [limit, series] of byLimit)
    for (const key of await tracker.admit(series, limit)) refused.add(key);
  return refused;
};

/** The series minus the samples the store refused, so the mirror never shows an unstored point. */
const storedOnly = (series: readonly Series[], refused: readonly RejectedSample[]): Series[] => {
  if (refused.length === 0) return [...series];
  const gone = new Set(refused.map((r) => `${seriesKey(r.labels)}@${r.sample.t}`));
  return series
    .map((s) => {
      const key = seriesKey(s.labels);
      return { labels: s.labels, samples: s.samples.filter((x) => !gone.has(`${key}@${x.t}`)) };
    })
    .filter((s) => s.samples.length > 0);
};

export { ingestSeries, seriesLimitOf };
