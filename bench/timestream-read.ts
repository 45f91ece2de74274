/**
 * `npm run bench:timestream-read`: how many samples one PromQL query can read from Timestream
 * within the query API's 25 s budget, before and after the instant-vector pushdown.
 *
 * The real `TimestreamSeriesStore` and PromQL engine read from the Timestream Query double
 * (test/helpers/timestream-query-double.ts): 1 MB pages behind `NextToken`, each costing the
 * assumed page latency (simulated, not slept). A query's time = pages × page latency + the
 * client's own time (decoding rows, building series, evaluating); the double's own SQL time is
 * left out. The ceiling scales one measured query to the budget: samples per ms × 25,000 ms.
 * "before" is the read path without hints (every raw sample, no row count); "after" is the
 * default path (pushdown, plus the row count that refuses an oversize select).
 *
 * Run alone: `npx tsx bench/timestream-read.ts [page latency ms]`.
 */
import { performance } from 'node:perf_hooks';
import {
  ASSUMED_PAGE_LATENCY_MS,
  DEFAULT_MAX_ROWS_PER_SELECT,
  QUERY_BUDGET_MS,
} from '../lambdas/adapters/storage/timestream/limits';
import { TimestreamSeriesStore } from '../lambdas/adapters/storage/timestream-series-store';
import type { SeriesStore, TimeRange } from '../lambdas/domain/ports';
import { evaluateRange } from '../lambdas/domain/promql/evaluator';
import type { LabelMatcher } from '../lambdas/domain/series/matchers';
import type { Series } from '../lambdas/domain/series/sample';
import { TimestreamQueryDouble } from '../test/helpers/timestream-query-double';
import { fmt, median, type RepeatOptions, table } from './lib';

const T0 = 1_764_000_000_000;
const SCRAPE_MS = 15_000;
const HOURS = 6;
const SERIES = 200;
const STEP_MS = 60_000;
const LOOKBACK_MS = 300_000;

/** Reads without hints: the read path before the pushdown. */
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

/** `SERIES` request counters with six labels, scraped every 15 s for `HOURS`. */
const makeData = (): Series[] =>
  Array.from({ length: SERIES }, (_, k) => ({
    labels: {
      __name__: 'http_requests_total',
      job: `svc-${k % 4}`,
      instance: `10.0.${k % 50}.${k % 7}:8080`,
      method: k % 2 ? 'GET' : 'POST',
      path: `/api/v1/resource-${k % 5}`,
      code: String(200 + (k % 3)),
      env: 'production',
    },
    samples: Array.from({ length: (HOURS * 3_600_000) / SCRAPE_MS }, (_, i) => ({
      t: T0 + i * SCRAPE_MS,
      v: i * (k + 1),
    })),
  }));

/** One measured query. */
export interface ReadFigure {
  readonly query: string;
  readonly path: 'before' | 'after';
  readonly rows: number;
  readonly pages: number;
  readonly clientMs: number;
  readonly queryMs: number;
  /** Stored samples in the selected range. */
  readonly coveredSamples: number;
  readonly rowsWithinBudget: number;
  readonly coveredWithinBudget: number;
}

export interface ReadReport {
  readonly pageLatencyMs: number;
  readonly bytesPerRow: number;
  readonly figures: ReadFigure[];
}

const runTimestreamReadBench = async (
  opts: RepeatOptions,
  pageLatencyMs = ASSUMED_PAGE_LATENCY_MS,
): Promise<ReadReport> => {
  const double = await TimestreamQueryDouble.create({ pageLatencyMs });
  await double.load(makeData());
  // The row count runs as by default, with a limit the measured queries stay under.
  const store = new TimestreamSeriesStore({
    database: 'vigil',
    queryClient: double.client,
    writeClientConfig: { region: 'eu-west-1' },
    maxRows: Number.MAX_SAFE_INTEGER,
  });
  const before = new WithoutHints(
    new TimestreamSeriesStore({
      database: 'vigil',
      queryClient: double.client,
      writeClientConfig: { region: 'eu-west-1' },
      maxRows: Number.POSITIVE_INFINITY,
    }),
  );
  const end = T0 + HOURS * 3_600_000 - SCRAPE_MS;
  const start = end - (HOURS - 1) * 3_600_000;
  const queries = [
    { query: 'sum by (job) (http_requests_total)', lookbackMs: LOOKBACK_MS },
    { query: 'sum by (job) (rate(http_requests_total[5m]))', lookbackMs: 300_000 },
  ];
  const figures: ReadFigure[] = [];
  let bytesPerRow = 0;
  for (const { query, lookbackMs } of queries) {
    const covered = SERIES * Math.floor((end - start + lookbackMs) / SCRAPE_MS);
    const runs: Record<'before' | 'after', { clientMs: number; rows: number; pages: number }[]> = {
      before: [],
      after: [],
    };
    for (let i = 0; i < opts.warmup + opts.repeats; i++) {
      for (const path of ['before', 'after'] as const) {
        double.resetStats();
        const started = performance.now();
        await evaluateRange(path === 'before' ? before : store, query, start, end, STEP_MS);
        const wall = performance.now() - started;
        const rows = double.stats.statements
          .filter((s) => !s.sql.startsWith('SELECT count(*)'))
          .reduce((a, s) => a + s.rows, 0);
        if (path === 'before') bytesPerRow = double.stats.bytes / rows;
        if (i >= opts.warmup) {
          runs[path].push({
            clientMs: wall - double.stats.serviceMs,
            rows,
            pages: double.stats.pages,
          });
        }
      }
    }
    for (const path of ['before', 'after'] as const) {
      const clientMs = median(runs[path].map((r) => r.clientMs));
      const { rows, pages } = runs[path][0] as { rows: number; pages: number };
      const queryMs = pages * pageLatencyMs + clientMs;
      figures.push({
        query,
        path,
        rows,
        pages,
        clientMs,
        queryMs,
        coveredSamples: covered,
        rowsWithinBudget: (rows / queryMs) * QUERY_BUDGET_MS,
        coveredWithinBudget: (covered / queryMs) * QUERY_BUDGET_MS,
      });
    }
  }
  return { pageLatencyMs, bytesPerRow, figures };
};

const formatTimestreamReadFigures = (r: ReadReport): string => {
  const lines = [
    `${fmt(SERIES)} series × ${HOURS} h at 15 s (7 labels); range query over ${HOURS - 1} h, step ${STEP_MS / 1000} s; page latency ${r.pageLatencyMs} ms (assumed), 1 MB pages, ${fmt(r.bytesPerRow, 0)} bytes a row; budget ${QUERY_BUDGET_MS / 1000} s; default row limit per select ${fmt(DEFAULT_MAX_ROWS_PER_SELECT)}.`,
    table([
      [
        'query',
        'path',
        'rows read',
        'pages',
        'client',
        'query time',
        'rows in 25 s',
        'samples covered in 25 s',
      ],
      ...r.figures.map((f) => [
        f.query,
        f.path,
        fmt(f.rows),
        fmt(f.pages),
        `${fmt(f.clientMs)} ms`,
        `${fmt(f.queryMs)} ms`,
        fmt(f.rowsWithinBudget),
        fmt(f.coveredWithinBudget),
      ]),
    ]),
  ];
  const pair = (query: string) => r.figures.filter((f) => f.query === query);
  for (const query of new Set(r.figures.map((f) => f.query))) {
    const [b, a] = pair(query) as [ReadFigure, ReadFigure];
    lines.push(
      `ceiling for ${query}: before ${fmt(b.coveredWithinBudget)} samples a query, after ${fmt(a.coveredWithinBudget)} (${fmt(a.coveredWithinBudget / b.coveredWithinBudget, 2)}x)`,
    );
  }
  return lines.join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const latency = process.argv[2] ? Number(process.argv[2]) : ASSUMED_PAGE_LATENCY_MS;
  console.log(
    formatTimestreamReadFigures(await runTimestreamReadBench({ warmup: 1, repeats: 3 }, latency)),
  );
}

export { formatTimestreamReadFigures, runTimestreamReadBench };
