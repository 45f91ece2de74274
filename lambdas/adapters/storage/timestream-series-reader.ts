import {
  TimestreamQueryClient,
  type TimestreamQueryClientConfig,
} from '@aws-sdk/client-timestream-query';
import type { Clock, SelectHints, TimeRange } from '../../domain/ports';
import { PromqlExecutionError } from '../../domain/promql/errors';
import { type Labels, METRIC_NAME_LABEL, seriesKey } from '../../domain/series/labels';
import { type LabelMatcher, matchesAll } from '../../domain/series/matchers';
import type { Sample, Series } from '../../domain/series/sample';
import { decodeSpecialValue, labelNameOf, SPECIAL_VALUE_DIMENSION } from './timestream/encoding';
import {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  type RetryOptions,
} from './timestream/retry';
import { DEFAULT_MAX_ROWS_PER_SELECT } from './timestream/limits';
import { queryAllPages, type RowValues } from './timestream/query-pages';
import {
  lastRowPerStepSql,
  matcherSetsPredicate,
  matchersPredicate,
  pushedDownExactly,
  sqlIdentifier,
  sqlTable,
  timePredicate,
} from './timestream/sql';

/** Options of {@link TimestreamSeriesReader}. */
export interface TimestreamSeriesReaderOptions {
  /** The client to use; one is built from `clientConfig` when absent. */
  readonly client?: TimestreamQueryClient;
  /** Config of the default client. @default { maxAttempts: 1 } (this class does the retrying) */
  readonly clientConfig?: TimestreamQueryClientConfig;
  readonly database: string;
  readonly table: string;
  /** Attempts per Query page, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** @default 50 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** How long the table's dimension columns (from `DESCRIBE`) are trusted, ms. @default 60000 */
  readonly schemaTtlMs?: number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: Clock;
  /** Called on every throttled Timestream query, retried or not. @default none */
  readonly onThrottled?: () => void;
  /**
   * Rows one `select` may read. When set, a `count(*)` of the selection runs first and a larger
   * one is refused (422 `execution`) instead of running out of time.
   * @default DEFAULT_MAX_ROWS_PER_SELECT (what the query API's time budget reads, see limits.ts)
   */
  readonly maxRows?: number;
}

/** Default lifetime of the cached dimension columns, ms. */
const DEFAULT_SCHEMA_TTL_MS = 60_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reads samples and series metadata back from the Timestream table written by
 * `TimestreamSeriesWriter`, translating PromQL label matchers into Timestream SQL
 * (`timestream/sql.ts`, `timestream/regex.ts`).
 *
 * Every call runs one SQL statement (paged with `NextToken`), always bounded by
 * `time BETWEEN from_milliseconds(start) AND from_milliseconds(end)`. The table's dimension
 * columns are learnt with `DESCRIBE` and cached for `schemaTtlMs`, so matchers on labels that
 * were never written become constants instead of failing; a label first written during that
 * window is seen as absent until the cache expires.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_query_Query.html
 */
class TimestreamSeriesReader {
  readonly #client: TimestreamQueryClient;
  readonly #database: string;
  readonly #table: string;
  readonly #retry: RetryOptions;
  readonly #clock: Clock;
  readonly #schemaTtlMs: number;
  readonly #maxRows: number;
  #schema: { readonly dimensions: readonly string[]; readonly atMs: number } | undefined;
  #describing: Promise<readonly string[]> | undefined;

  constructor(options: TimestreamSeriesReaderOptions) {
    this.#client =
      options.client ?? new TimestreamQueryClient({ maxAttempts: 1, ...options.clientConfig });
    this.#database = options.database;
    this.#table = options.table;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#schemaTtlMs = options.schemaTtlMs ?? DEFAULT_SCHEMA_TTL_MS;
    this.#maxRows = options.maxRows ?? DEFAULT_MAX_ROWS_PER_SELECT;
    this.#retry = {
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      resource: `Timestream table "${options.database}"."${options.table}"`,
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
    };
  }

  /**
   * Every series matching all `matchers`, with its samples in `range` sorted by time.
   * NaN, ±Inf and stale markers are decoded from the special-value dimension; when a timestamp
   * holds both an ordinary and a special record (a sample re-written across the two encodings),
   * the special one is returned. With `hints.instantSteps`, the SQL returns only the newest
   * sample of each series at or before each step (`lastRowPerStepSql`): what an instant-vector
   * selector reads, however many samples lie between two steps.
   * @throws PromqlExecutionError when the selection holds more rows than `maxRows`
   */
  async select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]> {
    const dims = await this.#dimensions();
    const where = this.#where(
      range,
      matchersPredicate(matchers, (d) => dims.includes(d)),
    );
    if (where === undefined) return [];
    const outputs = [
      ...[...dims, 'measure_name'].map((c) => {
        const id = c === 'measure_name' ? c : sqlIdentifier(c);
        return { expr: id, name: id };
      }),
      { expr: 'to_milliseconds(time)', name: 't' },
      { expr: 'measure_value::double', name: 'v' },
    ];
    const grid = hints?.instantSteps;
    const sql = grid
      ? lastRowPerStepSql(
          outputs,
          this.#from(),
          where,
          [...dims.filter((d) => d !== SPECIAL_VALUE_DIMENSION).map(sqlIdentifier), 'measure_name'],
          dims.includes(SPECIAL_VALUE_DIMENSION)
            ? sqlIdentifier(SPECIAL_VALUE_DIMENSION)
            : undefined,
          grid,
        )
      : `SELECT ${outputs.map((o) => (o.expr === o.name ? o.expr : `${o.expr} AS ${o.name}`)).join(', ')} FROM ${this.#from()} WHERE ${where}`;
    if (Number.isFinite(this.#maxRows)) {
      // A raw read is counted on the WHERE clause's columns alone.
      const count = grid
        ? `SELECT count(*) AS n FROM (${sql})`
        : `SELECT count(*) AS n FROM ${this.#from()} WHERE ${where}`;
      await this.#refuseAboveMaxRows(count, matchers);
    }
    const bySeries = new Map<
      string,
      { labels: Labels; samples: Map<number, Sample & { special: boolean }> }
    >();
    const labelDims = dims.filter((d) => d !== SPECIAL_VALUE_DIMENSION);
    await this.#query(sql, (row) => {
      const t = Number(row.get('t'));
      const tag = row.get(SPECIAL_VALUE_DIMENSION);
      const raw = row.get('v');
      if (!Number.isFinite(t) || (tag === undefined && raw === undefined)) return;
      // Keyed by the raw column values; the sorted label set is built once per series.
      let key = row.get('measure_name') ?? '';
      for (const d of labelDims) {
        const v = row.get(d);
        key += v === undefined ? '|-' : `|${v.length}:${v}`;
      }
      let entry = bySeries.get(key);
      if (!entry) {
        entry = { labels: this.#labelsOf(row, labelDims), samples: new Map() };
        bySeries.set(key, entry);
      }
      const special = tag !== undefined;
      if (!special && entry.samples.get(t)?.special) return;
      entry.samples.set(t, { t, v: special ? decodeSpecialValue(tag) : Number(raw), special });
    });
    // The SQL may keep more rows than RE2 would (a pattern not pushed down): RE2 decides.
    return [...bySeries.values()]
      .filter(({ labels }) => matchesAll(matchers, labels))
      .map(({ labels, samples }) => ({
        labels,
        samples: [...samples.values()].sort((a, b) => a.t - b.t).map(({ t, v }) => ({ t, v })),
      }));
  }

  /** Label sets of the series matching any of `matcherSets` (all series when empty) in `range`. */
  async series(sets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]> {
    const dims = await this.#dimensions();
    const labelDims = dims.filter((d) => d !== SPECIAL_VALUE_DIMENSION);
    const where = this.#where(
      range,
      matcherSetsPredicate(sets, (d) => dims.includes(d)),
    );
    if (where === undefined) return [];
    const columns = [...labelDims.map(sqlIdentifier), 'measure_name'];
    const sql = `SELECT DISTINCT ${columns.join(', ')} FROM ${this.#from()} WHERE ${where}`;
    const out = new Map<string, Labels>();
    await this.#query(sql, (row) => {
      const labels = this.#labelsOf(row, labelDims);
      if (sets.length === 0 || sets.some((ms) => matchesAll(ms, labels)))
        out.set(seriesKey(labels), labels);
    });
    return [...out.values()];
  }

  /** Sorted label names of the series matching any matcher set (all when empty) in `range`. */
  async labelNames(
    sets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    if (!pushedDownExactly(sets)) {
      const names = new Set((await this.series(sets, range)).flatMap((l) => Object.keys(l)));
      return [...names].sort(compare);
    }
    const dims = await this.#dimensions();
    const labelDims = dims.filter((d) => d !== SPECIAL_VALUE_DIMENSION);
    const where = this.#where(
      range,
      matcherSetsPredicate(sets, (d) => dims.includes(d)),
    );
    if (where === undefined) return [];
    const counts = labelDims.map((d, i) => `count(${sqlIdentifier(d)}) AS c${i}`);
    const sql = `SELECT ${['count(*) AS n', ...counts].join(', ')} FROM ${this.#from()} WHERE ${where}`;
    const names = new Set<string>();
    await this.#query(sql, (row) => {
      if (Number(row.get('n') ?? 0) > 0) names.add(METRIC_NAME_LABEL);
      labelDims.forEach((d, i) => {
        const label = labelNameOf(d);
        if (label !== undefined && Number(row.get(`c${i}`) ?? 0) > 0) names.add(label);
      });
    });
    return [...names].sort(compare);
  }

  /** Sorted values of label `name` over the series matching any matcher set (all when empty). */
  async labelValues(
    name: string,
    sets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    if (!pushedDownExactly(sets)) {
      const values = new Set<string>();
      for (const l of await this.series(sets, range)) {
        const v = l[name];
        if (v !== undefined && v !== '') values.add(v);
      }
      return [...values].sort(compare);
    }
    const dims = await this.#dimensions();
    let column = 'measure_name';
    if (name !== METRIC_NAME_LABEL) {
      const dim = dims.find((d) => d !== SPECIAL_VALUE_DIMENSION && labelNameOf(d) === name);
      if (dim === undefined) return [];
      column = sqlIdentifier(dim);
    }
    const predicate = matcherSetsPredicate(sets, (d) => dims.includes(d));
    const notNull = `${column} IS NOT NULL`;
    const where = this.#where(
      range,
      predicate === 'TRUE' || predicate === 'FALSE'
        ? predicate === 'TRUE'
          ? notNull
          : 'FALSE'
        : `${notNull} AND (${predicate})`,
    );
    if (where === undefined) return [];
    const sql = `SELECT DISTINCT ${column} AS value FROM ${this.#from()} WHERE ${where}`;
    const values = new Set<string>();
    await this.#query(sql, (row) => {
      const v = row.get('value');
      if (v !== undefined && v !== '') values.add(v);
    });
    return [...values].sort(compare);
  }

  /** Runs `countSql` (`SELECT count(*) AS n …`) and refuses more than `maxRows` rows. */
  async #refuseAboveMaxRows(countSql: string, matchers: readonly LabelMatcher[]): Promise<void> {
    let rows = 0;
    await this.#query(countSql, (row) => {
      rows = Number(row.get('n') ?? 0);
    });
    if (rows > this.#maxRows) {
      const selector = matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(',');
      throw new PromqlExecutionError(
        `query would read too many samples: {${selector}} needs ${rows} samples from Timestream, more than the ${this.#maxRows} a query can read within its time budget; narrow the selector, shorten the range or use a larger step`,
      );
    }
  }

  #from(): string {
    return sqlTable(this.#database, this.#table);
  }

  /** The WHERE clause, or `undefined` when the predicate can match nothing. */
  #where(range: TimeRange, predicate: string): string | undefined {
    if (predicate === 'FALSE') return undefined;
    if (range.endMs < range.startMs) return undefined;
    const time = timePredicate(range.startMs, range.endMs);
    return predicate === 'TRUE' ? time : `${time} AND ${predicate}`;
  }

  #labelsOf(row: RowValues, dims: readonly string[]): Labels {
    const labels: Record<string, string> = { [METRIC_NAME_LABEL]: row.get('measure_name') ?? '' };
    for (const d of dims) {
      const label = labelNameOf(d);
      const v = row.get(d);
      if (label !== undefined && v !== undefined && v !== '') labels[label] = v;
    }
    return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compare(a, b)));
  }

  /**
   * The table's dimension columns, from `DESCRIBE`, cached for `schemaTtlMs`. Concurrent callers
   * (both sides of `a / b`) share the one `DESCRIBE` in flight.
   */
  #dimensions(): Promise<readonly string[]> {
    const now = this.#clock.now();
    if (this.#schema && now - this.#schema.atMs < this.#schemaTtlMs) {
      return Promise.resolve(this.#schema.dimensions);
    }
    if (!this.#describing) {
      this.#describing = this.#describe(now).finally(() => {
        this.#describing = undefined;
      });
    }
    return this.#describing;
  }

  async #describe(now: number): Promise<readonly string[]> {
    const dimensions: string[] = [];
    await this.#query(`DESCRIBE ${this.#from()}`, (row) => {
      const column = row.get('Column');
      if (column !== undefined && row.get('Timestream attribute type') === 'DIMENSION') {
        dimensions.push(column);
      }
    });
    this.#schema = { dimensions, atMs: now };
    return dimensions;
  }

  /** Runs `sql`, following `NextToken` (pages may be empty), and hands every row to `onRow`. */
  #query(sql: string, onRow: (row: RowValues) => void): Promise<void> {
    return queryAllPages(this.#client, sql, this.#retry, onRow);
  }
}

export { TimestreamSeriesReader };
