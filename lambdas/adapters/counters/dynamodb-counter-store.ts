/**
 * `CounterStore` on DynamoDB: one item per counter, incremented with UpdateItem `ADD` and
 * `ReturnValues: UPDATED_NEW`, which is atomic across every function instance and returns the
 * new total ("ADD … If the existing attribute is a number … the value is mathematically added";
 * a missing item or attribute starts at 0).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html#Expressions.UpdateExpressions.ADD
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 *
 * Layout: the series-index table (partition key `pk`, sort key `sk`, both strings; see
 * `lib/constructs/storage.ts` and the cardinality tracker) is reused: a counter is the item
 * `pk = "counter#<key>"`, `sk = "#count"`, attribute `n` (N). Metric names there cannot contain
 * `#` (`[a-zA-Z_:][a-zA-Z0-9_:]*`), so no counter shares a partition with a metric.
 * Functions that use it need `dynamodb:UpdateItem` on that table (`bindSeriesIndexTable`).
 *
 * Faults: throttling and 5xx are retried with full-jitter backoff, then throw
 * `StorageThrottledError` / `StorageUnavailableError`. `ADD` is not idempotent: a request
 * DynamoDB applied but whose answer was lost and that is retried counts twice.
 */
import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageUnavailableError } from '../../domain/errors';
import type { CounterStore } from '../../domain/ports';
import {
  describeAwsError,
  type RetryOptions,
  type RetrySettings,
  retryOptions,
  withRetries,
} from '../storage/timestream/retry';

/** Partition-key prefix of counter items. */
const COUNTER_PK_PREFIX = 'counter#';
/** Sort key of counter items (the cardinality tracker's counters use the same). */
const COUNTER_SK = '#count';

/** Options of {@link DynamoDbCounterStore}. */
interface DynamoDbCounterStoreOptions extends RetrySettings {
  /** @default a new `DynamoDBClient(clientConfig)` with `maxAttempts: 1` */
  readonly client?: DynamoDBClient;
  readonly clientConfig?: DynamoDBClientConfig;
  /** Table name (`ENV.SERIES_INDEX_TABLE`). */
  readonly table: string;
  /** UpdateItem requests in flight at once. @default 10 */
  readonly concurrency?: number;
}

/** The partition key of a counter. */
const counterPartitionKey = (key: string): string => `${COUNTER_PK_PREFIX}${key}`;

/** Shared counters as DynamoDB items; see the file comment. */
class DynamoDbCounterStore implements CounterStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #concurrency: number;
  readonly #retry: RetryOptions;

  constructor(options: DynamoDbCounterStoreOptions) {
    this.#client =
      options.client ?? new DynamoDBClient({ maxAttempts: 1, ...options.clientConfig });
    this.#table = options.table;
    this.#concurrency = Math.max(1, options.concurrency ?? 10);
    this.#retry = retryOptions(options, `DynamoDB table ${options.table}`);
  }

  /**
   * Adds each delta to its counter; a key given twice is added once with the summed delta, and
   * both positions get the same new total.
   */
  async add(
    increments: readonly { readonly key: string; readonly delta: number }[],
  ): Promise<number[]> {
    const sums = new Map<string, number>();
    for (const { key, delta } of increments) {
      if (!Number.isFinite(delta)) {
        throw new RangeError(`counter ${key}: delta ${delta} is not a finite number`);
      }
      sums.set(key, (sums.get(key) ?? 0) + delta);
    }
    const pending = [...sums];
    const totals = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length) {
        const [key, delta] = pending[next++] as [string, number];
        totals.set(key, await this.#addOne(key, delta));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, pending.length) }, worker));
    return increments.map(({ key }) => totals.get(key) as number);
  }

  async #addOne(key: string, delta: number): Promise<number> {
    const command = new UpdateItemCommand({
      TableName: this.#table,
      Key: { pk: { S: counterPartitionKey(key) }, sk: { S: COUNTER_SK } },
      UpdateExpression: 'ADD n :delta',
      ExpressionAttributeValues: { ':delta': { N: String(delta) } },
      ReturnValues: 'UPDATED_NEW',
    });
    const out = await withRetries(
      () => this.#client.send(command),
      this.#retry,
      (error) => {
        throw new StorageUnavailableError(
          `${this.#retry.resource}: UpdateItem ADD on counter ${key} failed: ${describeAwsError(error)}`,
          { cause: error },
        );
      },
    );
    const total = Number(out.Attributes?.n?.N);
    if (!Number.isFinite(total)) {
      throw new StorageUnavailableError(
        `${this.#retry.resource}: UpdateItem on counter ${key} returned no new total`,
      );
    }
    return total;
  }
}

export type { DynamoDbCounterStoreOptions };
export { COUNTER_PK_PREFIX, COUNTER_SK, counterPartitionKey, DynamoDbCounterStore };
