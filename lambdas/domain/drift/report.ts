/**
 * The JSON report a drift monitor run stores (S3 on AWS, the data directory locally) and
 * `GET /api/drift/reports/{id}` returns: the windows compared, each feature's verdict and its
 * binned distributions (`bins` of the binned methods, `histogram` of ks and wasserstein), which
 * the HTML report (`report-html.ts`) draws.
 */
import { BadRequestError } from '../errors';
import type { ColumnDrift } from './types';

/** A feature's reference and current distributions over the same bins. */
interface ReportBins {
  /** Bin labels: categories, or intervals such as `(0.5, 0.75]` / `[0, 0.1)`. */
  readonly labels: readonly string[];
  /** Counts (or shares, for distance methods) per bin, same order as `labels`. */
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

/**
 * A numeric feature's histograms (ks, wasserstein, which bin nothing themselves): Sturges edges
 * over both windows, counts per `[e_i, e_{i+1})` bin, the last one closed.
 */
interface ReportHistogram {
  readonly edges: readonly number[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

/** One feature's result, as `vigil drift --format json` prints a column, plus its bins. */
interface ReportFeature {
  readonly feature: string;
  readonly method: string;
  /** The test's own statistic (D, χ², z) or the distance/index; null without a verdict. */
  readonly statistic: number | null;
  /** Null for distance methods and without a verdict. */
  readonly p_value: number | null;
  readonly threshold: number;
  readonly drift: boolean | 'insufficient_data';
  readonly n_reference: number;
  readonly n_current: number;
  readonly bins?: ReportBins;
  /** Only for features without `bins`: what the report draws for them. */
  readonly histogram?: ReportHistogram;
}

/** A window of a report: a time range `(startMs, endMs]`, or a baseline file. */
type ReportWindow =
  | {
      readonly startMs: number;
      readonly endMs: number;
      readonly start: string;
      readonly end: string;
    }
  | { readonly baseline: string };

/** One monitor run's report. */
interface DriftReport {
  /** `<monitor>.<run time, ISO 8601 basic>`, e.g. `faces.20261125T190000.000Z`. */
  readonly id: string;
  readonly monitor: string;
  readonly runAtMs: number;
  /** RFC 3339 of `runAtMs`. */
  readonly runAt: string;
  /** `events` (model, model_version, service) or `histogram` (metric, matchers). */
  readonly source: Readonly<Record<string, unknown>>;
  readonly method: string;
  readonly windows: { readonly reference: ReportWindow; readonly current: ReportWindow };
  readonly features: readonly ReportFeature[];
  /** Rows compared per window: prediction events, or histogram observations. */
  readonly rows: { readonly reference: number; readonly current: number };
  /** Share of features with a verdict that drifted (0 when none has a verdict). */
  readonly share_drifted: number;
  readonly dataset_drift: boolean;
  /** The `drift.driftShare` the dataset verdict used. */
  readonly drift_share: number;
  readonly min_sample_size: number;
}

/** What `GET /api/drift/reports` lists per report. */
interface DriftReportSummary {
  readonly id: string;
  readonly monitor: string;
  readonly runAtMs: number;
}

const ISO_BASIC_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;
const MONITOR_RE = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The id of a monitor's report at a run time: `<monitor>.<yyyymmddThhmmss.mmmZ>`. Monitor names
 * hold no `.`, so the id splits back unambiguously; ids sort by time within a monitor.
 */
const reportId = (monitor: string, runAtMs: number): string =>
  `${monitor}.${new Date(runAtMs).toISOString().replace(/[-:]/g, '')}`;

/**
 * Splits a report id into monitor and run time. Throws `DriftReportIdError` (400) when `id` is
 * not one {@link reportId} makes.
 */
const parseReportId = (id: string): { monitor: string; runAtMs: number } => {
  const dot = id.indexOf('.');
  const monitor = id.slice(0, dot);
  const m = ISO_BASIC_RE.exec(id.slice(dot + 1));
  if (dot < 1 || !MONITOR_RE.test(monitor) || !m) {
    throw new DriftReportIdError(
      `invalid drift report id ${JSON.stringify(id)}: expected <monitor>.<yyyymmddThhmmss.mmmZ>`,
    );
  }
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const runAtMs = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (reportId(monitor, runAtMs) !== id)
    throw new DriftReportIdError(`invalid drift report id ${JSON.stringify(id)}: no such time`);
  return { monitor, runAtMs };
};

/** A report id that is not `<monitor>.<time>`. Maps to 400. */
class DriftReportIdError extends BadRequestError {
  override readonly name = 'DriftReportIdError';
}

export type {
  DriftReport,
  DriftReportSummary,
  ReportBins,
  ReportFeature,
  ReportHistogram,
  ReportWindow,
};
/** A column's drift as the report lists it. */
const featureOf = (c: ColumnDrift): ReportFeature => ({
  feature: c.column,
  method: c.method,
  statistic: c.statistic,
  p_value: c.p_value,
  threshold: c.threshold,
  drift: c.drift,
  n_reference: c.n_reference,
  n_current: c.n_current,
  ...(c.bins === undefined ? {} : { bins: c.bins }),
  ...(c.histogram === undefined ? {} : { histogram: c.histogram }),
});

export { DriftReportIdError, featureOf, parseReportId, reportId };
