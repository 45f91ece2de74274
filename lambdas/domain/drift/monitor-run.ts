/**
 * One run of a drift monitor, pure: given the monitor, the run time and the ports, it
 * reads the reference and current windows, compares them with the drift statistics and returns
 * the report and the series to write. The scheduled function, the local timer and
 * `POST /api/drift/monitors/{name}/run` all call it.
 *
 * Windows are left-open like Prometheus range selectors: the current window of a run at `t` is
 * `(t − schedule.window, t]`, a rolling reference `(t − offset − window, t − offset]`, a fixed
 * one `(start, end]`.
 */
import type { EventStore, PredictionRecord, SeriesStore, TimeRange } from '../ports';
import type { ParsedExprLookup } from '../promql/expr-json';
import { LocalQueryEngine } from '../query/local-query-engine';
import type { QueryEngine } from '../query/query-engine';
import type { DriftConfig, DriftMonitor, EventsSource, HistogramSource } from './drift-config';
import { bucketIncreaseQuery } from './histogram-query';
import { compareBinned, compareDatasets } from './index';
import { driftSeriesOf } from './monitor-series';
import {
  type DriftReport,
  featureOf,
  type ReportFeature,
  type ReportWindow,
  reportId,
} from './report';
import { type BinnedMethod, DEFAULT_THRESHOLDS, type Table } from './types';

/** A cumulative bucket of a histogram: its upper bound and the count's increase over a window. */
interface BucketIncrease {
  /** The `le` label as stored (`0.5`, `+Inf`). */
  readonly le: string;
  readonly bound: number;
  readonly count: number;
}

/** Reads a histogram's bucket increases over a window (Prometheus `increase(x_bucket[w])`). */
interface HistogramReader {
  /**
   * Per `le`, the increase of `<metric>_bucket` over `(endMs − windowMs, endMs]`, summed over
   * the series matching the source's matchers, sorted by bound.
   */
  bucketIncreases(
    source: HistogramSource,
    endMs: number,
    windowMs: number,
  ): Promise<BucketIncrease[]>;
}

/** What a monitor run reads from. */
interface MonitorRunPorts {
  readonly events: EventStore;
  readonly histograms: HistogramReader;
  /** The parsed baseline CSV of a monitor with a `baseline` reference. */
  readonly baseline?: (monitor: string) => Table | undefined;
}

/** A run's outcome: the stored report and the `vigil_drift_*` series. */
interface MonitorRunResult {
  readonly report: DriftReport;
  readonly series: ReturnType<typeof driftSeriesOf>;
}

/** A monitor with a baseline reference whose CSV was not loaded. */
class DriftBaselineMissingError extends Error {
  override readonly name = 'DriftBaselineMissingError';
}

const parseLe = (le: string): number =>
  le === '+Inf' ? Number.POSITIVE_INFINITY : le === '-Inf' ? Number.NEGATIVE_INFINITY : Number(le);

/**
 * The {@link HistogramReader} of a query engine (or of a `SeriesStore`, through Vigil's engine):
 * `sum by (le) (increase(<metric>_bucket{…}[<window>]))` at the window's end, so counter resets
 * and extrapolation are Prometheus's; a remote engine (AMP) evaluates it, only the sums travel.
 * @see https://prometheus.io/docs/prometheus/latest/querying/functions/#increase
 */
const promqlHistogramReader = (
  source: SeriesStore | QueryEngine,
  parsed?: ParsedExprLookup,
): HistogramReader => {
  const engine =
    'instantQuery' in source
      ? source
      : new LocalQueryEngine({ store: source, ...(parsed ? { parsed } : {}) });
  return histogramReaderOf(engine);
};

const histogramReaderOf = (engine: QueryEngine): HistogramReader => ({
  async bucketIncreases(source, endMs, windowMs) {
    const query = bucketIncreaseQuery(source, windowMs);
    const { value } = await engine.instantQuery({ query, timeMs: endMs });
    if (value.type !== 'vector') return [];
    return value.samples
      .filter((s) => s.labels.le !== undefined && !Number.isNaN(parseLe(s.labels.le)))
      .map((s) => ({
        le: s.labels.le as string,
        bound: parseLe(s.labels.le as string),
        count: s.v,
      }))
      .sort((a, b) => a.bound - b.bound);
  },
});

/** The time ranges compared by a run at `runAtMs` (a baseline reference has none). */
const monitorWindows = (
  monitor: DriftMonitor,
  runAtMs: number,
): { reference?: TimeRange; current: TimeRange } => {
  const current = { startMs: runAtMs - monitor.schedule.windowMs, endMs: runAtMs };
  const ref = monitor.reference;
  if (ref.kind === 'window') {
    const endMs = runAtMs - ref.offsetMs;
    return { reference: { startMs: endMs - ref.windowMs, endMs }, current };
  }
  if (ref.kind === 'range')
    return { reference: { startMs: ref.startMs, endMs: ref.endMs }, current };
  return { current };
};

const reportWindow = (r: TimeRange): ReportWindow => ({
  startMs: r.startMs,
  endMs: r.endMs,
  start: new Date(r.startMs).toISOString(),
  end: new Date(r.endMs).toISOString(),
});

/** Records of a left-open window `(startMs, endMs]` (the store's range is closed). */
const queryWindow = async (
  events: EventStore,
  source: EventsSource,
  range: TimeRange,
): Promise<PredictionRecord[]> => {
  const records = await events.query({
    ...(source.service === undefined ? {} : { service: source.service }),
    model: source.model,
    ...(source.modelVersion === undefined ? {} : { modelVersion: source.modelVersion }),
    fields: source.fields,
    range: { startMs: range.startMs + 1, endMs: range.endMs },
  });
  return records.filter((r) => r.timestampMs > range.startMs && r.timestampMs <= range.endMs);
};

/** A table of the given fields from records; missing and empty values are dropped per column. */
const tableOf = (records: readonly PredictionRecord[], fields: readonly string[]): Table => {
  const values: Record<string, (number | string)[]> = {};
  for (const f of fields) values[f] = [];
  for (const r of records) {
    for (const f of fields) {
      const v = r.measures[f];
      if (v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
      values[f]?.push(v);
    }
  }
  return { columns: [...fields], values };
};

/** The baseline table restricted to the monitor's fields (absent columns are empty). */
const restrict = (table: Table, fields: readonly string[]): Table => {
  const values: Record<string, (number | string)[]> = {};
  for (const f of fields) values[f] = table.values[f] ?? [];
  return { columns: [...fields], values };
};

const rowsOf = (t: Table): number => Math.max(0, ...t.columns.map((c) => t.values[c]?.length ?? 0));

const runEventsMonitor = async (
  monitor: DriftMonitor,
  source: EventsSource,
  runAtMs: number,
  ports: MonitorRunPorts,
  settings: Pick<DriftConfig, 'minSampleSize' | 'driftShare'>,
) => {
  const windows = monitorWindows(monitor, runAtMs);
  const currentRecords = await queryWindow(ports.events, source, windows.current);
  const current = tableOf(currentRecords, source.fields);
  let reference: Table;
  let referenceRows: number;
  if (windows.reference) {
    const records = await queryWindow(ports.events, source, windows.reference);
    reference = tableOf(records, source.fields);
    referenceRows = records.length;
  } else {
    const baseline = ports.baseline?.(monitor.name);
    if (!baseline)
      throw new DriftBaselineMissingError(`drift monitor ${monitor.name}: baseline CSV not loaded`);
    reference = restrict(baseline, source.fields);
    referenceRows = rowsOf(reference);
  }
  const result = compareDatasets(reference, current, {
    method: monitor.method,
    ...(monitor.threshold === undefined ? {} : { threshold: monitor.threshold }),
    minSampleSize: settings.minSampleSize,
    driftShare: settings.driftShare,
    columns: [...source.fields],
  });
  return {
    windows,
    features: result.columns.map(featureOf),
    share_drifted: result.share_drifted,
    dataset_drift: result.dataset_drift,
    rows: { reference: referenceRows, current: currentRecords.length },
  };
};

/**
 * Per-bin counts from cumulative bucket increases of two windows over the union of their
 * bounds (a bound missing in one window carries that window's count from the bound below, i.e.
 * an empty bin). Extrapolated increases can make a bucket smaller than the one below; such bins
 * count 0.
 */
const binsOf = (reference: readonly BucketIncrease[], current: readonly BucketIncrease[]) => {
  const bounds = new Map<number, string>();
  for (const b of [...reference, ...current]) if (!bounds.has(b.bound)) bounds.set(b.bound, b.le);
  const sorted = [...bounds.entries()].sort((a, b) => a[0] - b[0]);
  const counts = (buckets: readonly BucketIncrease[]): number[] => {
    const byBound = new Map(buckets.map((b) => [b.bound, b.count]));
    let prevCum = 0;
    let carried = 0;
    return sorted.map(([bound]) => {
      const cum = byBound.get(bound) ?? carried;
      carried = cum;
      const bin = Math.max(0, cum - prevCum);
      prevCum = Math.max(prevCum, cum);
      return bin;
    });
  };
  const labels = sorted.map(([, le], i) => `(${i === 0 ? '-Inf' : sorted[i - 1]?.[1]}, ${le}]`);
  return { labels, reference: counts(reference), current: counts(current) };
};

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

const runHistogramMonitor = async (
  monitor: DriftMonitor,
  source: HistogramSource,
  runAtMs: number,
  ports: MonitorRunPorts,
  settings: Pick<DriftConfig, 'minSampleSize' | 'driftShare'>,
) => {
  const windows = monitorWindows(monitor, runAtMs);
  // Baseline references are refused for histogram sources by validateDriftConfig.
  const refRange = windows.reference as TimeRange;
  const [ref, cur] = await Promise.all([
    ports.histograms.bucketIncreases(source, refRange.endMs, refRange.endMs - refRange.startMs),
    ports.histograms.bucketIncreases(source, runAtMs, monitor.schedule.windowMs),
  ]);
  const bins = binsOf(ref, cur);
  const nRef = sum(bins.reference);
  const nCur = sum(bins.current);
  const method = monitor.method as BinnedMethod;
  const feature: ReportFeature =
    nRef < settings.minSampleSize || nCur < settings.minSampleSize || bins.labels.length === 0
      ? {
          feature: source.metric,
          method,
          statistic: null,
          p_value: null,
          threshold: monitor.threshold ?? DEFAULT_THRESHOLDS[method],
          drift: 'insufficient_data',
          n_reference: nRef,
          n_current: nCur,
          bins,
        }
      : featureOf(
          compareBinned(bins.reference, bins.current, method, {
            ...(monitor.threshold === undefined ? {} : { threshold: monitor.threshold }),
            labels: bins.labels,
            column: source.metric,
          }),
        );
  const drifted = feature.drift === true ? 1 : 0;
  const withVerdict = feature.drift === 'insufficient_data' ? 0 : 1;
  const share = withVerdict === 0 ? 0 : drifted / withVerdict;
  return {
    windows,
    features: [feature],
    share_drifted: share,
    dataset_drift: withVerdict > 0 && share >= settings.driftShare,
    rows: { reference: nRef, current: nCur },
  };
};

/**
 * Runs one monitor at `runAtMs`: compares the windows and returns the report (id
 * `<monitor>.<time>`) and its `vigil_drift_*` series, all stamped `runAtMs`.
 * @example const { report, series } = await runDriftMonitor(monitor, Date.parse('2026-11-25T19:00:00Z'), ports, config.drift);
 */
const runDriftMonitor = async (
  monitor: DriftMonitor,
  runAtMs: number,
  ports: MonitorRunPorts,
  settings: Pick<DriftConfig, 'minSampleSize' | 'driftShare'>,
): Promise<MonitorRunResult> => {
  const { source } = monitor;
  const r =
    source.kind === 'events'
      ? await runEventsMonitor(monitor, source, runAtMs, ports, settings)
      : await runHistogramMonitor(monitor, source, runAtMs, ports, settings);
  const sourceJson =
    source.kind === 'events'
      ? {
          events: {
            model: source.model,
            ...(source.service === undefined ? {} : { service: source.service }),
            ...(source.modelVersion === undefined ? {} : { model_version: source.modelVersion }),
            fields: source.fields,
          },
        }
      : { histogram: { metric: source.metric, matchers: source.selector } };
  const ref = monitor.reference;
  const report: DriftReport = {
    id: reportId(monitor.name, runAtMs),
    monitor: monitor.name,
    runAtMs,
    runAt: new Date(runAtMs).toISOString(),
    source: sourceJson,
    method: monitor.method,
    windows: {
      reference:
        r.windows.reference !== undefined
          ? reportWindow(r.windows.reference)
          : { baseline: ref.kind === 'baseline' ? ref.path : '' },
      current: reportWindow(r.windows.current),
    },
    features: r.features,
    rows: r.rows,
    share_drifted: r.share_drifted,
    dataset_drift: r.dataset_drift,
    drift_share: settings.driftShare,
    min_sample_size: settings.minSampleSize,
  };
  return { report, series: driftSeriesOf(report) };
};

export type { BucketIncrease, HistogramReader, MonitorRunPorts, MonitorRunResult };
export {
  binsOf,
  DriftBaselineMissingError,
  monitorWindows,
  promqlHistogramReader,
  runDriftMonitor,
};
