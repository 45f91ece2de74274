/**
 * The series a drift monitor run writes, so rules and dashboards use drift like any metric:
 *
 * | series | labels | value |
 * | --- | --- | --- |
 * | `vigil_drift_score` | monitor, feature, method | the statistic (D, χ², z, distance, index) |
 * | `vigil_drift_p_value` | monitor, feature, method | p-value (ks, chisquare, z only) |
 * | `vigil_drift_detected` | monitor, feature, method | 1 drift, 0 none, NaN insufficient data |
 * | `vigil_drift_sample_size` | monitor, feature, method, window (`reference`/`current`) | values compared |
 *
 * The dataset-level verdict is one more row with `feature="__dataset__"` and `method="share"`:
 * its score is the share of drifted features, `detected` the dataset verdict
 * (share ≥ `drift.driftShare`), sample sizes the rows (events) or observations (histograms).
 *
 * `monitor-job.ts` pushes them as the group `{job="vigil_drift", monitor}`, which adds `job`.
 */
import type { MirrorRule } from '../config/types';
import type { Series } from '../series/sample';
import type { DriftReport, ReportFeature } from './report';

/** `job` label of the drift push groups (the grouping key is `job` + `monitor`). */
const DRIFT_JOB = 'vigil_drift';

/** Series names written by drift monitors. */
const DRIFT_SERIES = {
  Score: 'vigil_drift_score',
  PValue: 'vigil_drift_p_value',
  Detected: 'vigil_drift_detected',
  SampleSize: 'vigil_drift_sample_size',
} as const;

/** `feature` label of the dataset-level row. Two leading underscores: no field name clashes in practice. */
const DATASET_FEATURE = '__dataset__';
/** `method` label of the dataset-level row (its score is the share of drifted features). */
const DATASET_METHOD = 'share';

/**
 * CloudWatch mirror rules for the drift series, added to the user's `cloudwatch.mirror` by the
 * drift function whatever that list says: a handful of series per monitor and feature.
 */
const DRIFT_MIRROR_RULES: readonly MirrorRule[] = [
  { metric: DRIFT_SERIES.Score, dimensions: ['monitor', 'feature', 'method'] },
  { metric: DRIFT_SERIES.PValue, dimensions: ['monitor', 'feature', 'method'] },
  { metric: DRIFT_SERIES.Detected, dimensions: ['monitor', 'feature', 'method'] },
  { metric: DRIFT_SERIES.SampleSize, dimensions: ['monitor', 'feature', 'method', 'window'] },
];

/**
 * The user's mirror list plus {@link DRIFT_MIRROR_RULES}; a user rule for the same metric is
 * replaced, so the drift series always keep their three dimensions.
 */
const withDriftMirrorRules = (mirror: readonly MirrorRule[]): MirrorRule[] => {
  const names = new Set<string>(Object.values(DRIFT_SERIES));
  return [...mirror.filter((r) => !names.has(r.metric)), ...DRIFT_MIRROR_RULES];
};

const verdictValue = (drift: ReportFeature['drift']): number =>
  drift === 'insufficient_data' ? Number.NaN : drift ? 1 : 0;

/**
 * The series of one report, every sample at the report's run time.
 * Without a verdict (`insufficient_data`) score and detected are NaN (PromQL comparisons with NaN
 * are false, so no alert fires), and the sample sizes say why.
 */
const driftSeriesOf = (report: DriftReport): Series[] => {
  const t = report.runAtMs;
  const out: Series[] = [];
  const push = (name: string, labels: Record<string, string>, v: number) =>
    out.push({ labels: { __name__: name, ...labels }, samples: [{ t, v }] });
  const row = (
    feature: string,
    method: string,
    score: number,
    pValue: number | null,
    detected: number,
    nRef: number,
    nCur: number,
  ) => {
    const labels = { monitor: report.monitor, feature, method };
    push(DRIFT_SERIES.Score, labels, score);
    if (pValue !== null) push(DRIFT_SERIES.PValue, labels, pValue);
    push(DRIFT_SERIES.Detected, labels, detected);
    push(DRIFT_SERIES.SampleSize, { ...labels, window: 'reference' }, nRef);
    push(DRIFT_SERIES.SampleSize, { ...labels, window: 'current' }, nCur);
  };
  for (const f of report.features) {
    const noVerdict = f.drift === 'insufficient_data';
    // A χ² of +∞ is reported as null; its series value is +Inf.
    const score = noVerdict ? Number.NaN : (f.statistic ?? Number.POSITIVE_INFINITY);
    row(
      f.feature,
      f.method,
      score,
      noVerdict ? null : f.p_value,
      verdictValue(f.drift),
      f.n_reference,
      f.n_current,
    );
  }
  const anyVerdict = report.features.some((f) => f.drift !== 'insufficient_data');
  row(
    DATASET_FEATURE,
    DATASET_METHOD,
    anyVerdict ? report.share_drifted : Number.NaN,
    null,
    anyVerdict ? (report.dataset_drift ? 1 : 0) : Number.NaN,
    report.rows.reference,
    report.rows.current,
  );
  return out;
};

export {
  DRIFT_JOB,
  DATASET_FEATURE,
  DATASET_METHOD,
  DRIFT_MIRROR_RULES,
  DRIFT_SERIES,
  driftSeriesOf,
  withDriftMirrorRules,
};
