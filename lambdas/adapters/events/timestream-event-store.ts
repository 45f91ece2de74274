/**
 * `EventStore` on a Timestream table of multi-measure records: one record per prediction event,
 * `measure_name` = `prediction`, dimensions `service`, `model`, `model_version` (an empty value
 * is left out: Timestream stores no empty dimension), and one measure per declared field —
 * numbers as DOUBLE, everything else as VARCHAR.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/writes.html#writes.writing-data-multi-measure
 *
 * Column names: a field whose name Timestream reserves (`time`, `measure_name`, `ts_…`, see
 * `timestream/encoding.ts`), that equals one of the three dimensions, or that starts with
 * `vigil_` is stored as `vigil_<name>`, and read back under its own name.
 *
 * Time: records carry the event's millisecond plus a sub-millisecond offset (TimeUnit
 * MICROSECONDS), distinct within one write call, so two predictions of one model in the same
 * millisecond are two records, not an upsert; reads return `to_milliseconds(time)`, the
 * original millisecond. Two events of different calls can still meet on the same microsecond
 * (about 1 in 1000 per pair in the same millisecond); Timestream then refuses the second
 * (same version, other values) and it comes back in `rejected`.
 *
 * Writes: at most 100 records per WriteRecords (ts-limits.html); `RejectedRecordsException` is
 * mapped back to input indices with Timestream's reason; throttling and 5xx are retried with
 * full-jitter backoff, then throw `StorageThrottledError` / `StorageUnavailableError`. Values
 * Timestream cannot hold are refused before sending (NaN/±Inf in DOUBLE, a record with no
 * measure, a measure name over 256 bytes).
 */
import {
  TimestreamQueryClient,
  type TimestreamQueryClientConfig,
} from '@aws-sdk/client-timestream-query';
import {
  type _Record,
  type Dimension,
  type MeasureValue,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
} from '@aws-sdk/client-timestream-write';
import { StorageUnavailableError } from '../../domain/errors';
import type {
  BatchResult,
  EventStore,
  PredictionQuery,
  PredictionRecord,
  RejectedItem,
} from '../../domain/ports';
import { isReservedDimensionName } from '../storage/timestream/encoding';
import { MAX_MEASURE_NAME_BYTES, MAX_RECORDS_PER_WRITE } from '../storage/timestream/limits';
import { queryAllPages } from '../storage/timestream/query-pages';
import { writeRecords } from '../storage/timestream/rejected-records';
import { type RetryOptions, type RetrySettings, retryOptions } from '../storage/timestream/retry';
import { sqlIdentifier, sqlString, sqlTable, timePredicate } from '../storage/timestream/sql';

/** `measure_name` of every prediction record. */
const PREDICTION_MEASURE_NAME = 'prediction';
/** Dimension columns, in record order. */
const DIMENSIONS = { service: 'service', model: 'model', modelVersion: 'model_version' } as const;
const DIMENSION_NAMES: ReadonlySet<string> = new Set(Object.values(DIMENSIONS));
const COLUMN_PREFIX = 'vigil_';
/** Timestream's attribute type of multi-measure columns in `DESCRIBE`. */
const MULTI_ATTRIBUTE_TYPE = 'MULTI';

/** Options of {@link TimestreamEventStore}. */
/** `random` is also the source of the sub-millisecond offsets. */
interface TimestreamEventStoreOptions extends RetrySettings {
  /** @default a new client from `writeClientConfig` with `maxAttempts: 1` */
  readonly writeClient?: TimestreamWriteClient;
  readonly writeClientConfig?: TimestreamWriteClientConfig;
  /** @default a new client from `queryClientConfig` with `maxAttempts: 1` */
  readonly queryClient?: TimestreamQueryClient;
  readonly queryClientConfig?: TimestreamQueryClientConfig;
  readonly database: string;
  readonly table: string;
}

/** The column a measure is stored in. */
const measureColumnOf = (field: string): string =>
  isReservedDimensionName(field) || DIMENSION_NAMES.has(field) ? `${COLUMN_PREFIX}${field}` : field;

/** The field a measure column holds (undoes {@link measureColumnOf}). */
const fieldOfColumn = (column: string): string =>
  column.startsWith(COLUMN_PREFIX) ? column.slice(COLUMN_PREFIX.length) : column;

/** The measures of a record, or why Timestream cannot hold them. */
const measuresOf = (r: PredictionRecord): MeasureValue[] | string => {
  const out: MeasureValue[] = [];
  for (const [name, value] of Object.entries(r.measures)) {
    const column = measureColumnOf(name);
    if (Buffer.byteLength(column, 'utf8') > MAX_MEASURE_NAME_BYTES) {
      return `measure '${name.slice(0, 80)}' has a name longer than ${MAX_MEASURE_NAME_BYTES} bytes (Timestream limit)`;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        return `measure '${name}' is ${value}: Timestream DOUBLE cannot hold NaN or infinities`;
      }
      out.push({ Name: column, Value: String(value), Type: 'DOUBLE' });
    } else {
      out.push({ Name: column, Value: value, Type: 'VARCHAR' });
    }
  }
  if (out.length === 0) return 'prediction has no declared measure to store';
  return out;
};

const dimensionsOf = (r: PredictionRecord): Dimension[] =>
  (
    [
      [DIMENSIONS.service, r.service],
      [DIMENSIONS.model, r.model],
      [DIMENSIONS.modelVersion, r.modelVersion],
    ] as const
  )
    .filter(([, v]) => v !== '')
    .map(([Name, Value]) => ({ Name, Value }));

interface Chunk {
  readonly records: _Record[];
  /** Input index of each record. */
  readonly origins: number[];
}

/** Prediction events in a Timestream multi-measure table; see the file comment. */
class TimestreamEventStore implements EventStore {
  readonly #write: TimestreamWriteClient;
  readonly #query: TimestreamQueryClient;
  readonly #database: string;
  readonly #table: string;
  readonly #retry: RetryOptions;
  readonly #random: () => number;

  constructor(options: TimestreamEventStoreOptions) {
    this.#write =
      options.writeClient ??
      new TimestreamWriteClient({ maxAttempts: 1, ...options.writeClientConfig });
    this.#query =
      options.queryClient ??
      new TimestreamQueryClient({ maxAttempts: 1, ...options.queryClientConfig });
    this.#database = options.database;
    this.#table = options.table;
    this.#random = options.random ?? Math.random;
    this.#retry = retryOptions(
      { ...options, random: this.#random },
      `Timestream table "${options.database}"."${options.table}"`,
    );
  }

  /** Writes `records` in WriteRecords calls of at most 100; refused ones come back by index. */
  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    const rejected: RejectedItem[] = [];
    const base = Math.floor(this.#random() * 1000);
    /** Offsets already used per millisecond in this call. */
    const used = new Map<number, number>();
    let current: Chunk = { records: [], origins: [] };
    const chunks: Chunk[] = [];
    records.forEach((r, index) => {
      const measures = measuresOf(r);
      if (typeof measures === 'string') {
        rejected.push({ index, reason: measures });
        return;
      }
      const ms = Math.trunc(r.timestampMs);
      const n = used.get(ms) ?? 0;
      used.set(ms, n + 1);
      if (n >= 1000) {
        rejected.push({
          index,
          reason: 'more than 1000 predictions of this write share one millisecond',
        });
        return;
      }
      const micros = ms * 1000 + ((base + n) % 1000);
      current.records.push({
        Dimensions: dimensionsOf(r),
        MeasureValues: measures,
        Time: String(micros),
      });
      current.origins.push(index);
      if (current.records.length === MAX_RECORDS_PER_WRITE) {
        chunks.push(current);
        current = { records: [], origins: [] };
      }
    });
    if (current.records.length > 0) chunks.push(current);
    for (const chunk of chunks) rejected.push(...(await this.#send(chunk)));
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: records.length - rejected.length, rejected };
  }

  async #send(chunk: Chunk): Promise<RejectedItem[]> {
    const refused = await writeRecords(
      this.#write,
      {
        DatabaseName: this.#database,
        TableName: this.#table,
        CommonAttributes: {
          MeasureName: PREDICTION_MEASURE_NAME,
          MeasureValueType: 'MULTI',
          TimeUnit: 'MICROSECONDS',
        },
        Records: chunk.records,
      },
      this.#retry,
    );
    return refused.map((r) => {
      const index = chunk.origins[r.index];
      if (index === undefined) {
        throw new StorageUnavailableError(
          `${this.#retry.resource}: Timestream rejected record ${r.index} of a ${chunk.records.length}-record request`,
        );
      }
      return { index, reason: r.reason };
    });
  }

  /**
   * Records of `query`, sorted by time: one SQL statement over the range and dimensions,
   * selecting the asked fields that exist as columns (learnt with `DESCRIBE`; a field never
   * written is absent from every record).
   */
  async query(query: PredictionQuery): Promise<PredictionRecord[]> {
    if (query.range.endMs < query.range.startMs) return [];
    const columns = await this.#measureColumns();
    const wanted = [...new Set(query.fields)]
      .map((f) => measureColumnOf(f))
      .filter((c) => columns.has(c));
    const where = [
      `measure_name = ${sqlString(PREDICTION_MEASURE_NAME)}`,
      timePredicate(query.range.startMs, query.range.endMs),
      ...(query.service !== undefined
        ? [`${sqlIdentifier(DIMENSIONS.service)} = ${sqlString(query.service)}`]
        : []),
      ...(query.model !== undefined
        ? [`${sqlIdentifier(DIMENSIONS.model)} = ${sqlString(query.model)}`]
        : []),
      ...(query.modelVersion !== undefined
        ? [`${sqlIdentifier(DIMENSIONS.modelVersion)} = ${sqlString(query.modelVersion)}`]
        : []),
    ];
    const select = [
      ...Object.values(DIMENSIONS).map(sqlIdentifier),
      'to_milliseconds(time) AS t',
      ...wanted.map(sqlIdentifier),
    ];
    const sql = `SELECT ${select.join(', ')} FROM ${sqlTable(this.#database, this.#table)} WHERE ${where.join(' AND ')} ORDER BY time`;
    const out: PredictionRecord[] = [];
    await queryAllPages(this.#query, sql, this.#retry, (row) => {
      const measures: Record<string, number | string> = {};
      for (const c of wanted) {
        const v = row.get(c);
        if (v === undefined) continue;
        measures[fieldOfColumn(c)] = columns.get(c) === 'double' ? Number(v) : v;
      }
      out.push({
        timestampMs: Number(row.get('t')),
        service: row.get(DIMENSIONS.service) ?? '',
        model: row.get(DIMENSIONS.model) ?? '',
        modelVersion: row.get(DIMENSIONS.modelVersion) ?? '',
        measures,
      });
    });
    return out;
  }

  /** Multi-measure columns of the table and their lower-case types, from `DESCRIBE`. */
  async #measureColumns(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await queryAllPages(
      this.#query,
      `DESCRIBE ${sqlTable(this.#database, this.#table)}`,
      this.#retry,
      (row) => {
        const column = row.get('Column');
        if (column !== undefined && row.get('Timestream attribute type') === MULTI_ATTRIBUTE_TYPE) {
          out.set(column, (row.get('Type') ?? 'varchar').toLowerCase());
        }
      },
    );
    return out;
  }
}

export type { TimestreamEventStoreOptions };
export { PREDICTION_MEASURE_NAME, TimestreamEventStore };
