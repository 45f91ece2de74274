/**
 * `CardinalityTracker` on a dedicated DynamoDB table (partition key `pk`, sort key `sk`, both
 * strings), shared by every Lambda container: at most `limitPerMetric` distinct series per
 * metric name.
 *
 * Layout, under `pk` = the metric name:
 * - one item per series: `sk = "s#<sha256 hex of seriesKey(labels)>"` (the hash keeps the sort
 *   key short; a series key may be tens of KB, a sort key at most 1024 bytes);
 * - one counter: `sk = "#count"`, attribute `n` (N) = number of series items of the metric.
 *
 * A series not yet known is registered with one TransactWriteItems of two actions, all or
 * nothing: Put the series item if absent, and `ADD n :one` on the counter if `n < limit`. The
 * cancellation reasons, one per action in request order, tell the outcomes apart
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
 * - reason 0 `ConditionalCheckFailed`: the series already exists → admitted (counter unchanged);
 * - reason 1 `ConditionalCheckFailed`: the metric is full → refused;
 * - `TransactionConflict`, `ProvisionedThroughputExceeded`, `ThrottlingError`: retried with
 *   backoff, then `StorageThrottledError`.
 *
 * Semantics, honestly: the counter never decreases. Series are never deleted from this table
 * (Timestream retention drops old samples, not these items), so the limit counts the series
 * ever seen for a metric, not the series live in a retention window. A metric that churns
 * through label values (a pod name per deploy) eventually fills up; raise the limit or delete
 * the metric's items (partition) to reset it.
 *
 * Cost: a transactional write consumes two writes per item
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling),
 * so each NEW series costs one transaction of 2 items x 2 WCU = 4 WCU. A series this container
 * has already admitted costs nothing: it is remembered in memory (up to
 * {@link DEFAULT_MAX_KNOWN_SERIES} keys, then the memory is cleared and refilled), so a known
 * series meets DynamoDB once per container, where the Put's condition fails and it is admitted
 * without changing the counter. Every new series of one metric updates the same counter item,
 * so one metric takes at most about 500 new series per second (1000 WCU per partition); the
 * resulting conflicts are retried.
 *
 * Label and metric names (Timestream's per-table dimension and measure name quotas) are
 * registered in the same table under `schema#dimension` / `schema#measure` by
 * {@link DynamoDbNameRegistry}; see its file for layout and cost.
 */
import { createHash } from 'node:crypto';
import {
  type CancellationReason,
  DynamoDBClient,
  type DynamoDBClientConfig,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageThrottledError, StorageUnavailableError } from '../../domain/errors';
import type { CardinalityTracker, NameBudget, NameRefusal, SeriesNames } from '../../domain/ports';
import { backoffMs, retry } from '../../domain/retry';
import { DynamoDbNameRegistry } from './dynamodb-name-registry';

/** Keys remembered per container before the memory is cleared (about 100 B to 1 KB each). */
const DEFAULT_MAX_KNOWN_SERIES = 100_000;
/** Transactions in flight at once from one `admit` call. */
const DEFAULT_CONCURRENCY = 10;
/** Attempts per transaction before a conflict or throttling becomes `StorageThrottledError`. */
const DEFAULT_MAX_ATTEMPTS = 5;
/** First retry delay, ms; doubled on each further retry (25, 50, 100, 200 before jitter). */
const RETRY_BASE_DELAY_MS = 25;
/** Sort key of the per-metric counter item. */
const COUNT_SK = '#count';
/** Sort key prefix of series items. */
const SERIES_SK_PREFIX = 's#';

/** Errors the whole call fails with when DynamoDB asks us to slow down. */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
]);
/** Cancellation reason codes that a retry may clear. */
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
]);

interface DynamoDbCardinalityTrackerOptions {
  /** @default a new `DynamoDBClient(clientConfig)` */
  readonly client?: DynamoDBClient;
  /** Used only when `client` is not given. */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Table name (`ENV.SERIES_INDEX_TABLE`). */
  readonly tableName: string;
  /** @default {@link DEFAULT_MAX_KNOWN_SERIES} */
  readonly maxKnownSeries?: number;
  /** @default {@link DEFAULT_CONCURRENCY} */
  readonly concurrency?: number;
  /** @default {@link DEFAULT_MAX_ATTEMPTS} */
  readonly maxAttempts?: number;
  /** Waits between retries. @default `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default `Math.random` */
  readonly random?: () => number;
  /** Clock of the name lists' reloads, ms. @default `Date.now` */
  readonly now?: () => number;
  /** How long a loaded name list serves a full budget, ms. @default 60000 */
  readonly nameReloadIntervalMs?: number;
}

type Outcome = 'admitted' | 'refused' | 'retry';

/** The sort key of a series item. */
const seriesSortKey = (key: string): string =>
  `${SERIES_SK_PREFIX}${createHash('sha256').update(key).digest('hex')}`;

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Distinct series per metric in DynamoDB; see the file comment for layout, semantics and cost. */
/** A transaction lost to a concurrent one or throttled: worth another attempt. */
class Contended extends Error {}

class DynamoDbCardinalityTracker implements CardinalityTracker {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #maxKnown: number;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  /** Series keys admitted by this container; they skip DynamoDB. */
  readonly #known = new Set<string>();
  readonly #names: DynamoDbNameRegistry;

  constructor(options: DynamoDbCardinalityTrackerOptions) {
    this.#client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.#table = options.tableName;
    this.#maxKnown = options.maxKnownSeries ?? DEFAULT_MAX_KNOWN_SERIES;
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#names = new DynamoDbNameRegistry({
      client: this.#client,
      tableName: this.#table,
      maxAttempts: this.#maxAttempts,
      sleep: this.#sleep,
      random: this.#random,
      ...(options.now ? { now: options.now } : {}),
      ...(options.nameReloadIntervalMs !== undefined
        ? { reloadIntervalMs: options.nameReloadIntervalMs }
        : {}),
    });
  }

  /**
   * Registers the new label names (dimensions) and metric names (measures) of each series, all
   * or none per series, while each kind's budget has room across every instance; returns the
   * refused series by index. Throws `StorageThrottledError` / `StorageUnavailableError` as
   * `admit` does.
   */
  async admitNames(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return this.#names.admit(series, budget);
  }

  /**
   * Registers the series not seen before and returns the keys refused because their metric
   * already counts `limitPerMetric` series. Known series always pass, even past the limit (it
   * may have been lowered). Throws `StorageThrottledError` when conflicts or throttling outlast
   * the retries, `StorageUnavailableError` on other DynamoDB failures; series admitted before
   * the failure stay registered.
   */
  async admit(
    series: readonly { readonly metric: string; readonly key: string }[],
    limitPerMetric: number,
  ): Promise<ReadonlySet<string>> {
    const unknown = new Map<string, string>();
    for (const { metric, key } of series) {
      if (!this.#known.has(key)) unknown.set(key, metric);
    }
    const pending = [...unknown];
    const refused = new Set<string>();
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < pending.length) {
        const [key, metric] = pending[next++] as [string, string];
        try {
          if ((await this.#register(metric, key, limitPerMetric)) === 'refused') refused.add(key);
          else this.#remember(key);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.min(this.#concurrency, pending.length) }, worker);
    const results = await Promise.allSettled(workers);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return refused;
  }

  /** Runs the registration transaction of one series, retrying conflicts and throttling. */
  async #register(metric: string, key: string, limit: number): Promise<'admitted' | 'refused'> {
    return retry(
      async () => {
        const [outcome, why] = await this.#attempt(metric, key, limit);
        if (outcome === 'retry') throw new Contended(why);
        return outcome;
      },
      {
        maxAttempts: this.#maxAttempts,
        sleep: this.#sleep,
        delayMs: (error, attempt) => {
          if (!(error instanceof Contended)) return undefined;
          if (attempt >= this.#maxAttempts) return 0;
          // Equal jitter: half the backoff, plus up to the other half.
          const delay = backoffMs(attempt, { baseMs: RETRY_BASE_DELAY_MS });
          return Math.round(delay / 2 + (this.#random() * delay) / 2);
        },
        giveUp: (error) =>
          new StorageThrottledError(
            `DynamoDB TransactWriteItems on table ${this.#table} for metric ${metric} still failing after ${this.#maxAttempts} attempts: ${(error as Error).message}`,
          ),
      },
    );
  }

  /** One transaction; returns its outcome and, for a retry, why. */
  async #attempt(metric: string, key: string, limit: number): Promise<[Outcome, string]> {
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: { pk: { S: metric }, sk: { S: seriesSortKey(key) } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.#table,
                Key: { pk: { S: metric }, sk: { S: COUNT_SK } },
                UpdateExpression: 'ADD n :one',
                // A missing counter means no series yet; with a limit below 1 even the first
                // series is refused, so only the comparison remains (false on a missing `n`).
                ConditionExpression:
                  limit >= 1 ? 'attribute_not_exists(n) OR n < :limit' : 'n < :limit',
                ExpressionAttributeValues: { ':one': { N: '1' }, ':limit': { N: String(limit) } },
              },
            },
          ],
        }),
      );
      return ['admitted', ''];
    } catch (error) {
      return this.#classify(metric, error);
    }
  }

  /** Turns a failed transaction into an outcome, or throws the domain's storage error. */
  #classify(metric: string, error: unknown): [Outcome, string] {
    const name = errorName(error);
    const message = `DynamoDB TransactWriteItems on table ${this.#table} for metric ${metric} failed: ${name}: ${errorMessage(error)}`;
    if (THROTTLING_ERRORS.has(name)) return ['retry', `${name}: ${errorMessage(error)}`];
    if (name === 'TransactionCanceledException') {
      const reasons: readonly CancellationReason[] =
        (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
      const codes = reasons.map((r) => r.Code ?? 'None');
      if (codes[0] === 'ConditionalCheckFailed') return ['admitted', ''];
      if (codes[1] === 'ConditionalCheckFailed') return ['refused', ''];
      if (codes.some((c) => RETRYABLE_REASONS.has(c))) {
        return ['retry', `TransactionCanceledException [${codes.join(', ')}]`];
      }
      throw new StorageUnavailableError(`${message} [${codes.join(', ')}]`, { cause: error });
    }
    throw new StorageUnavailableError(message, { cause: error });
  }

  #remember(key: string): void {
    if (this.#known.size >= this.#maxKnown) this.#known.clear();
    this.#known.add(key);
  }
}

export type { DynamoDbCardinalityTrackerOptions };
export {
  COUNT_SK,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_KNOWN_SERIES,
  DynamoDbCardinalityTracker,
  seriesSortKey,
};
