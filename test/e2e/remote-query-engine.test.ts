/**
 * End to end: the same queries through Vigil's engine (`LocalQueryEngine` over a store) and
 * through `PrometheusApiQueryEngine` against a real Prometheus 2.42 holding the same samples
 * (loaded as TSDB blocks by promtool) give the same answers: instant and range queries, the drift
 * monitors' histogram query, series, label names and values, and `/federate`'s latest samples.
 */
import { PrometheusApiQueryEngine } from '../../lambdas/adapters/query/prometheus-api-query-engine';
import type { QueryValue } from '../../lambdas/domain/promql';
import { LocalQueryEngine } from '../../lambdas/domain/query/local-query-engine';
import type { Labels } from '../../lambdas/domain/series/labels';
import type { Series } from '../../lambdas/domain/series/sample';
import { type LoadedPrometheus, startLoadedPrometheus } from './helpers/loaded-prometheus';

/** A fixed past time (2023-11-14T00:00:00Z), so the data sits in blocks, not in the head. */
const T0 = Date.UTC(2023, 10, 14);
const STEP_MS = 15_000;
const POINTS = 121; // 30 minutes

const series = (labels: Labels, value: (i: number) => number): Series => ({
  labels,
  samples: Array.from({ length: POINTS }, (_, i) => ({ t: T0 + i * STEP_MS, v: value(i) })),
});

/** Counters (one with a reset), a gauge, and a classic histogram. */
const DATA: Series[] = [
  series(
    { __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' },
    (i) => 10 * i,
  ),
  series({ __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' }, (i) =>
    i < 60 ? 7 * i : 3 * (i - 60),
  ),
  series({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' }, (i) =>
    Math.floor(i / 4),
  ),
  series(
    { __name__: 'http_requests_total', job: 'batch', instance: 'c', code: '200' },
    (i) => i * i,
  ),
  series(
    { __name__: 'temperature_celsius', job: 'gpu', instance: 'a' },
    (i) => 20 + 5 * Math.sin(i / 7),
  ),
  series({ __name__: 'temperature_celsius', job: 'gpu', instance: 'b' }, (i) => 18.25 + (i % 9)),
  ...[
    ['0.1', 3],
    ['0.5', 8],
    ['1', 11],
    ['+Inf', 12],
  ].map(([le, per]) =>
    series(
      { __name__: 'latency_seconds_bucket', job: 'api', le: le as string },
      (i) => i * (per as number),
    ),
  ),
  series({ __name__: 'latency_seconds_count', job: 'api' }, (i) => i * 12),
  series({ __name__: 'latency_seconds_sum', job: 'api' }, (i) => i * 3.5),
];

/**
 * Evaluation times off the 15 s sample grid and off whole minutes: Debian's Prometheus is 2.42,
 * whose range selectors and lookback still include a sample exactly at their left edge
 * (Prometheus 3, whose semantics Vigil follows, excludes it), so no edge may fall on a sample or a
 * subquery step.
 */
const AT = T0 + 20 * 60_000 + 7_000;
const RANGE = { startMs: T0 + 5 * 60_000 + 7_000, endMs: T0 + 29 * 60_000, stepMs: 45_000 };

const QUERIES = [
  'http_requests_total',
  'rate(http_requests_total[5m])',
  'sum by (job) (rate(http_requests_total[5m]))',
  'increase(http_requests_total{code="200"}[10m])',
  'topk(2, http_requests_total)',
  'histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))',
  'sum by (le) (increase(latency_seconds_bucket{job="api"}[600000ms]))',
  'rate(latency_seconds_sum[5m]) / rate(latency_seconds_count[5m])',
  'max_over_time(temperature_celsius[5m])',
  'avg_over_time(temperature_celsius[10m:1m])',
  'temperature_celsius > 20',
  'count(temperature_celsius)',
  'http_requests_total / on(instance) group_left temperature_celsius',
  'absent(nonexistent_metric)',
  'scalar(sum(temperature_celsius))',
  'time()',
  '1 + 2 * 3',
];

/** Samples sorted by labels, values rounded to 12 significant digits (summation order may differ). */
const canonical = (value: QueryValue): unknown => {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(12)) : String(v));
  const key = (l: Labels) => JSON.stringify(Object.entries(l).sort());
  switch (value.type) {
    case 'vector':
      return [...value.samples]
        .map((s) => ({ labels: key(s.labels), t: s.t, v: round(s.v) }))
        .sort((a, b) => a.labels.localeCompare(b.labels));
    case 'matrix':
      return [...value.series]
        .map((s) => ({ labels: key(s.labels), points: s.points.map((p) => [p.t, round(p.v)]) }))
        .sort((a, b) => a.labels.localeCompare(b.labels));
    case 'scalar':
      return { t: value.t, v: round(value.v) };
    case 'string':
      return value;
  }
};

describe('LocalQueryEngine and PrometheusApiQueryEngine on the same data', () => {
  let prometheus: LoadedPrometheus;
  let local: LocalQueryEngine;
  let remote: PrometheusApiQueryEngine;

  beforeAll(async () => {
    prometheus = await startLoadedPrometheus(DATA);
    local = new LocalQueryEngine({ store: prometheus.store });
    remote = new PrometheusApiQueryEngine({
      baseUrl: prometheus.url,
      fetch: (u, i) => fetch(u, i),
    });
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it.each(QUERIES)('instant query %s', async (query) => {
    // Prepare
    const q = { query, timeMs: AT };

    // Act
    const [mine, theirs] = await Promise.all([local.instantQuery(q), remote.instantQuery(q)]);

    // Assess
    expect(theirs.value.type).toBe(mine.value.type);
    expect(canonical(theirs.value)).toEqual(canonical(mine.value));
    if (
      mine.value.type === 'vector' &&
      query !== 'absent(nonexistent_metric)' &&
      query !== 'count(temperature_celsius)'
    )
      expect(mine.value.samples.length).toBeGreaterThan(0);
  });

  it.each(QUERIES.filter((q) => q !== 'topk(2, http_requests_total)'))(
    'range query %s',
    async (query) => {
      // Prepare
      const q = { query, ...RANGE };

      // Act
      const [mine, theirs] = await Promise.all([local.rangeQuery(q), remote.rangeQuery(q)]);

      // Assess
      expect(canonical(theirs.value)).toEqual(canonical(mine.value));
    },
  );

  it('lists the same series, label names and label values', async () => {
    // Prepare
    const q = {
      matcherSets: [
        [{ name: '__name__', op: '=~' as const, value: 'http_.*|temperature_celsius' }],
        [{ name: 'le', op: '=' as const, value: '+Inf' }],
      ],
      range: { startMs: T0, endMs: T0 + 30 * 60_000 },
    };
    const sorted = (ls: Labels[]) => ls.map((l) => JSON.stringify(Object.entries(l).sort())).sort();

    // Act
    const [mySeries, theirSeries] = await Promise.all([local.series(q), remote.series(q)]);
    const [myNames, theirNames] = await Promise.all([local.labelNames(q), remote.labelNames(q)]);
    const [myJobs, theirJobs] = await Promise.all([
      local.labelValues('job', q),
      remote.labelValues('job', q),
    ]);

    // Assess
    expect(sorted(theirSeries.data)).toEqual(sorted(mySeries.data));
    expect(mySeries.data).toHaveLength(7);
    expect(theirNames.data).toEqual(myNames.data);
    expect(myNames.data).toEqual(['__name__', 'code', 'instance', 'job', 'le']);
    expect(theirJobs.data).toEqual(myJobs.data);
    expect(myJobs.data).toEqual(['api', 'batch', 'gpu']);
  });

  it('federates the same latest values (the remote stamps them with the query time)', async () => {
    // Prepare
    const sets = [[{ name: 'job', op: '=' as const, value: 'gpu' }]];
    const at = T0 + 29 * 60_000 + 50_000;

    // Act
    const [mine, theirs] = await Promise.all([local.latest(sets, at), remote.latest(sets, at)]);

    // Assess
    const values = (xs: typeof mine) =>
      xs.map((x) => [JSON.stringify(Object.entries(x.labels).sort()), x.value]).sort();
    expect(values(theirs)).toEqual(values(mine));
    expect(mine.map((x) => x.timestampMs)).toEqual([T0 + 1_785_000, T0 + 1_785_000]);
    expect(theirs.map((x) => x.timestampMs)).toEqual([at, at]);
  });

  it('answers a bad query with the same error', async () => {
    // Prepare
    const q = { query: 'sum(rate(x[5m])', timeMs: AT };

    // Act
    const [mine, theirs] = await Promise.all([
      local.instantQuery(q).catch((e: Error) => e),
      remote.instantQuery(q).catch((e: Error) => e),
    ]);

    // Assess
    expect((mine as Error).name).toBe('PromqlParseError');
    expect((theirs as Error).name).toBe('BadRequestError');
    expect((theirs as Error).message).toContain('parse error');
  });
});
