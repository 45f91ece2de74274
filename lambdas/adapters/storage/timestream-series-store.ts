import type {
  TimestreamQueryClient,
  TimestreamQueryClientConfig,
} from '@aws-sdk/client-timestream-query';
import type {
  TimestreamWriteClient,
  TimestreamWriteClientConfig,
} from '@aws-sdk/client-timestream-write';
import type { Clock, SelectHints, SeriesStore, TimeRange, WriteResult } from '../../domain/ports';
import type { Labels } from '../../domain/series/labels';
import type { LabelMatcher } from '../../domain/series/matchers';
import type { Series } from '../../domain/series/sample';
import { TimestreamSeriesReader } from './timestream-series-reader';
import { TimestreamSeriesWriter } from './timestream-series-writer';

/** Options of {@link TimestreamSeriesStore}. */
export interface TimestreamSeriesStoreOptions {
  /** Write client; built from `writeClientConfig` when absent. */
  readonly writeClient?: TimestreamWriteClient;
  readonly writeClientConfig?: TimestreamWriteClientConfig;
  /** Query client; built from `queryClientConfig` when absent. */
  readonly queryClient?: TimestreamQueryClient;
  readonly queryClientConfig?: TimestreamQueryClientConfig;
  readonly database: string;
  /** @default 'samples' */
  readonly table?: string;
  /** Attempts per AWS call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** WriteRecords requests in flight at once. @default 4 */
  readonly writeConcurrency?: number;
  /** Lifetime of the cached `DESCRIBE` of the table, ms. @default 60000 */
  readonly schemaTtlMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly clock?: Clock;
  /** Called on every throttled Timestream request (self-monitoring). @default none */
  readonly onThrottled?: () => void;
  /** Rows one select may read (see `TimestreamSeriesReader`). @default DEFAULT_MAX_ROWS_PER_SELECT */
  readonly maxRows?: number;
  /** Called with the number of records Timestream rejected in one write. @default none */
  readonly onRejectedRecords?: (count: number) => void;
}

/**
 * `SeriesStore` on Amazon Timestream for LiveAnalytics: writes through
 * {@link TimestreamSeriesWriter} (WriteRecords, last write wins through `Version`), reads through
 * {@link TimestreamSeriesReader} (Query, one SQL statement per call).
 */
class TimestreamSeriesStore implements SeriesStore {
  readonly #writer: TimestreamSeriesWriter;
  readonly #reader: TimestreamSeriesReader;

  constructor(options: TimestreamSeriesStoreOptions) {
    const table = options.table ?? 'samples';
    const common = {
      database: options.database,
      table,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
    };
    this.#writer = new TimestreamSeriesWriter({
      ...common,
      ...(options.writeClient ? { client: options.writeClient } : {}),
      ...(options.writeClientConfig ? { clientConfig: options.writeClientConfig } : {}),
      ...(options.writeConcurrency === undefined ? {} : { concurrency: options.writeConcurrency }),
      ...(options.onRejectedRecords ? { onRejectedRecords: options.onRejectedRecords } : {}),
    });
    this.#reader = new TimestreamSeriesReader({
      ...common,
      ...(options.queryClient ? { client: options.queryClient } : {}),
      ...(options.queryClientConfig ? { clientConfig: options.queryClientConfig } : {}),
      ...(options.schemaTtlMs === undefined ? {} : { schemaTtlMs: options.schemaTtlMs }),
      ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
    });
  }

  write(series: readonly Series[]): Promise<WriteResult> {
    return this.#writer.write(series);
  }

  select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]> {
    return this.#reader.select(matchers, range, hints);
  }

  series(matcherSets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]> {
    return this.#reader.series(matcherSets, range);
  }

  labelNames(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.#reader.labelNames(matcherSets, range);
  }

  labelValues(
    name: string,
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.#reader.labelValues(name, matcherSets, range);
  }
}

export { TimestreamSeriesStore };
