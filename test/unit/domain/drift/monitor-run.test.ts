import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import {
  type DriftMonitor,
  validateDriftConfig,
} from '../../../../lambdas/domain/drift/drift-config';
import {
  compareBinned,
  compareColumn,
  parseCsvTable,
} from '../../../../lambdas/domain/drift/index';
import {
  binsOf,
  type HistogramReader,
  monitorWindows,
  promqlHistogramReader,
  runDriftMonitor,
} from '../../../../lambdas/domain/drift/monitor-run';
import { driftParsedExprs } from '../../../../lambdas/domain/drift/parsed-queries';
import { parsedExprLookup } from '../../../../lambdas/domain/promql/expr-json';
import type {
  BatchResult,
  EventStore,
  PredictionQuery,
  PredictionRecord,
} from '../../../../lambdas/domain/ports';

/** Prediction records in memory, filtered as the EventStore port describes. */
class MemoryEventStore implements EventStore {
  readonly records: PredictionRecord[] = [];
  readonly queries: PredictionQuery[] = [];
  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    this.records.push(...records);
    return { accepted: records.length, rejected: [] };
  }
  async query(q: PredictionQuery): Promise<PredictionRecord[]> {
    this.queries.push(q);
    return this.records
      .filter(
        (r) =>
          r.timestampMs >= q.range.startMs &&
          r.timestampMs <= q.range.endMs &&
          (q.model === undefined || r.model === q.model) &&
          (q.modelVersion === undefined || r.modelVersion === q.modelVersion) &&
          (q.service === undefined || r.service === q.service),
      )
      .map((r) => ({
        ...r,
        measures: Object.fromEntries(
          q.fields.filter((f) => f in r.measures).map((f) => [f, r.measures[f] as number | string]),
        ),
      }))
      .sort((a, b) => a.timestampMs - b.timestampMs);
  }
}

const HOUR = 3_600_000;
const RUN_AT = Date.parse('2026-11-25T12:00:00Z');

const monitorOf = (raw: Record<string, unknown>): DriftMonitor => {
  const { config, issues } = validateDriftConfig({ monitors: [raw] });
  expect(issues).toEqual([]);
  return config.monitors[0] as DriftMonitor;
};

const FACES = {
  name: 'faces',
  source: { events: { model: 'faces', fields: ['confidence', 'beard'] } },
  reference: { window: '1h', offset: '1h' },
  schedule: { every: '1h', window: '1h' },
};

/** Deterministic pseudo-random values in [0, 1) (a linear congruential generator). */
const lcg = (seed: number) => {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
};

const noHistograms: HistogramReader = {
  bucketIncreases: async () => {
    throw new Error('no histogram expected');
  },
};

const record = (t: number, measures: Record<string, number | string>): PredictionRecord => ({
  timestampMs: t,
  service: 'api',
  model: 'faces',
  modelVersion: 'v1',
  measures,
});

describe('drift monitor run', () => {
  it('compares the rolling reference with the current window and reports a shifted feature', async () => {
    // Prepare
    const events = new MemoryEventStore();
    const rnd = lcg(7);
    const ref: number[] = [];
    const cur: number[] = [];
    for (let i = 0; i < 60; i++) {
      const a = rnd();
      const b = rnd() + 0.5;
      ref.push(a);
      cur.push(b);
      // Reference hour (10:00, 11:00], current hour (11:00, 12:00].
      await events.write([
        record(RUN_AT - 2 * HOUR + 1000 + i * 1000, { confidence: a, beard: 'no' }),
        record(RUN_AT - HOUR + 1000 + i * 1000, { confidence: b, beard: 'no' }),
      ]);
    }
    // Outside both windows (exactly at the reference's open start), and another model.
    await events.write([record(RUN_AT - 2 * HOUR, { confidence: 100, beard: 'yes' })]);
    await events.write([{ ...record(RUN_AT - 100, { confidence: 100 }), model: 'other' }]);

    // Act
    const { report, series } = await runDriftMonitor(
      monitorOf(FACES),
      RUN_AT,
      { events, histograms: noHistograms },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    const expected = compareColumn('confidence', ref, cur);
    expect(report.id).toBe('faces.20261125T120000.000Z');
    expect(report.windows).toEqual({
      reference: {
        startMs: RUN_AT - 2 * HOUR,
        endMs: RUN_AT - HOUR,
        start: '2026-11-25T10:00:00.000Z',
        end: '2026-11-25T11:00:00.000Z',
      },
      current: {
        startMs: RUN_AT - HOUR,
        endMs: RUN_AT,
        start: '2026-11-25T11:00:00.000Z',
        end: '2026-11-25T12:00:00.000Z',
      },
    });
    expect(report.rows).toEqual({ reference: 60, current: 60 });
    const confidence = report.features[0];
    expect(confidence).toMatchObject({
      feature: 'confidence',
      method: 'ks',
      statistic: expected.statistic,
      p_value: expected.p_value,
      drift: true,
      n_reference: 60,
      n_current: 60,
    });
    expect(report.features[1]).toMatchObject({ feature: 'beard', drift: false });
    expect(report.share_drifted).toBe(0.5);
    expect(report.dataset_drift).toBe(true);
    expect(events.queries.map((q) => q.range)).toEqual([
      { startMs: RUN_AT - HOUR + 1, endMs: RUN_AT },
      { startMs: RUN_AT - 2 * HOUR + 1, endMs: RUN_AT - HOUR },
    ]);
    expect(events.queries[0]).toMatchObject({ model: 'faces', fields: ['confidence', 'beard'] });

    const byKey = new Map(
      series.map((s) => [JSON.stringify(s.labels), s.samples.map((x) => [x.t, x.v])]),
    );
    const at = (labels: Record<string, string>) => byKey.get(JSON.stringify(labels));
    const labels = { monitor: 'faces', feature: 'confidence', method: 'ks' };
    expect(at({ __name__: 'vigil_drift_score', ...labels })).toEqual([
      [RUN_AT, expected.statistic],
    ]);
    expect(at({ __name__: 'vigil_drift_p_value', ...labels })).toEqual([
      [RUN_AT, expected.p_value],
    ]);
    expect(at({ __name__: 'vigil_drift_detected', ...labels })).toEqual([[RUN_AT, 1]]);
    expect(at({ __name__: 'vigil_drift_sample_size', ...labels, window: 'current' })).toEqual([
      [RUN_AT, 60],
    ]);
    const dataset = { monitor: 'faces', feature: '__dataset__', method: 'share' };
    expect(at({ __name__: 'vigil_drift_score', ...dataset })).toEqual([[RUN_AT, 0.5]]);
    expect(at({ __name__: 'vigil_drift_detected', ...dataset })).toEqual([[RUN_AT, 1]]);
    expect(at({ __name__: 'vigil_drift_p_value', ...dataset })).toBeUndefined();
    // score, p-value, detected, 2 sample sizes per feature (ks has p-values); 4 for the dataset.
    expect(series).toHaveLength(5 + 5 + 4);
  });

  it('gives insufficient_data below minSampleSize, and NaN scores so no rule fires', async () => {
    // Prepare
    const events = new MemoryEventStore();
    for (let i = 0; i < 10; i++) {
      await events.write([
        record(RUN_AT - 90 * 60_000 + i, { confidence: i }),
        record(RUN_AT - 30 * 60_000 + i, { confidence: i + 5 }),
      ]);
    }

    // Act
    const { report, series } = await runDriftMonitor(
      monitorOf({ ...FACES, source: { events: { model: 'faces', fields: ['confidence'] } } }),
      RUN_AT,
      { events, histograms: noHistograms },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    expect(report.features[0]).toMatchObject({
      drift: 'insufficient_data',
      n_reference: 10,
      n_current: 10,
    });
    expect(report.dataset_drift).toBe(false);
    const values = series
      .filter((s) => s.labels.__name__ === 'vigil_drift_detected')
      .map((s) => s.samples[0]?.v);
    expect(values).toEqual([Number.NaN, Number.NaN]);
    expect(series.some((s) => s.labels.__name__ === 'vigil_drift_p_value')).toBe(false);
  });

  it('compares the current window with a baseline table', async () => {
    // Prepare
    const events = new MemoryEventStore();
    const baseline = parseCsvTable(
      `beard,extra\n${Array.from({ length: 40 }, (_, i) => `${i % 4 === 0 ? 'yes' : 'no'},1`).join('\n')}\n`,
    );
    for (let i = 0; i < 40; i++)
      await events.write([record(RUN_AT - 1000 - i, { beard: i % 2 === 0 ? 'yes' : 'no' })]);
    const monitor = monitorOf({
      ...FACES,
      method: 'auto',
      source: { events: { model: 'faces', fields: ['beard'] } },
      reference: { baseline: 'ref/faces.csv' },
    });

    // Act
    const { report } = await runDriftMonitor(
      monitor,
      RUN_AT,
      { events, histograms: noHistograms, baseline: (n) => (n === 'faces' ? baseline : undefined) },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    const expected = compareColumn(
      'beard',
      baseline.values.beard ?? [],
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'yes' : 'no')),
    );
    expect(report.windows.reference).toEqual({ baseline: 'ref/faces.csv' });
    expect(report.rows).toEqual({ reference: 40, current: 40 });
    expect(report.features[0]).toMatchObject({
      feature: 'beard',
      method: expected.method,
      statistic: expected.statistic,
      p_value: expected.p_value,
      drift: expected.drift,
    });
    expect(events.queries).toHaveLength(1);
  });

  it('fails the run when an explicit method does not fit a field', async () => {
    // Prepare
    const events = new MemoryEventStore();
    for (let i = 0; i < 40; i++)
      await events.write([
        record(RUN_AT - 90 * 60_000 + i, { beard: 'no' }),
        record(RUN_AT - 30 * 60_000 + i, { beard: 'yes' }),
      ]);

    // Act
    const run = runDriftMonitor(
      monitorOf({ ...FACES, method: 'ks' }),
      RUN_AT,
      { events, histograms: noHistograms },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    await expect(run).rejects.toThrow('method ks needs a numeric column; column "beard"');
  });

  it('fails clearly when a baseline monitor has no loaded baseline', async () => {
    // Prepare
    const monitor = monitorOf({ ...FACES, reference: { baseline: 'ref.csv' } });

    // Act
    const run = runDriftMonitor(
      monitor,
      RUN_AT,
      { events: new MemoryEventStore(), histograms: noHistograms },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    await expect(run).rejects.toThrow('drift monitor faces: baseline CSV not loaded');
  });

  it('computes window ranges for rolling and fixed references', () => {
    // Prepare
    const fixed = monitorOf({
      ...FACES,
      reference: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' },
      schedule: { every: '15m', window: '2h' },
    });

    // Act
    const windows = monitorWindows(fixed, RUN_AT);

    // Assess
    expect(windows).toEqual({
      reference: {
        startMs: Date.parse('2026-11-01T00:00:00Z'),
        endMs: Date.parse('2026-11-02T00:00:00Z'),
      },
      current: { startMs: RUN_AT - 2 * HOUR, endMs: RUN_AT },
    });
  });
});

describe('drift monitor run over a histogram', () => {
  const LATENCY = {
    name: 'latency',
    source: {
      histogram: { metric: 'inference_latency_seconds', matchers: '{job="inference"}' },
    },
    reference: { window: '1h', offset: '1h' },
    schedule: { every: '1h' },
  };

  /** Cumulative bucket counters, one sample a minute from 10:00 to 12:00. */
  const loadBuckets = async (
    store: MemorySeriesStore,
    job: string,
    perMinute: (minute: number) => Record<string, number>,
  ) => {
    const les = ['0.1', '0.5', '1.0', '+Inf'];
    const series = les.map((le) => ({
      labels: { __name__: 'inference_latency_seconds_bucket', job, le },
      samples: [] as { t: number; v: number }[],
    }));
    const totals = Object.fromEntries(les.map((le) => [le, 0]));
    for (let minute = 0; minute <= 120; minute++) {
      const add = perMinute(minute);
      let cum = 0;
      les.forEach((le, i) => {
        cum += add[le] ?? 0;
        totals[le] = (totals[le] ?? 0) + cum;
        series[i]?.samples.push({ t: RUN_AT - 2 * HOUR + minute * 60_000, v: totals[le] ?? 0 });
      });
    }
    await store.write(series);
  };

  it('reads bucket increases through PromQL and compares them as bins with psi', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    // Before 11:00 most requests are fast; after, most are slow.
    await loadBuckets(store, 'inference', (m) =>
      m <= 60
        ? { '0.1': 8, '0.5': 2, '1.0': 0, '+Inf': 0 }
        : { '0.1': 1, '0.5': 2, '1.0': 6, '+Inf': 1 },
    );
    await loadBuckets(store, 'batch', () => ({ '+Inf': 50 }));
    const reader = promqlHistogramReader(store);
    const monitor = monitorOf(LATENCY);

    // Act
    const current = await reader.bucketIncreases(monitor.source as never, RUN_AT, HOUR);
    const { report, series } = await runDriftMonitor(
      monitor,
      RUN_AT,
      { events: new MemoryEventStore(), histograms: reader },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    // 60 samples of 10 per minute over (11:00, 12:00], no extrapolation needed at whole minutes.
    expect(current.map((b) => [b.le, b.count])).toEqual([
      ['0.1', 60],
      ['0.5', 180],
      ['1.0', 540],
      ['+Inf', 600],
    ]);
    const feature = report.features[0];
    const bins = {
      labels: ['(-Inf, 0.1]', '(0.1, 0.5]', '(0.5, 1.0]', '(1.0, +Inf]'],
      reference: [480, 120, 0, 0],
      current: [60, 120, 360, 60],
    };
    const expected = compareBinned(bins.reference, bins.current, 'psi', {
      labels: bins.labels,
      column: 'inference_latency_seconds',
    });
    expect(feature).toMatchObject({
      feature: 'inference_latency_seconds',
      method: 'psi',
      statistic: expected.statistic,
      drift: true,
      n_reference: 600,
      n_current: 600,
    });
    expect(feature?.bins?.labels).toEqual(bins.labels);
    expect(report.source).toEqual({
      histogram: { metric: 'inference_latency_seconds', matchers: '{job="inference"}' },
    });
    expect(
      series.find(
        (s) =>
          s.labels.__name__ === 'vigil_drift_detected' &&
          s.labels.feature === 'inference_latency_seconds',
      )?.samples,
    ).toEqual([{ t: RUN_AT, v: 1 }]);
  });

  it('runs a histogram monitor on its queries parsed at synth, with the same report', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    await loadBuckets(store, 'inference', (m) =>
      m <= 60
        ? { '0.1': 8, '0.5': 2, '1.0': 0, '+Inf': 0 }
        : { '0.1': 1, '0.5': 2, '1.0': 6, '+Inf': 1 },
    );
    const { config } = validateDriftConfig({ monitors: [LATENCY] });
    const monitor = config.monitors[0] as DriftMonitor;
    const ahead = parsedExprLookup(driftParsedExprs(config));
    const asked: string[] = [];
    const spy = (query: string) => {
      const expr = ahead(query);
      asked.push(`${expr ? 'parsed at synth' : 'parsed now'}: ${query}`);
      return expr;
    };
    const settings = { minSampleSize: 30, driftShare: 0.5 };

    // Act
    const withAhead = await runDriftMonitor(
      monitor,
      RUN_AT,
      { events: new MemoryEventStore(), histograms: promqlHistogramReader(store, spy) },
      settings,
    );
    const parsedNow = await runDriftMonitor(
      monitor,
      RUN_AT,
      { events: new MemoryEventStore(), histograms: promqlHistogramReader(store) },
      settings,
    );

    // Assess
    expect(asked).toEqual([
      'parsed at synth: sum by (le) (increase(inference_latency_seconds_bucket{job="inference"}[3600000ms]))',
      'parsed at synth: sum by (le) (increase(inference_latency_seconds_bucket{job="inference"}[3600000ms]))',
    ]);
    expect(withAhead.report.features[0]?.drift).toBe(true);
    expect(withAhead).toEqual(parsedNow);
  });

  it('gives insufficient_data when the histogram has no observations in a window', async () => {
    // Act
    const { report } = await runDriftMonitor(
      monitorOf(LATENCY),
      RUN_AT,
      {
        events: new MemoryEventStore(),
        histograms: promqlHistogramReader(new MemorySeriesStore()),
      },
      { minSampleSize: 30, driftShare: 0.5 },
    );

    // Assess
    expect(report.features[0]).toMatchObject({
      drift: 'insufficient_data',
      threshold: 0.1,
      n_reference: 0,
      n_current: 0,
    });
    expect(report.share_drifted).toBe(0);
  });

  it('aligns buckets that only one window has and counts shrinking cumulative counts as 0', () => {
    // Act
    const bins = binsOf(
      [
        { le: '1', bound: 1, count: 5 },
        { le: '+Inf', bound: Number.POSITIVE_INFINITY, count: 9 },
      ],
      [
        { le: '0.5', bound: 0.5, count: 3 },
        { le: '1', bound: 1, count: 2.5 },
        { le: '+Inf', bound: Number.POSITIVE_INFINITY, count: 4 },
      ],
    );

    // Assess
    expect(bins).toEqual({
      labels: ['(-Inf, 0.5]', '(0.5, 1]', '(1, +Inf]'],
      reference: [0, 5, 4],
      current: [3, 0, 1],
    });
  });
});
