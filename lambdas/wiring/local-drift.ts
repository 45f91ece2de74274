/**
 * Local mode's drift monitors: the same `runMonitorJob` as the scheduled function, on the
 * embedded adapters (prediction events from `<dataDir>/events`, reports under
 * `<dataDir>/drift-reports`, series through the local ingestion pipeline), run by a timer at each
 * monitor's `schedule.every` and on demand (`POST /api/drift/monitors/{name}/run`).
 */
import { join } from 'node:path';
import { FileDriftReportStore } from '../adapters/drift-reports/file-drift-report-store';
import { FileEventStore, localEventsDir } from '../adapters/events/file-event-store';
import type { ApiDeps } from '../api/deps';
import type { DriftReportsApiDeps } from '../api/drift-reports';
import type { VigilConfig } from '../domain/config/types';
import { type DriftJobDeps, dueMonitors, runMonitorJob } from '../domain/drift/monitor-job';
import { promqlHistogramReader } from '../domain/drift/monitor-run';
import type { DriftReportStore } from '../domain/drift/report-store';
import { loadDriftBaselines } from '../shared/drift-baselines';
import { logger } from '../shared/powertools';

/** How often the local timer looks for due monitors. */
const DRIFT_TIMER_MS = 1000;

/** Where local mode keeps drift reports. */
const localDriftReportsDir = (dataDir: string): string => join(dataDir, 'drift-reports');

/** The drift job's local adapters; throws `ConfigError` on a missing or bad baseline CSV. */
const localDriftDeps = (
  config: VigilConfig,
  dataDir: string,
  api: ApiDeps,
  configDir: string,
): DriftJobDeps & { reports: DriftReportStore } => {
  const baselines = loadDriftBaselines(config.drift, configDir);
  return {
    run: {
      events: new FileEventStore({ dir: localEventsDir(dataDir) }),
      histograms: promqlHistogramReader(api.queryEngine ?? api.store),
      baseline: (name) => baselines.get(name)?.table,
    },
    reports: new FileDriftReportStore({ directory: localDriftReportsDir(dataDir) }),
    ingest: { store: api.store, cardinality: api.cardinality, mirror: api.mirror },
    pushGroups: api.pushGroups,
    runtime: api.config,
    drift: config.drift,
  };
};

/**
 * Runs due monitors every second, one run at a time (a monitor is due once per `every` tick
 * without a stored report, so a restart neither repeats nor skips the current tick). Returns a
 * function that stops the timer and waits for a running pass.
 */
const startDriftTimer = (
  config: VigilConfig,
  deps: DriftJobDeps,
  clock: { now(): number },
): (() => Promise<void>) => {
  const monitors = config.drift.monitors;
  if (monitors.length === 0) return async () => {};
  const lastRun = new Map<string, number>();
  const pass = async () => {
    for (const m of monitors) {
      if (lastRun.has(m.name)) continue;
      const [latest] = await deps.reports.list({ monitor: m.name, limit: 1 });
      // Scheduled ticks only: a report of a manual run does not stand for its tick.
      if (latest && latest.runAtMs % m.schedule.everyMs === 0) lastRun.set(m.name, latest.runAtMs);
      else lastRun.set(m.name, Number.NEGATIVE_INFINITY);
    }
    const now = clock.now();
    for (const { monitor, runAtMs } of dueMonitors(monitors, now, (n) => lastRun.get(n))) {
      try {
        await runMonitorJob(deps, monitor, runAtMs, now);
      } catch (err) {
        logger.error('drift monitor run failed', { monitor: monitor.name, error: err as Error });
      }
      lastRun.set(monitor.name, runAtMs);
    }
  };
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = pass()
      .catch((err: unknown) => logger.error('drift timer failed', err as Error))
      .finally(() => {
        busy = false;
      });
  }, DRIFT_TIMER_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
};

/** The drift reports API on local adapters: running a monitor now runs it to the end. */
const localDriftApiDeps = (
  config: VigilConfig,
  deps: DriftJobDeps,
  clock: { now(): number },
): DriftReportsApiDeps => ({
  reports: deps.reports,
  monitors: config.drift.monitors.map((m) => m.name),
  clock,
  runMonitor: async (name, runAtMs) => {
    const monitor = config.drift.monitors.find((m) => m.name === name);
    if (!monitor) throw new Error(`drift monitor ${name} not configured`);
    const { report } = await runMonitorJob(deps, monitor, runAtMs, clock.now());
    return { status: 'done', report };
  },
});

export { localDriftApiDeps, localDriftDeps, localDriftReportsDir, startDriftTimer };
