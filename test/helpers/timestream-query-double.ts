/**
 * A Timestream Query double for tests and benches: the samples table lives in DuckDB (an
 * in-process SQL engine whose dialect runs the reader's SQL with three small macros), and the
 * result is served the way Timestream serves it: pages of at most 1 MB of row JSON behind
 * `NextToken`, the column list on every page, `DESCRIBE` answered with the table's dimensions.
 * Each page costs `pageLatencyMs` of simulated time, counted in `stats` (nothing sleeps).
 * @see https://docs.aws.amazon.com/timestream/latest/APIReference/API_query_Query.html
 */
import { performance } from 'node:perf_hooks';
import type {
  ColumnInfo,
  QueryCommand,
  QueryCommandOutput,
  Row,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import { type DuckDBConnection, DuckDBInstance, timestampValue } from '@duckdb/node-api';
import {
  dimensionsOf,
  formatDouble,
  SPECIAL_VALUE_DIMENSION,
  specialValueOf,
} from '../../lambdas/adapters/storage/timestream/encoding';
import {
  ASSUMED_PAGE_LATENCY_MS,
  QUERY_PAGE_BYTES,
} from '../../lambdas/adapters/storage/timestream/limits';
import { METRIC_NAME_LABEL } from '../../lambdas/domain/series/labels';
import type { Series } from '../../lambdas/domain/series/sample';

/** Options of {@link TimestreamQueryDouble.create}. */
export interface TimestreamQueryDoubleOptions {
  readonly database?: string;
  readonly table?: string;
  /** @default QUERY_PAGE_BYTES (1 MB) */
  readonly pageBytes?: number;
  /** Simulated latency of one page. @default ASSUMED_PAGE_LATENCY_MS */
  readonly pageLatencyMs?: number;
}

/** What the double served since the last {@link TimestreamQueryDouble.resetStats}. */
export interface TimestreamQueryStats {
  /** Every statement run (`NextToken` calls add to their statement), `DESCRIBE` left out. */
  readonly statements: { readonly sql: string; rows: number; pages: number }[];
  pages: number;
  bytes: number;
  simulatedLatencyMs: number;
  /** Real time spent standing in for the service (running SQL, building pages). */
  serviceMs: number;
}

/** Timestream's SQL functions the reader uses, in DuckDB. */
const MACROS = [
  'CREATE MACRO from_milliseconds(x) AS make_timestamp(CAST(x AS BIGINT) * 1000)',
  'CREATE MACRO to_milliseconds(t) AS epoch_ms(t)',
  // Timestream's regexp_like is a contains match; DuckDB's regexp_matches too (both RE2-like).
  'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
];

const quote = (id: string): string => `"${id.replaceAll('"', '""')}"`;

class TimestreamQueryDouble {
  readonly #connection: DuckDBConnection;
  readonly #database: string;
  readonly #table: string;
  readonly #pageBytes: number;
  readonly #pageLatencyMs: number;
  readonly #pending = new Map<
    string,
    { pages: QueryCommandOutput[]; statement: { rows: number; pages: number } }
  >();
  #dimensions: string[] = [];
  #nextToken = 0;
  stats: TimestreamQueryStats = this.#emptyStats();

  private constructor(connection: DuckDBConnection, options: TimestreamQueryDoubleOptions) {
    this.#connection = connection;
    this.#database = options.database ?? 'vigil';
    this.#table = options.table ?? 'samples';
    this.#pageBytes = options.pageBytes ?? QUERY_PAGE_BYTES;
    this.#pageLatencyMs = options.pageLatencyMs ?? ASSUMED_PAGE_LATENCY_MS;
  }

  static async create(options: TimestreamQueryDoubleOptions = {}): Promise<TimestreamQueryDouble> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const m of MACROS) await connection.run(m);
    const double = new TimestreamQueryDouble(connection, options);
    await connection.run(`CREATE SCHEMA ${quote(double.#database)}`);
    await double.#createTable();
    return double;
  }

  /** The client to hand the reader: `send(QueryCommand)` only. */
  get client(): TimestreamQueryClient {
    return {
      send: (command: QueryCommand) => this.#send(command.input),
    } as unknown as TimestreamQueryClient;
  }

  /** Writes samples as `TimestreamSeriesWriter` records them (special values as a dimension). */
  async load(series: readonly Series[]): Promise<void> {
    const dims = new Set(this.#dimensions);
    for (const s of series) for (const d of dimensionsOf(s.labels)) dims.add(d.Name);
    if (series.some((s) => s.samples.some((x) => specialValueOf(x.v) !== undefined))) {
      dims.add(SPECIAL_VALUE_DIMENSION);
    }
    for (const d of [...dims].filter((x) => !this.#dimensions.includes(x))) {
      await this.#connection.run(`ALTER TABLE ${this.#from()} ADD COLUMN ${quote(d)} VARCHAR`);
      this.#dimensions.push(d);
    }
    const appender = await this.#connection.createAppender(this.#table, this.#database);
    for (const s of series) {
      const byName = new Map(dimensionsOf(s.labels).map((d) => [d.Name, d.Value]));
      for (const x of s.samples) {
        const special = specialValueOf(x.v);
        appender.appendVarchar(s.labels[METRIC_NAME_LABEL] ?? '');
        appender.appendTimestamp(timestampValue(BigInt(x.t) * 1000n));
        appender.appendDouble(special === undefined ? Number(formatDouble(x.v)) : 0);
        for (const d of this.#dimensions) {
          const v = d === SPECIAL_VALUE_DIMENSION ? special : byName.get(d);
          if (v === undefined) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
    }
    appender.closeSync();
  }

  resetStats(): void {
    this.stats = this.#emptyStats();
  }

  #emptyStats(): TimestreamQueryStats {
    return { statements: [], pages: 0, bytes: 0, simulatedLatencyMs: 0, serviceMs: 0 };
  }

  #from(): string {
    return `${quote(this.#database)}.${quote(this.#table)}`;
  }

  async #createTable(): Promise<void> {
    await this.#connection.run(
      `CREATE TABLE ${this.#from()} (measure_name VARCHAR, time TIMESTAMP, measure_value DOUBLE)`,
    );
  }

  async #send(input: {
    QueryString?: string | undefined;
    NextToken?: string | undefined;
  }): Promise<QueryCommandOutput> {
    let pending:
      | { pages: QueryCommandOutput[]; statement: { rows: number; pages: number } }
      | undefined;
    if (input.NextToken) {
      pending = this.#pending.get(input.NextToken);
      this.#pending.delete(input.NextToken);
      if (!pending) throw new Error(`unknown NextToken ${input.NextToken}`);
    } else {
      const sql = input.QueryString ?? '';
      const statement = { sql, rows: 0, pages: 0 };
      if (!sql.startsWith('DESCRIBE ')) this.stats.statements.push(statement);
      const started = performance.now();
      pending = { pages: this.#paginate(await this.#run(sql)), statement };
      this.stats.serviceMs += performance.now() - started;
    }
    const [page, ...rest] = pending.pages as [QueryCommandOutput, ...QueryCommandOutput[]];
    this.stats.pages++;
    this.stats.simulatedLatencyMs += this.#pageLatencyMs;
    pending.statement.pages++;
    pending.statement.rows += page.Rows?.length ?? 0;
    if (rest.length === 0) return page;
    const token = `page-${++this.#nextToken}`;
    this.#pending.set(token, { pages: rest, statement: pending.statement });
    return { ...page, NextToken: token };
  }

  async #run(sql: string): Promise<{ columns: ColumnInfo[]; rows: Row[] }> {
    if (sql === `DESCRIBE ${this.#from()}`) {
      const described: [string, string, string][] = [
        ...this.#dimensions.map((d): [string, string, string] => [d, 'varchar', 'DIMENSION']),
        ['measure_name', 'varchar', 'MEASURE_NAME'],
        ['time', 'timestamp', 'TIMESTAMP'],
        ['measure_value::double', 'double', 'MEASURE_VALUE'],
      ];
      return {
        columns: ['Column', 'Type', 'Timestream attribute type'].map((Name) => ({
          Name,
          Type: { ScalarType: 'VARCHAR' },
        })),
        rows: described.map((r) => ({ Data: r.map((ScalarValue) => ({ ScalarValue })) })),
      };
    }
    const result = await this.#connection.runAndReadAll(sql);
    const names = result.columnNames();
    const columns: ColumnInfo[] = names.map((Name) => ({ Name, Type: { ScalarType: 'VARCHAR' } }));
    const rows: Row[] = result.getRows().map((r) => ({
      Data: r.map((cell) =>
        cell === null
          ? { NullValue: true }
          : { ScalarValue: typeof cell === 'number' ? formatDouble(cell) : String(cell) },
      ),
    }));
    return { columns, rows };
  }

  /** Pages of at most `pageBytes` of row JSON; an empty result is one empty page. */
  #paginate({ columns, rows }: { columns: ColumnInfo[]; rows: Row[] }): QueryCommandOutput[] {
    const pages: QueryCommandOutput[] = [];
    const header = JSON.stringify(columns).length + 64;
    let current: Row[] = [];
    let bytes = header;
    const flush = (): void => {
      pages.push({ $metadata: {}, QueryId: 'q', ColumnInfo: columns, Rows: current });
      this.stats.bytes += bytes;
      current = [];
      bytes = header;
    };
    for (const row of rows) {
      const size = JSON.stringify(row).length + 1;
      if (current.length > 0 && bytes + size > this.#pageBytes) flush();
      current.push(row);
      bytes += size;
    }
    flush();
    return pages;
  }
}

export { TimestreamQueryDouble };
