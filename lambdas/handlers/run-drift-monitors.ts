import type { DriftFunctionEvent } from '../domain/drift/monitor-job';
import { runMonitorJob, runsOfEvent } from '../domain/drift/monitor-job';
import { awsDriftJobDeps, loadDriftDocumentFromEnv } from '../shared/drift-deps';
import { countMetric, IN_LAMBDA, logger, metrics } from '../shared/powertools';

const doc = loadDriftDocumentFromEnv();
const deps = awsDriftJobDeps(doc);

/**
 * Lambda entry point of the drift monitors: an EventBridge rule per distinct `schedule.every`
 * invokes it with `{ everyMs, time }` (every monitor with that schedule runs at the tick of
 * `time`), the run API with `{ monitor, runAtMs }`. Each run writes its `vigil_drift_*` series and
 * its report; a failed monitor does not stop the others, and the invocation fails at the end so
 * the failure is counted and retried.
 */
export const handler = async (event: DriftFunctionEvent) => {
  const failed: string[] = [];
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
      logger.error('drift monitor run failed', { monitor: monitor.name, error: err as Error });
    }
  }
  // No middy `logMetrics` on a scheduled function: flush this invocation's EMF metrics here.
  if (IN_LAMBDA) metrics.publishStoredMetrics();
  if (failed.length > 0) throw new Error(`drift monitors failed: ${failed.join(', ')}`);
  return { runs: runs.length };
};
