import { TimestreamSeriesStore } from '../../../../lambdas/adapters/storage/timestream-series-store';
import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import type { SeriesStore, TimeRange } from '../../../../lambdas/domain/ports';
import { evaluateInstant, evaluateRange } from '../../../../lambdas/domain/promql/evaluator';
import type { LabelMatcher } from '../../../../lambdas/domain/series/matchers';
import { type Series, STALE_NAN } from '../../../../lambdas/domain/series/sample';
import { TimestreamQueryDouble } from '../../../helpers/timestream-query-double';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const SCRAPE_MS = 15_000;
const HOUR_SAMPLES = 240;

/** Two hours of 15 s scrapes: counters, a gauge with a gap, NaN, ±Inf and a stale marker. */
const makeSeries = (): Series[] => {
  const out: Series[] = [];
  for (const job of ['api', 'worker']) {
    for (const instance of ['a', 'b', 'c']) {
      out.push({
        labels: { __name__: 'http_requests_total', job, instance, code: '200' },
        samples: Array.from({ length: 2 * HOUR_SAMPLES }, (_, i) => ({
          t: T0 + i * SCRAPE_MS,
          v: i * (instance.charCodeAt(0) - 96) + (i > 300 ? -250 : 0),
        })),
      });
    }
  }
  out.push({
    labels: { __name__: 'queue_depth', job: 'worker', time: 'reserved-name' },
    samples: Array.from({ length: 2 * HOUR_SAMPLES }, (_, i) => i)
      .filter((i) => i < 100 || i > 140)
      .map((i) => ({
        t: T0 + i * SCRAPE_MS + 3_000,
        v:
          i === 50
            ? Number.NaN
            : i === 60
              ? Number.POSITIVE_INFINITY
              : i === 200
                ? STALE_NAN
                : i % 17,
      })),
  });
  return out;
};

/** Passes reads through without hints: the read path as it was before the pushdown. */
class WithoutHints implements SeriesStore {
  constructor(private readonly inner: SeriesStore) {}
  write = (s: readonly Series[]) => this.inner.write(s);
  select = (m: readonly LabelMatcher[], r: TimeRange) => this.inner.select(m, r);
  series = (m: readonly (readonly LabelMatcher[])[], r: TimeRange) => this.inner.series(m, r);
  labelNames = (m: readonly (readonly LabelMatcher[])[], r: TimeRange) =>
    this.inner.labelNames(m, r);
  labelValues = (n: string, m: readonly (readonly LabelMatcher[])[], r: TimeRange) =>
    this.inner.labelValues(n, m, r);
}

const timestreamStore = (double: TimestreamQueryDouble, maxRows = Number.POSITIVE_INFINITY) =>
  new TimestreamSeriesStore({
    database: 'vigil',
    queryClient: double.client,
    writeClientConfig: { region: 'eu-west-1' },
    maxRows,
  });

const RANGE_QUERIES = [
  'http_requests_total',
  'sum by (job) (http_requests_total)',
  'rate(http_requests_total[5m])',
  'queue_depth',
  'timestamp(queue_depth)',
  'queue_depth offset 7m',
  'http_requests_total - http_requests_total offset 1h',
  'max_over_time(queue_depth[10m:1m])',
  'queue_depth @ 1700003600',
  'absent(nothing_here)',
];

describe('Timestream read path: the last sample before each step pushed into the SQL', () => {
  let memory: MemorySeriesStore;
  let double: TimestreamQueryDouble;

  beforeAll(async () => {
    const series = makeSeries();
    memory = new MemorySeriesStore();
    await memory.write(series);
    double = await TimestreamQueryDouble.create({ pageBytes: 64 * 1024 });
    await double.load(series);
  });

  beforeEach(() => double.resetStats());

  it.each(
    RANGE_QUERIES.flatMap(
      (q) =>
        [
          [q, 60_000],
          [q, 7_000],
        ] as const,
    ),
  )('answers the range query %s (step %d ms) as the in-memory store does', async (q, step) => {
    // Act
    const expected = await evaluateRange(memory, q, T0 + 20 * MIN, T0 + 110 * MIN, step);
    const actual = await evaluateRange(
      timestreamStore(double),
      q,
      T0 + 20 * MIN,
      T0 + 110 * MIN,
      step,
    );

    // Assess
    expect(actual.value).toEqual(expected.value);
  });

  it.each(RANGE_QUERIES)('answers the instant query %s as the in-memory store does', async (q) => {
    // Act
    const at = T0 + 60 * MIN + 1_000;
    const expected = await evaluateInstant(memory, q, at);
    const actual = await evaluateInstant(timestreamStore(double), q, at);

    // Assess
    expect(actual.value).toEqual(expected.value);
  });

  it('reads one row per series and step instead of every scrape for an instant-vector selector', async () => {
    // Prepare
    const q = 'sum by (job) (http_requests_total)';
    const [start, end] = [T0 + 20 * MIN, T0 + 110 * MIN];

    // Act
    await evaluateRange(new WithoutHints(timestreamStore(double)), q, start, end, 5 * MIN);
    const raw = double.stats;
    double.resetStats();
    const pushed = await evaluateRange(timestreamStore(double), q, start, end, 5 * MIN);

    // Assess: 6 series × (90 min + 5 min lookback) of 15 s scrapes, against 6 series × 19 steps.
    expect(raw.statements.map((s) => s.rows)).toEqual([6 * (95 * 4)]);
    expect(double.stats.statements.map((s) => s.rows)).toEqual([6 * 19]);
    expect(double.stats.pages).toBeLessThan(raw.pages);
    expect(double.stats.statements[0]?.sql).toContain('row_number() OVER (PARTITION BY');
    expect(pushed.value.type === 'matrix' && pushed.value.series.length).toBe(2);
  });

  it('still reads every sample for a range-vector selector', async () => {
    // Act
    await evaluateRange(
      timestreamStore(double),
      'rate(http_requests_total[5m])',
      T0 + 20 * MIN,
      T0 + 30 * MIN,
      5 * MIN,
    );

    // Assess
    expect(double.stats.statements).toEqual([
      expect.objectContaining({
        sql: expect.not.stringContaining('row_number()'),
        rows: 6 * 15 * 4,
      }),
    ]);
  });

  it('follows NextToken across 1 MB pages', async () => {
    // Prepare
    const big = await TimestreamQueryDouble.create();
    const series: Series[] = Array.from({ length: 400 }, (_, k) => ({
      labels: { __name__: 'node_cpu_seconds_total', cpu: String(k), mode: 'idle', job: 'node' },
      samples: Array.from({ length: 60 }, (_, i) => ({ t: T0 + i * SCRAPE_MS, v: i + k })),
    }));
    await big.load(series);
    const small = new MemorySeriesStore();
    await small.write(series);

    // Act
    const q = 'node_cpu_seconds_total[15m]';
    const actual = await evaluateInstant(timestreamStore(big), q, T0 + 15 * MIN);

    // Assess
    expect(big.stats.pages).toBeGreaterThan(2);
    expect(big.stats.bytes / big.stats.pages).toBeLessThanOrEqual(1024 * 1024);
    expect(actual.value).toEqual((await evaluateInstant(small, q, T0 + 15 * MIN)).value);
  });

  it('refuses a query that would read more rows than one query may, before reading them', async () => {
    // Prepare
    const store = timestreamStore(double, 1_000);

    // Act
    const run = evaluateRange(store, 'http_requests_total', T0, T0 + 120 * MIN, 15_000);

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'PromqlExecutionError',
      message: expect.stringMatching(
        /^query would read too many samples: \{__name__="http_requests_total"\} needs 2880 samples from Timestream, more than the 1000 /,
      ),
    });
    expect(double.stats.statements.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^SELECT count\(\*\) AS n FROM \(SELECT .* row_number\(\) OVER/),
    ]);
  });

  it('admits the same query once the step leaves it under the limit', async () => {
    // Act
    const result = await evaluateRange(
      timestreamStore(double, 1_000),
      'http_requests_total',
      T0,
      T0 + 120 * MIN,
      5 * MIN,
    );

    // Assess
    expect(result.value.type === 'matrix' && result.value.series).toHaveLength(6);
  });
});
