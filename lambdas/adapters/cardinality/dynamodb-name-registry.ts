/**
 * The label names (Timestream dimension names) and metric names (measure names) the samples
 * table holds, registered in the series-index table so every Lambda instance sees one budget:
 * Timestream for LiveAnalytics allows "Dimensions per table: The maximum number of dimensions per
 * table" 128 and "Measure names per table: The maximum number of unique measure names per table"
 * 8192 (https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html), and a
 * table keeps its names for good.
 *
 * Layout, one partition per kind (`pk` = `schema#dimension` or `schema#measure`; a metric name
 * cannot hold `#`, so no metric's partition can clash):
 * - one item per registered name: `sk = "name#<name>"`;
 * - one counter: `sk = "#count"`, attribute `n` (N) = number of name items of the kind.
 *
 * New names are registered up to {@link MAX_NAMES_PER_TRANSACTION} at a time with one
 * TransactWriteItems, all or nothing: a Put per name if absent, and `ADD n :k` on the counter if
 * `n <= budget - k`, so two instances can never both take the last places. The cancellation
 * reasons, one per action in request order
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html),
 * say which names another instance registered meanwhile (they are known: dropped from the batch,
 * which is sent again) and whether the counter is too high: its old value comes back
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so the next batch fits the room left, and a
 * full budget refuses the rest.
 *
 * Cost: the names are loaded with one strongly consistent Query per kind (paginated; 128 names is
 * one page, 8192 metric names one to three) the first time an instance meets a name it does not
 * know; after that a known name costs nothing. A new name costs a share of one transaction
 * (2 WCU per item: k names = 2(k + 1) WCU). Once the budget is full, names still unknown are
 * refused without calling DynamoDB, after one reload of the names (at most every
 * {@link DEFAULT_RELOAD_INTERVAL_MS}, and right after DynamoDB reports the budget full) so a name
 * another instance registered is still admitted.
 */
import {
  type AttributeValue,
  type CancellationReason,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageThrottledError, StorageUnavailableError } from '../../domain/errors';

/** Names registered by one transaction: TransactWriteItems takes 100 actions, one is the counter. */
const MAX_NAMES_PER_TRANSACTION = 99;
/** How long a loaded name list serves a full budget before it is read again, ms. */
const DEFAULT_RELOAD_INTERVAL_MS = 60_000;
/** Partition keys of the two kinds of names. */
const NAME_PK = { dimension: 'schema#dimension', measure: 'schema#measure' } as const;
/** Sort key prefix of name items. */
const NAME_SK_PREFIX = 'name#';
/** Sort key of the counter item. */
const COUNT_SK = '#count';

/** Errors DynamoDB answers when it asks us to slow down, or when transactions collide. */
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
/** First retry delay, ms; doubled on each further retry. */
const RETRY_BASE_DELAY_MS = 25;

type NameKind = keyof typeof NAME_PK;

interface DynamoDbNameRegistryOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly maxAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** @default `Date.now` */
  readonly now?: () => number;
  /** @default {@link DEFAULT_RELOAD_INTERVAL_MS} */
  readonly reloadIntervalMs?: number;
}

/** What this instance knows of one kind of names. */
interface KindState {
  /** Names registered in the table (loaded, or registered by this instance). */
  readonly known: Set<string>;
  /** A lower bound of the table's counter, from a load or a refused transaction. */
  count: number;
  /** When the names were last loaded, ms; undefined before the first load. */
  loadedAtMs: number | undefined;
  /** DynamoDB said the budget is full since the last load: reload before refusing. */
  stale: boolean;
}

type BatchOutcome =
  | { readonly kind: 'admitted' }
  | { readonly kind: 'conflict'; readonly existing: readonly string[]; readonly count?: number }
  | { readonly kind: 'retry'; readonly why: string };

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The counter value in a cancellation reason's old item, if any. */
const counterOf = (reason: CancellationReason | undefined): number | undefined => {
  const n = (reason?.Item as Record<string, AttributeValue> | undefined)?.n?.N;
  return n === undefined ? undefined : Number(n);
};

/** Registers label and metric names in DynamoDB; see the file comment. */
class DynamoDbNameRegistry {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #maxAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #reloadIntervalMs: number;
  readonly #state: Record<NameKind, KindState> = {
    dimension: { known: new Set(), count: 0, loadedAtMs: undefined, stale: false },
    measure: { known: new Set(), count: 0, loadedAtMs: undefined, stale: false },
  };

  constructor(options: DynamoDbNameRegistryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#maxAttempts = options.maxAttempts;
    this.#sleep = options.sleep;
    this.#random = options.random;
    this.#now = options.now ?? Date.now;
    this.#reloadIntervalMs = options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  }

  /**
   * Registers the names of one kind not known yet, while fewer than `budget` are registered,
   * and returns those refused.
   */
  async admit(kind: NameKind, names: readonly string[], budget: number): Promise<Set<string>> {
    const state = this.#state[kind];
    let pending = [...new Set(names)].filter((n) => !state.known.has(n));
    if (pending.length === 0) return new Set();
    if (state.loadedAtMs === undefined) {
      await this.#load(kind);
      pending = pending.filter((n) => !state.known.has(n));
    }
    let reloaded = false;
    let retries = 0;
    while (pending.length > 0) {
      const room = budget - Math.max(state.count, state.known.size);
      if (room <= 0) {
        const old = state.loadedAtMs === undefined || this.#now() - state.loadedAtMs >= this.#reloadIntervalMs;
        if (reloaded || !(state.stale || old)) break;
        await this.#load(kind);
        reloaded = true;
        pending = pending.filter((n) => !state.known.has(n));
        continue;
      }
      const batch = pending.slice(0, Math.min(room, MAX_NAMES_PER_TRANSACTION));
      const outcome = await this.#attempt(kind, batch, budget);
      if (outcome.kind === 'retry') {
        retries++;
        if (retries >= this.#maxAttempts) {
          throw new StorageThrottledError(
            `DynamoDB TransactWriteItems on table ${this.#table} registering ${kind} names still failing after ${this.#maxAttempts} attempts: ${outcome.why}`,
          );
        }
        const delay = RETRY_BASE_DELAY_MS * 2 ** (retries - 1);
        await this.#sleep(Math.round(delay / 2 + (this.#random() * delay) / 2));
        continue;
      }
      retries = 0;
      if (outcome.kind === 'admitted') {
        for (const n of batch) state.known.add(n);
        state.count += batch.length;
      } else {
        for (const n of outcome.existing) state.known.add(n);
        if (outcome.count !== undefined) {
          state.count = Math.max(state.count, outcome.count);
          state.stale = true;
        }
      }
      pending = pending.filter((n) => !state.known.has(n));
    }
    return new Set(pending);
  }

  /** Reads every registered name of a kind and the counter (strongly consistent, all pages). */
  async #load(kind: NameKind): Promise<void> {
    const state = this.#state[kind];
    let start: Record<string, AttributeValue> | undefined;
    let retries = 0;
    do {
      let page: QueryCommandOutput;
      try {
        page = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: NAME_PK[kind] } },
            ProjectionExpression: 'sk, n',
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        const name = errorName(error);
        const message = `DynamoDB Query on table ${this.#table} for the ${kind} names failed: ${name}: ${errorMessage(error)}`;
        if (!THROTTLING_ERRORS.has(name)) throw new StorageUnavailableError(message, { cause: error });
        retries++;
        if (retries >= this.#maxAttempts) {
          throw new StorageThrottledError(message, undefined, { cause: error });
        }
        const delay = RETRY_BASE_DELAY_MS * 2 ** (retries - 1);
        await this.#sleep(Math.round(delay / 2 + (this.#random() * delay) / 2));
        continue;
      }
      for (const item of page.Items ?? []) {
        const sk = item.sk?.S ?? '';
        if (sk === COUNT_SK) state.count = Math.max(state.count, Number(item.n?.N ?? 0));
        else if (sk.startsWith(NAME_SK_PREFIX)) state.known.add(sk.slice(NAME_SK_PREFIX.length));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    state.loadedAtMs = this.#now();
    state.stale = false;
  }

  /** One transaction registering `batch`; returns what DynamoDB said. */
  async #attempt(kind: NameKind, batch: readonly string[], budget: number): Promise<BatchOutcome> {
    const pk = { S: NAME_PK[kind] };
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            ...batch.map((name) => ({
              Put: {
                TableName: this.#table,
                Item: { pk, sk: { S: `${NAME_SK_PREFIX}${name}` } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            {
              Update: {
                TableName: this.#table,
                Key: { pk, sk: { S: COUNT_SK } },
                UpdateExpression: 'ADD n :k',
                ConditionExpression: 'attribute_not_exists(n) OR n <= :most',
                ExpressionAttributeValues: {
                  ':k': { N: String(batch.length) },
                  ':most': { N: String(budget - batch.length) },
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
      return { kind: 'admitted' };
    } catch (error) {
      return this.#classify(kind, batch, budget, error);
    }
  }

  /** Turns a failed transaction into an outcome, or throws the domain's storage error. */
  #classify(
    kind: NameKind,
    batch: readonly string[],
    budget: number,
    error: unknown,
  ): BatchOutcome {
    const name = errorName(error);
    const message = `DynamoDB TransactWriteItems on table ${this.#table} registering ${kind} names failed: ${name}: ${errorMessage(error)}`;
    if (THROTTLING_ERRORS.has(name)) return { kind: 'retry', why: `${name}: ${errorMessage(error)}` };
    if (name !== 'TransactionCanceledException') {
      throw new StorageUnavailableError(message, { cause: error });
    }
    const reasons: readonly CancellationReason[] =
      (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const codes = reasons.map((r) => r.Code ?? 'None');
    const existing = batch.filter((_, i) => codes[i] === 'ConditionalCheckFailed');
    const counterFull = codes[batch.length] === 'ConditionalCheckFailed';
    if (existing.length > 0 || counterFull) {
      // Without the old value, the failed condition still says n > budget - k.
      const count = counterFull
        ? (counterOf(reasons[batch.length]) ?? budget - batch.length + 1)
        : undefined;
      return count === undefined ? { kind: 'conflict', existing } : { kind: 'conflict', existing, count };
    }
    if (codes.some((c) => RETRYABLE_REASONS.has(c))) {
      return { kind: 'retry', why: `TransactionCanceledException [${codes.join(', ')}]` };
    }
    throw new StorageUnavailableError(`${message} [${codes.join(', ')}]`, { cause: error });
  }
}

export type { DynamoDbNameRegistryOptions, NameKind };
export {
  COUNT_SK as NAME_COUNT_SK,
  DEFAULT_RELOAD_INTERVAL_MS,
  DynamoDbNameRegistry,
  MAX_NAMES_PER_TRANSACTION,
  NAME_PK,
  NAME_SK_PREFIX,
};
