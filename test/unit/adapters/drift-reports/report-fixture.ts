import type { DriftReport } from '../../../../lambdas/domain/drift/report';
import { reportId } from '../../../../lambdas/domain/drift/report';
import { driftReportHtml } from '../../../../lambdas/domain/drift/report-html';

/** A small but complete report of monitor `monitor` run at `runAtMs`. */
const reportAt = (monitor: string, runAtMs: number, drift = true): DriftReport => ({
  id: reportId(monitor, runAtMs),
  monitor,
  runAtMs,
  runAt: new Date(runAtMs).toISOString(),
  source: { events: { model: 'faces', fields: ['beard'] } },
  method: 'auto',
  windows: {
    reference: { baseline: 'ref/faces.csv' },
    current: {
      startMs: runAtMs - 3_600_000,
      endMs: runAtMs,
      start: new Date(runAtMs - 3_600_000).toISOString(),
      end: new Date(runAtMs).toISOString(),
    },
  },
  features: [
    {
      feature: 'beard',
      method: 'z',
      statistic: 4.2,
      p_value: drift ? 0.00002 : 0.4,
      threshold: 0.05,
      drift,
      n_reference: 400,
      n_current: 380,
      bins: { labels: ['no', 'yes'], reference: [300, 100], current: [190, 190] },
    },
  ],
  rows: { reference: 400, current: 380 },
  share_drifted: drift ? 1 : 0,
  dataset_drift: drift,
  drift_share: 0.5,
  min_sample_size: 30,
});

/** A report and its page: the arguments of `DriftReportStore.put`. */
const withPage = (report: DriftReport): [DriftReport, string] => [report, driftReportHtml(report)];

export { reportAt, withPage };
