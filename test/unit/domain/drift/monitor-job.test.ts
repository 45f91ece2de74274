import { NoopCardinalityTracker } from '../../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDriftReportStore } from '../../../../lambdas/adapters/drift-reports/file-drift-report-store';
import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { validateConfig } from '../../../../lambdas/domain/config/validate';
import {
  type DriftMonitor,
  validateDriftConfig,
} from '../../../../lambdas/domain/drift/drift-config';
import {
  DriftEventError,
  dueMonitors,
  dueTick,
  runMonitorJob,
  runsOfEvent,
} from '../../../../lambdas/domain/drift/monitor-job';
import { promqlHistogramReader } from '../../../../lambdas/domain/drift/monitor-run';
import {
  DRIFT_MIRROR_RULES,
  withDriftMirrorRules,
} from '../../../../lambdas/domain/drift/monitor-series';
import type {
  CardinalityTracker,
  EventStore,
  PredictionRecord,
  PushGroup,
  PushGroupStore,
} from '../../../../lambdas/domain/ports';
import { evaluateInstant } from '../../../../lambdas/domain/promql';
import { PushAwareSeriesStore } from '../../../../lambdas/domain/pushgateway/push-aware-series-store';
import { seriesKey } from '../../../../lambdas/domain/series/labels';
import { RecordingMetricsMirror } from '../../../helpers/recording-metrics-mirror';

const HOUR = 3_600_000;
const T = Date.parse('2026-11-25T12:00:00Z');

const monitors = (): DriftMonitor[] => {
  const { config, issues } = validateDriftConfig({
    monitors: [
      {
        name: 'hourly',
        source: { events: { model: 'faces', fields: ['confidence'] } },
        reference: { window: '1h', offset: '1h' },
        schedule: { every: '1h' },
      },
      {
        name: 'quarterly',
        source: { events: { model: 'faces', fields: ['confidence'] } },
        reference: { window: '1h', offset: '1h' },
        schedule: { every: '15m', window: '1h' },
      },
    ],
  });
  expect(issues).toEqual([]);
  return [...config.monitors];
};

/** Events of `model` every 30 s over (end − 1h, end], confidence from `value(i)`. */
const eventsStore = (records: PredictionRecord[]): EventStore => ({
  write: async () => ({ accepted: 0, rejected: [] }),
  query: async (q) =>
    records.filter((r) => r.timestampMs >= q.range.startMs && r.timestampMs <= q.range.endMs),
});

class MemoryPushGroupStore implements PushGroupStore {
  readonly groups = new Map<string, PushGroup>();
  async get(key: Record<string, string>) {
    return this.groups.get(seriesKey(key));
  }
  async put(group: PushGroup) {
    this.groups.set(seriesKey(group.key), group);
  }
  async delete(key: Record<string, string>) {
    this.groups.delete(seriesKey(key));
  }
  async list() {
    return [...this.groups.values()];
  }
}

const hourOf = (endMs: number, value: (i: number) => number): PredictionRecord[] =>
  Array.from({ length: 100 }, (_, i) => ({
    timestampMs: endMs - i * 30_000,
    service: 'api',
    model: 'faces',
    modelVersion: 'v1',
    measures: { confidence: value(i) },
  }));

describe('drift monitor schedule', () => {
  it('puts ticks at whole multiples of every', () => {
    // Assess
    expect(dueTick(HOUR, T + 59 * 60_000)).toBe(T);
    expect(dueTick(15 * 60_000, T + 16 * 60_000)).toBe(T + 15 * 60_000);
  });

  it('runs a monitor once per tick', () => {
    // Prepare
    const [hourly, quarterly] = monitors();
    const last = new Map<string, number>([
      ['hourly', T],
      ['quarterly', T],
    ]);

    // Act
    const at10 = dueMonitors(
      [hourly as DriftMonitor, quarterly as DriftMonitor],
      T + 10 * 60_000,
      (n) => last.get(n),
    );
    const at20 = dueMonitors(
      [hourly as DriftMonitor, quarterly as DriftMonitor],
      T + 20 * 60_000,
      (n) => last.get(n),
    );
    const never = dueMonitors([hourly as DriftMonitor], T + 1, () => undefined);

    // Assess
    expect(at10).toEqual([]);
    expect(at20.map((r) => [r.monitor.name, r.runAtMs])).toEqual([['quarterly', T + 15 * 60_000]]);
    expect(never.map((r) => r.runAtMs)).toEqual([T]);
  });

  it('maps a schedule event to the monitors of its every at the tick of its time', () => {
    // Act
    const runs = runsOfEvent(monitors(), { everyMs: 15 * 60_000, time: '2026-11-25T12:15:04Z' });
    const one = runsOfEvent(monitors(), { monitor: 'hourly', runAtMs: T + 123 });

    // Assess
    expect(runs.map((r) => [r.monitor.name, r.runAtMs])).toEqual([['quarterly', T + 15 * 60_000]]);
    expect(one.map((r) => [r.monitor.name, r.runAtMs])).toEqual([['hourly', T + 123]]);
    expect(() => runsOfEvent(monitors(), { monitor: 'nope', runAtMs: T })).toThrow(DriftEventError);
    expect(() => runsOfEvent(monitors(), { everyMs: HOUR, time: 'soon' })).toThrow(
      'invalid event time "soon"',
    );
  });
});

describe('drift monitor job', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-drift-job-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const store = new MemorySeriesStore();
    const pushGroups = new MemoryPushGroupStore();
    const mirror = new RecordingMetricsMirror();
    const reports = new FileDriftReportStore({ directory: dir });
    const admitAll: CardinalityTracker = new NoopCardinalityTracker();
    const records = [
      ...hourOf(T - HOUR, (i) => 0.5 + (i % 50) / 100),
      ...hourOf(T, (i) => 0.1 + (i % 50) / 100),
      ...hourOf(T + HOUR, (i) => 0.1 + (i % 50) / 100),
    ];
    const deps = {
      run: { events: eventsStore(records), histograms: promqlHistogramReader(store) },
      reports,
      pushGroups,
      ingest: { store, cardinality: admitAll, mirror },
      runtime: validateConfig({}).config,
      drift: { minSampleSize: 30, driftShare: 0.5 },
    };
    return { store, pushGroups, mirror, reports, deps };
  };

  it('pushes the drift series through ingestion, mirrors them and stores the report', async () => {
    // Prepare
    const { store, mirror, reports, deps } = setup();
    const [hourly] = monitors();

    // Act
    const result = await runMonitorJob(deps, hourly as DriftMonitor, T, T + 5000);

    // Assess
    expect(result.rejected).toEqual([]);
    // 9 drift series (score, p-value, detected, 2 sizes for confidence; 4 for the dataset) and
    // the group's push_time_seconds and push_failure_time_seconds.
    expect(result.accepted).toBe(11);
    expect(result.report.features[0]).toMatchObject({ feature: 'confidence', drift: true });
    expect(await reports.get('hourly.20261125T120000.000Z')).toEqual(result.report);
    const stored = await store.select(
      [{ name: '__name__', op: '=', value: 'vigil_drift_detected' }],
      { startMs: T, endMs: T },
    );
    expect(stored.map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        {
          __name__: 'vigil_drift_detected',
          job: 'vigil_drift',
          monitor: 'hourly',
          feature: 'confidence',
          method: 'ks',
        },
      ]),
    );
    expect(stored.map((s) => s.samples)).toEqual([[{ t: T, v: 1 }], [{ t: T, v: 1 }]]);
    expect(mirror.calls.flat()).toHaveLength(11);
  });

  it('keeps the latest run visible to rules until the next run (a 10m for: can fire)', async () => {
    // Prepare
    const { store, pushGroups, deps } = setup();
    const [hourly] = monitors();
    await runMonitorJob(deps, hourly as DriftMonitor, T, T + 5000);
    const pushAware = new PushAwareSeriesStore({
      inner: store,
      groups: pushGroups,
      scrapeIntervalMs: 15_000,
      clock: { now: () => T + 50 * 60_000 },
    });
    const expr = 'vigil_drift_score{feature="confidence"} > 0.2';

    // Act
    const after20m = (await evaluateInstant(pushAware, expr, T + 20 * 60_000)).value;
    const after45m = (await evaluateInstant(pushAware, expr, T + 45 * 60_000)).value;
    const bare = (await evaluateInstant(store, expr, T + 20 * 60_000)).value;

    // Assess
    expect(after20m.type === 'vector' && after20m.samples.length).toBe(1);
    expect(after45m.type === 'vector' && after45m.samples.length).toBe(1);
    expect(bare.type === 'vector' && bare.samples.length).toBe(0);
  });

  it('leaves the group to a newer run when an older tick is retried late', async () => {
    // Prepare
    const { pushGroups, reports, deps } = setup();
    const [hourly] = monitors();
    await runMonitorJob(deps, hourly as DriftMonitor, T + HOUR, T + HOUR + 5000);

    // Act
    await runMonitorJob(deps, hourly as DriftMonitor, T, T + HOUR + 6000);

    // Assess
    const group = await pushGroups.get({ job: 'vigil_drift', monitor: 'hourly' });
    expect(group?.pushTimeMs).toBe(T + HOUR);
    expect((await reports.list({ monitor: 'hourly', limit: 5 })).map((r) => r.runAtMs)).toEqual([
      T + HOUR,
      T,
    ]);
  });

  it('always mirrors the drift series with monitor, feature and method dimensions', () => {
    // Act
    const rules = withDriftMirrorRules([
      { metric: 'http_requests_total', dimensions: ['status'] },
      { metric: 'vigil_drift_score', dimensions: [] },
    ]);

    // Assess
    expect(rules).toEqual([
      { metric: 'http_requests_total', dimensions: ['status'] },
      ...DRIFT_MIRROR_RULES,
    ]);
    expect(rules.find((r) => r.metric === 'vigil_drift_score')?.dimensions).toEqual([
      'monitor',
      'feature',
      'method',
    ]);
  });
});
