import type { DriftFunctionEvent } from '../domain/drift/monitor-job';
import { reportId } from '../domain/drift/report';
import { runMonitorJob, runsOfEvent } from '../domain/drift/monitor-job';
import { awsDriftJobDeps, loadDriftDocumentFromEnv } from '../wiring/drift-deps';
import { countMetric, IN_LAMBDA, logger, metrics, withLogContext } from '../shared/powertools';

const doc = loadDriftDocumentFromEnv();
const deps = awsDriftJobDeps(doc);

/**
 * Lambda entry point of the drift monitors: an EventBridge rule per distinct `schedule.every`
 * invokes it with `{ everyMs, time }` (every monitor with that schedule runs at the tick of
 * `time`), the run API with `{ monitor, runAtMs }`. Each run writes its `vigil_drift_*` series and
 * its report; a failed monitor does not stop the others, and the invocation fails at the end so
 * the failure is counted and Lambda's asynchronous retries rerun the same tick.
 */
const run = async (event: DriftFunctionEvent): Promise<{ runs: number }> => {
  const failed: string[] = [];
  try {
    const runs = runsOfEvent(doc.drift.monitors, event);
    for (const { monitor, runAtMs } of runs) {
      try {
        const r = await runMonitorJob(deps, monitor, runAtMs, Date.now());
        countMetric('DriftMonitorRuns', 1);
        countMetric('DriftSamplesRejected', r.rejected.length);
        logger.info('drift monitor run', {
          monitor: monitor.name,
          report: r.report.id,
          datasetDrift: r.report.dataset_drift,
          accepted: r.accepted,
          rejected: r.rejected.slice(0, 10),
        });
      } catch (err) {
        failed.push(monitor.name);
        countMetric('DriftMonitorFailures', 1);
        logger.error('drift monitor run failed', {
          monitor: monitor.name,
          report: reportId(monitor.name, runAtMs),
          error: err as Error,
        });
      }
    }
    if (failed.length > 0) throw new Error(`drift monitors failed: ${failed.join(', ')}`);
    return { runs: runs.length };
  } finally {
    // No middy `logMetrics` on a scheduled function: flush this invocation's EMF metrics here.
    if (IN_LAMBDA) metrics.publishStoredMetrics();
  }
};

export const handler = withLogContext(run, (e: DriftFunctionEvent) =>
  'monitor' in e
    ? `${e.monitor}@${Number.isFinite(e.runAtMs) ? e.runAtMs : 'now'}`
    : `drift-${e.everyMs}-${e.time}`,
);
