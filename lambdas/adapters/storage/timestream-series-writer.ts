import {
  type _Record,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
} from '@aws-sdk/client-timestream-write';
import { StorageUnavailableError } from '../../domain/errors';
import type { Clock, RejectedSample, WriteResult } from '../../domain/ports';
import type { Series } from '../../domain/series/sample';
import { type RejectedRecordInfo, writeRecords } from './timestream/rejected-records';
import { planWrite, type WriteBatch } from './timestream/write-plan';
import {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  type RetryOptions,
} from './timestream/retry';

/** Options of {@link TimestreamSeriesWriter}. */
export interface TimestreamSeriesWriterOptions {
  /** The client to use; one is built from `clientConfig` when absent. */
  readonly client?: TimestreamWriteClient;
  /** Config of the default client. @default { maxAttempts: 1 } (this class does the retrying) */
  readonly clientConfig?: TimestreamWriteClientConfig;
  readonly database: string;
  readonly table: string;
  /** Attempts per request, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry, ms, doubled per retry (full jitter). @default 50 */
  readonly baseDelayMs?: number;
  /** Largest backoff, ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** WriteRecords requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Source of `Version` and of "now" for the future-ingestion limit. @default Date.now */
  readonly clock?: Clock;
  /** Called on every throttled Timestream request, retried or not. @default none */
  readonly onThrottled?: () => void;
  /** Called with the number of records Timestream rejected in one `write`, when any. @default none */
  readonly onRejectedRecords?: (count: number) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type RejectedWithVersion = RejectedRecordInfo;

/**
 * Writes samples to a Timestream table (`measure_name` = metric name, dimensions = labels,
 * `measure_value::double`, time in ms) with WriteRecords, in batches of at most 100 records
 * (see `timestream/write-plan.ts` for the batching and `timestream/encoding.ts` for how label
 * names and NaN/±Inf/stale values are encoded).
 *
 * **Last write wins.** Every record carries `Version` = the writer's clock in ms, kept strictly
 * increasing within the instance. Timestream replaces a stored record when a write brings a
 * higher Version (WriteRecords "Upserts"), so re-writing a sample with another value replaces
 * it. When another writer's clock ran ahead and Timestream still refuses a record because its
 * stored version is higher (`ExistingVersion`), that record is sent once more with
 * `ExistingVersion + 1`, as the API reference suggests.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_WriteRecords.html
 *
 * **Faults.** Throttling and 5xx are retried with exponential backoff and full jitter, then
 * become `StorageThrottledError` / `StorageUnavailableError`. Records Timestream rejects for
 * their data (`RejectedRecordsException`) are never retried: each is mapped back through its
 * `RecordIndex` to its series and sample and returned in `WriteResult.rejected` with the reason.
 */
class TimestreamSeriesWriter {
  readonly #client: TimestreamWriteClient;
  readonly #database: string;
  readonly #table: string;
  readonly #retry: RetryOptions;
  readonly #concurrency: number;
  readonly #clock: Clock;
  readonly #onRejectedRecords: ((count: number) => void) | undefined;
  #lastVersion = 0;

  constructor(options: TimestreamSeriesWriterOptions) {
    this.#client =
      options.client ?? new TimestreamWriteClient({ maxAttempts: 1, ...options.clientConfig });
    this.#database = options.database;
    this.#table = options.table;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#retry = {
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      resource: `Timestream table "${options.database}"."${options.table}"`,
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
    };
    this.#onRejectedRecords = options.onRejectedRecords;
  }

  /** Writes `series`; every sample ends up stored or listed in `rejected`. */
  async write(series: readonly Series[]): Promise<WriteResult> {
    const now = this.#clock.now();
    const version = Math.max(Math.trunc(now), this.#lastVersion + 1);
    this.#lastVersion = version;
    const plan = planWrite(series, version, now);
    const rejected: RejectedSample[] = [...plan.rejected];
    const queue = [...plan.batches];
    const worker = async (): Promise<void> => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        rejected.push(...(await this.#writeBatch(batch)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
    const byTimestream = rejected.length - plan.rejected.length;
    if (byTimestream > 0) this.#onRejectedRecords?.(byTimestream);
    return { accepted: plan.recordCount - (rejected.length - plan.rejected.length), rejected };
  }

  /** Sends one batch; returns the samples Timestream rejected for their data. */
  async #writeBatch(batch: WriteBatch): Promise<RejectedSample[]> {
    const rejections = await this.#send(batch.commonAttributes, batch.records);
    const final: RejectedSample[] = [];
    const outdated: RejectedWithVersion[] = [];
    for (const r of rejections) {
      if (
        r.existingVersion !== undefined &&
        r.existingVersion >= (batch.commonAttributes.Version ?? 1)
      ) {
        outdated.push(r);
      } else final.push(this.#rejectedSample(batch, r));
    }
    if (outdated.length > 0) {
      // Another writer stored these with a higher version: resend once, just above it.
      const records: _Record[] = outdated.map((r) => ({
        ...(batch.records[r.index] as _Record),
        Version: (r.existingVersion as number) + 1,
      }));
      const { Version: _, ...common } = batch.commonAttributes;
      const again = await this.#send(common, records);
      for (const r of again) {
        final.push(
          this.#rejectedSample(batch, {
            ...r,
            index: (outdated[r.index] as RejectedWithVersion).index,
          }),
        );
      }
    }
    return final;
  }

  #rejectedSample(batch: WriteBatch, r: RejectedWithVersion): RejectedSample {
    const origin = batch.origins[r.index];
    if (!origin) {
      throw new StorageUnavailableError(
        `${this.#retry.resource}: Timestream rejected record ${r.index} of a ${batch.records.length}-record request`,
      );
    }
    return { labels: origin.labels, sample: origin.sample, reason: r.reason };
  }

  /** One WriteRecords call with retries; returns the rejected records (empty when all were stored). */
  #send(commonAttributes: _Record, records: _Record[]): Promise<RejectedWithVersion[]> {
    return writeRecords(
      this.#client,
      {
        DatabaseName: this.#database,
        TableName: this.#table,
        CommonAttributes: commonAttributes,
        Records: records,
      },
      this.#retry,
    );
  }
}

export { TimestreamSeriesWriter };
