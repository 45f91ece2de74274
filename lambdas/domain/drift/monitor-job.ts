/**
 * Runs drift monitors and keeps what they produce: the report goes to the `DriftReportStore`,
 * the `vigil_drift_*` series are pushed as one Pushgateway group per monitor
 * (`{job="vigil_drift", monitor="<name>"}`, replaced by each run) through the one ingestion
 * pipeline (validation, cardinality guard, `SeriesStore.write`, CloudWatch mirror).
 *
 * Why a push group: a monitor runs every `every` (say hourly), but PromQL sees a sample for 5
 * minutes only, so `vigil_drift_score > 0.2` with `for: 10m` could never fire on bare samples. A
 * pushed group's values stay visible at every scrape interval until the next push (the
 * push-aware store the query API and the rule evaluator read through, for runs at most 24 h
 * apart), which is how Evidently's exported `drift_score` gauge behaved under Prometheus.
 */
import type { RuntimeConfig } from '../config/types';
import { type IngestPorts, ingestSeries } from '../ingest/ingest-series';
import type { PushGroupStore } from '../ports';
import type { DriftReportStore } from './report-store';
import { applyPush } from '../pushgateway/apply-push';
import { metricName } from '../series/labels';
import type { DriftConfig, DriftMonitor } from './drift-config';
import { type MonitorRunPorts, runDriftMonitor } from './monitor-run';
import { DRIFT_JOB } from './monitor-series';
import type { DriftReport } from './report';
import { driftReportHtml } from './report-html';

/** What {@link runMonitorJob} needs. */
interface DriftJobDeps {
  readonly run: MonitorRunPorts;
  readonly reports: DriftReportStore;
  readonly ingest: IngestPorts;
  /** Where each monitor's latest series are kept as a push group. */
  readonly pushGroups: PushGroupStore;
  /** Ingestion limits and the CloudWatch mirror list (the drift series are added to it). */
  readonly runtime: RuntimeConfig;
  readonly drift: Pick<DriftConfig, 'minSampleSize' | 'driftShare'>;
}

/** What one monitor run stored. */
interface DriftJobResult {
  readonly report: DriftReport;
  /** Samples written. */
  readonly accepted: number;
  /** Samples refused by ingestion, with reasons (e.g. a cardinality limit). */
  readonly rejected: readonly string[];
}

/**
 * Runs `monitor` at `runAtMs`, pushes its series (stamped `runAtMs`; `nowMs` is the wall clock
 * ingestion validates timestamps against) and stores the report. Writing the series first means
 * a stored report always has its series; a retried run replaces both (same id, same timestamps).
 * A run older than the group's last push (a late retry) stores its report and samples but leaves
 * the group, so the latest run's values stay current.
 */
const runMonitorJob = async (
  deps: DriftJobDeps,
  monitor: DriftMonitor,
  runAtMs: number,
  nowMs: number,
): Promise<DriftJobResult> => {
  const { report, series } = await runDriftMonitor(monitor, runAtMs, deps.run, deps.drift);
  const key = { job: DRIFT_JOB, monitor: monitor.name };
  const previous = await deps.pushGroups.get(key);
  const outcome = applyPush(
    'PUT',
    key,
    previous,
    series.map((s) => ({
      labels: s.labels,
      value: s.samples[0]?.v ?? Number.NaN,
      family: metricName(s.labels),
    })),
    runAtMs,
  );
  // Vigil's own series: they may use the names reserved for Vigil (limits.reserved*Names).
  const written = await ingestSeries(outcome.samples, deps.ingest, deps.runtime, nowMs, {
    origin: 'vigil',
  });
  if (written.rejected.length === 0 && (previous?.pushTimeMs ?? 0) <= runAtMs)
    await deps.pushGroups.put(outcome.group);
  await deps.reports.put(report, driftReportHtml(report));
  return {
    report,
    accepted: written.accepted,
    rejected: written.rejected.map((r) => r.reason),
  };
};

/** The tick a monitor running every `everyMs` is due at, at or before `nowMs`. */
const dueTick = (everyMs: number, nowMs: number): number => Math.floor(nowMs / everyMs) * everyMs;

/**
 * Monitors due at `nowMs`: those whose latest tick is after the last run known for them
 * (`lastRunAtMs` undefined = never ran). Each comes with the tick it is due at.
 */
const dueMonitors = (
  monitors: readonly DriftMonitor[],
  nowMs: number,
  lastRunAtMs: (name: string) => number | undefined,
): { monitor: DriftMonitor; runAtMs: number }[] =>
  monitors
    .map((monitor) => ({ monitor, runAtMs: dueTick(monitor.schedule.everyMs, nowMs) }))
    .filter(({ monitor, runAtMs }) => {
      const last = lastRunAtMs(monitor.name);
      return last === undefined || runAtMs > last;
    });

/**
 * What the drift function is invoked with: a schedule tick (EventBridge, one rule per distinct
 * `schedule.every`, with the event's `time`), or one monitor to run at a time (the run API).
 */
type DriftFunctionEvent =
  | { readonly everyMs: number; readonly time: string }
  | { readonly monitor: string; readonly runAtMs: number };

/** A drift function event naming no known monitor or schedule. */
class DriftEventError extends Error {
  override readonly name = 'DriftEventError';
}

/**
 * The runs a drift function event asks for: every monitor scheduled `every` `everyMs`, at the
 * tick of the event's time (so a retried event reruns the same tick), or the named monitor.
 */
const runsOfEvent = (
  monitors: readonly DriftMonitor[],
  event: DriftFunctionEvent,
): { monitor: DriftMonitor; runAtMs: number }[] => {
  if ('monitor' in event) {
    const monitor = monitors.find((m) => m.name === event.monitor);
    if (!monitor || !Number.isFinite(event.runAtMs))
      throw new DriftEventError(`no drift monitor ${JSON.stringify(event.monitor)} to run`);
    return [{ monitor, runAtMs: event.runAtMs }];
  }
  const timeMs = Date.parse(event.time);
  if (Number.isNaN(timeMs))
    throw new DriftEventError(`invalid event time ${JSON.stringify(event.time)}`);
  return monitors
    .filter((m) => m.schedule.everyMs === event.everyMs)
    .map((monitor) => ({ monitor, runAtMs: dueTick(event.everyMs, timeMs) }));
};

export type { DriftFunctionEvent, DriftJobDeps, DriftJobResult };
export { DRIFT_JOB, DriftEventError, dueMonitors, dueTick, runMonitorJob, runsOfEvent };
