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
 * A series' new names are registered all together or not at all, and the new names of several
 * series go into one TransactWriteItems (up to {@link MAX_NAMES_PER_TRANSACTION} names): a Put
 * per name if absent, and per kind `ADD n :k` on its counter if `n <= budget - k`, so two
 * instances can never both take the last places. The cancellation reasons, one per action in
 * request order
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html),
 * say which names another instance registered meanwhile (they are known: the batch is rebuilt
 * without them) and which counter is too high: its old value comes back
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so the next batch fits the room left. A
 * series whose new names cannot fit the room left is refused, spending nothing.
 *
 * Cost: the names are loaded with one strongly consistent Query per kind (paginated; 128 names is
 * one page, 8192 metric names one to three) the first time an instance meets a name it does not
 * know; after that a known name costs nothing. A new name costs a share of one transaction
 * (2 WCU per item written: k new names of one kind and its counter = 2(k + 1) WCU). Once the budget is full, names still unknown are
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
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageThrottledError, StorageUnavailableError } from '../../domain/errors';
import type { NameBudget, NameRefusal, SeriesNames } from '../../domain/ports';

/** Names registered by one transaction: TransactWriteItems takes 100 actions, two are counters. */
const MAX_NAMES_PER_TRANSACTION = 98;
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

/** What one action of a transaction does: register a name, or count `counterOf` new names. */
type Action =
  | { readonly kind: NameKind; readonly name: string }
  | { readonly kind: NameKind; readonly counterOf: number };

type BatchOutcome =
  | { readonly kind: 'admitted' }
  | {
      readonly kind: 'conflict';
      /** Names another instance registered meanwhile. */
      readonly existing: readonly (readonly [NameKind, string])[];
      /** Counters that had no room, with their value (or its lower bound). */
      readonly counters: readonly (readonly [NameKind, number])[];
    }
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
  /** Loads under way, by kind. */
  readonly #loading: Record<NameKind, Promise<void> | undefined> = {
    dimension: undefined,
    measure: undefined,
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
   * Registers the new names of each series, all of a series' new names or none, while each
   * kind's budget has room; returns the refused series by index.
   */
  async admit(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<Map<number, NameRefusal>> {
    const dims = this.#state.dimension;
    const measures = this.#state.measure;
    const newNames = (s: SeriesNames) => ({
      dimensions: s.dimensions.filter((d) => !dims.known.has(d)),
      measure: measures.known.has(s.measure) ? undefined : s.measure,
    });
    const hasNew = (i: number): boolean => {
      const n = newNames(series[i] as SeriesNames);
      return n.dimensions.length > 0 || n.measure !== undefined;
    };
    let pending = series.map((_, i) => i).filter(hasNew);
    if (pending.length === 0) return new Map();
    await Promise.all(
      (['dimension', 'measure'] as const)
        .filter((k) => this.#state[k].loadedAtMs === undefined)
        .map((k) => this.#loadOnce(k)),
    );
    pending = pending.filter(hasNew);
    const refused = new Map<number, NameRefusal>();
    let reloaded = false;
    let retries = 0;
    while (pending.length > 0) {
      const room = {
        dimension: budget.dimensions - lowerBound(dims),
        measure: budget.measures - lowerBound(measures),
      };
      const batch = { dimension: new Set<string>(), measure: new Set<string>() };
      const members: number[] = [];
      for (const i of pending) {
        const n = newNames(series[i] as SeriesNames);
        const ownMeasures = n.measure === undefined ? 0 : 1;
        if (n.dimensions.length > room.dimension || ownMeasures > room.measure) continue;
        const addDims = n.dimensions.filter((d) => !batch.dimension.has(d));
        const addMeasure = n.measure !== undefined && !batch.measure.has(n.measure) ? 1 : 0;
        const dimsAfter = batch.dimension.size + addDims.length;
        const measuresAfter = batch.measure.size + addMeasure;
        if (
          dimsAfter > room.dimension ||
          measuresAfter > room.measure ||
          dimsAfter + measuresAfter > MAX_NAMES_PER_TRANSACTION
        ) {
          continue;
        }
        for (const d of addDims) batch.dimension.add(d);
        if (n.measure !== undefined) batch.measure.add(n.measure);
        members.push(i);
      }
      if (members.length === 0) {
        // Every series left has more new names than the room: names another instance
        // registered since the last load may shrink that, so read them again once.
        const short = pending.map((i) => newNames(series[i] as SeriesNames));
        const due = [
          ...(short.some((n) => n.dimensions.length > room.dimension)
            ? ['dimension' as const]
            : []),
          ...(short.some((n) => n.measure !== undefined && room.measure < 1)
            ? ['measure' as const]
            : []),
        ].filter((k) => this.#reloadDue(k));
        if (!reloaded && due.length > 0) {
          reloaded = true;
          await Promise.all(due.map((k) => this.#loadOnce(k)));
          pending = pending.filter(hasNew);
          continue;
        }
        for (const i of pending) {
          const n = newNames(series[i] as SeriesNames);
          const measureFits = n.measure === undefined || room.measure >= 1;
          refused.set(i, {
            ...(measureFits ? {} : { measure: n.measure }),
            dimensions: n.dimensions.length > room.dimension ? n.dimensions : [],
          });
        }
        break;
      }
      const outcome = await this.#attempt(
        { dimension: [...batch.dimension], measure: [...batch.measure] },
        budget,
      );
      if (outcome.kind === 'retry') {
        retries++;
        if (retries >= this.#maxAttempts) {
          throw new StorageThrottledError(
            `DynamoDB TransactWriteItems on table ${this.#table} registering label and metric names still failing after ${this.#maxAttempts} attempts: ${outcome.why}`,
          );
        }
        await this.#backoff(retries);
        continue;
      }
      retries = 0;
      if (outcome.kind === 'admitted') {
        for (const d of batch.dimension) dims.known.add(d);
        for (const m of batch.measure) measures.known.add(m);
        dims.count += batch.dimension.size;
        measures.count += batch.measure.size;
      } else {
        for (const [kind, name] of outcome.existing) this.#state[kind].known.add(name);
        for (const [kind, count] of outcome.counters) {
          const state = this.#state[kind];
          state.count = Math.max(state.count, count);
          state.stale = true;
        }
      }
      pending = pending.filter(hasNew);
    }
    return refused;
  }

  /** Whether a kind's names should be read again before refusing: told full, or loaded long ago. */
  #reloadDue(kind: NameKind): boolean {
    const state = this.#state[kind];
    return (
      state.stale ||
      state.loadedAtMs === undefined ||
      this.#now() - state.loadedAtMs >= this.#reloadIntervalMs
    );
  }

  async #backoff(retries: number): Promise<void> {
    const delay = RETRY_BASE_DELAY_MS * 2 ** (retries - 1);
    await this.#sleep(Math.round(delay / 2 + (this.#random() * delay) / 2));
  }

  /** Reads every registered name of a kind and the counter (strongly consistent, all pages). */
  /**
   * Loads a kind's names, sharing a load already under way: concurrent calls (a scrape ingests
   * up to 16 targets at once) read the names once.
   */
  #loadOnce(kind: NameKind): Promise<void> {
    const running = this.#loading[kind];
    if (running) return running;
    const load = this.#load(kind).finally(() => {
      this.#loading[kind] = undefined;
    });
    this.#loading[kind] = load;
    return load;
  }

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
        if (!THROTTLING_ERRORS.has(name))
          throw new StorageUnavailableError(message, { cause: error });
        retries++;
        if (retries >= this.#maxAttempts) {
          throw new StorageThrottledError(message, undefined, { cause: error });
        }
        await this.#backoff(retries);
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

  /** One transaction registering the names of `batch`; returns what DynamoDB said. */
  async #attempt(
    batch: Record<NameKind, readonly string[]>,
    budget: NameBudget,
  ): Promise<BatchOutcome> {
    const actions: Action[] = [];
    const items: TransactWriteItem[] = [];
    for (const kind of ['dimension', 'measure'] as const) {
      const names = batch[kind];
      if (names.length === 0) continue;
      const pk = { S: NAME_PK[kind] };
      for (const name of names) {
        actions.push({ kind, name });
        items.push({
          Put: {
            TableName: this.#table,
            Item: { pk, sk: { S: `${NAME_SK_PREFIX}${name}` } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
      const most = (kind === 'dimension' ? budget.dimensions : budget.measures) - names.length;
      actions.push({ kind, counterOf: names.length });
      items.push({
        Update: {
          TableName: this.#table,
          Key: { pk, sk: { S: COUNT_SK } },
          UpdateExpression: 'ADD n :k',
          ConditionExpression: 'attribute_not_exists(n) OR n <= :most',
          ExpressionAttributeValues: {
            ':k': { N: String(names.length) },
            ':most': { N: String(most) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    try {
      await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return { kind: 'admitted' };
    } catch (error) {
      return this.#classify(actions, budget, error);
    }
  }

  /** Turns a failed transaction into an outcome, or throws the domain's storage error. */
  #classify(actions: readonly Action[], budget: NameBudget, error: unknown): BatchOutcome {
    const name = errorName(error);
    const message = `DynamoDB TransactWriteItems on table ${this.#table} registering label and metric names failed: ${name}: ${errorMessage(error)}`;
    if (THROTTLING_ERRORS.has(name)) {
      return { kind: 'retry', why: `${name}: ${errorMessage(error)}` };
    }
    if (name !== 'TransactionCanceledException') {
      throw new StorageUnavailableError(message, { cause: error });
    }
    const reasons: readonly CancellationReason[] =
      (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const codes = reasons.map((r) => r.Code ?? 'None');
    const existing: [NameKind, string][] = [];
    const counters: [NameKind, number][] = [];
    actions.forEach((action, i) => {
      if (codes[i] !== 'ConditionalCheckFailed') return;
      if ('name' in action) {
        existing.push([action.kind, action.name]);
        return;
      }
      // Without the old value, the failed condition still says n > budget - k.
      const most = action.kind === 'dimension' ? budget.dimensions : budget.measures;
      counters.push([action.kind, counterOf(reasons[i]) ?? most - action.counterOf + 1]);
    });
    if (existing.length > 0 || counters.length > 0) return { kind: 'conflict', existing, counters };
    if (codes.some((c) => RETRYABLE_REASONS.has(c))) {
      return { kind: 'retry', why: `TransactionCanceledException [${codes.join(', ')}]` };
    }
    throw new StorageUnavailableError(`${message} [${codes.join(', ')}]`, { cause: error });
  }
}

/** A counter's lower bound: every known name is registered. */
const lowerBound = (state: KindState): number => Math.max(state.count, state.known.size);

export type { DynamoDbNameRegistryOptions, NameKind };
export {
  COUNT_SK as NAME_COUNT_SK,
  DEFAULT_RELOAD_INTERVAL_MS,
  DynamoDbNameRegistry,
  MAX_NAMES_PER_TRANSACTION,
  NAME_PK,
  NAME_SK_PREFIX,
};
