/**
 * `AlertStateStore` on a DynamoDB table with a string partition key `pk` (no sort key).
 *
 * Item layout, one item per document:
 * - `pk` (S): the document key as given (alert states of a group, the dispatcher state, …);
 * - `state`: the document as JSON text (S), or gzip of that text (B) when the text is larger than
 *   {@link GZIP_THRESHOLD_BYTES};
 * - `version` (N): 1 on the first save, +1 on every save;
 * - `updatedAt` (S): ISO-8601 time of the save, for people reading the table.
 *
 * Size: a DynamoDB item holds at most 400 KB, attribute names and values included
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
 * Large documents are gzipped rather than split over several items: one item keeps the save a
 * single conditional PutItem (no transaction, no torn reads), and alert state — repeated label
 * names and values — compresses about tenfold. A document whose gzip still exceeds
 * {@link MAX_STATE_BYTES} is refused with `PayloadTooLargeError` naming the key and its size.
 *
 * Concurrency: `save` is a conditional PutItem (`attribute_not_exists(pk)` for version 0,
 * `version = :expected` otherwise), so of two overlapping evaluator runs that loaded the same
 * version only the first save wins; the other gets `false`. Reads are strongly consistent.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  PayloadTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
} from '../../domain/errors';
import type { AlertStateStore } from '../../domain/ports';

/** JSON text larger than this (UTF-8 bytes) is stored gzipped, as a binary `state`. */
const GZIP_THRESHOLD_BYTES = 350 * 1024;
/**
 * Largest `state` value stored, bytes: DynamoDB's 400 KB item limit minus room for `pk` (at
 * most 2048 bytes) and the other attributes.
 */
const MAX_STATE_BYTES = 395 * 1024;

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

interface DynamoDbAlertStateStoreOptions {
  /** @default a new `DynamoDBClient(clientConfig)` */
  readonly client?: DynamoDBClient;
  /** Used only when `client` is not given. */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Table name (partition key `pk`, string). */
  readonly tableName: string;
  /** Time source for `updatedAt`, ms. @default `Date.now` */
  readonly now?: () => number;
}

type Item = Record<string, AttributeValue>;

/** Internal signal: the conditional write lost; never escapes the adapter. */
class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
}

/** Versioned alert-state documents in DynamoDB; see the file comment for the layout. */
class DynamoDbAlertStateStore implements AlertStateStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: DynamoDbAlertStateStoreOptions) {
    this.#client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reads the document with a strongly consistent GetItem. Throws `StorageUnavailableError`
   * when the item is unreadable, `StorageThrottledError` when DynamoDB throttles.
   */
  async load(key: string): Promise<{ state: unknown; version: number } | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: { S: key } },
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    return this.#decode(key, out.Item);
  }

  /**
   * Writes the document as version `expectedVersion + 1` with a conditional PutItem; returns
   * false when another writer got there first (`ConditionalCheckFailedException`).
   */
  async save(
    key: string,
    state: unknown,
    expectedVersion: number,
    options: { readonly expiresAtMs?: number } = {},
  ): Promise<boolean> {
    const condition =
      expectedVersion === 0
        ? {
            ConditionExpression: 'attribute_not_exists(pk)',
          }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    const encoded = this.#encode(key, state);
    try {
      await this.#send('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              pk: { S: key },
              state: encoded,
              version: { N: String(expectedVersion + 1) },
              updatedAt: { S: new Date(this.#now()).toISOString() },
              // DynamoDB TTL attribute: epoch seconds (the table's timeToLiveAttribute is `ttl`).
              ...(options.expiresAtMs === undefined
                ? {}
                : { ttl: { N: String(Math.ceil(options.expiresAtMs / 1000)) } }),
            },
            ...condition,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }

  #encode(key: string, state: unknown): AttributeValue {
    const json = JSON.stringify(state);
    if (json === undefined) {
      throw new TypeError(`alert state ${key} is not JSON-serialisable`);
    }
    const bytes = Buffer.byteLength(json);
    if (bytes <= GZIP_THRESHOLD_BYTES) return { S: json };
    const gz = gzipSync(json);
    if (gz.byteLength > MAX_STATE_BYTES) {
      throw new PayloadTooLargeError(
        `alert state ${key} is too large for table ${this.#table}: ${Math.ceil(bytes / 1024)} KiB of JSON, ${Math.ceil(gz.byteLength / 1024)} KiB gzipped; the limit is ${MAX_STATE_BYTES / 1024} KiB gzipped`,
      );
    }
    return { B: gz };
  }

  #decode(key: string, item: Item): { state: unknown; version: number } {
    const version = Number(item.version?.N);
    const raw = item.state;
    try {
      if (!Number.isSafeInteger(version) || version < 1) {
        throw new Error('attribute version is missing or not a positive integer');
      }
      let text: string;
      if (raw?.S !== undefined) text = raw.S;
      else if (raw?.B !== undefined) text = gunzipSync(raw.B).toString('utf8');
      else throw new Error('attribute state is missing');
      return { state: JSON.parse(text), version };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StorageUnavailableError(
        `alert state ${key} in table ${this.#table} is unreadable: ${reason}`,
        { cause: error },
      );
    }
  }

  /** Runs one call, turning SDK failures into the domain's storage errors. */
  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      if (name === 'ConditionalCheckFailedException') throw new ConditionFailed();
      const message = `DynamoDB ${operation} on table ${this.#table} failed: ${name}: ${error instanceof Error ? error.message : String(error)}`;
      if (THROTTLING_ERRORS.has(name)) {
        throw new StorageThrottledError(message, 1000, { cause: error });
      }
      throw new StorageUnavailableError(message, { cause: error });
    }
  }
}

export type { DynamoDbAlertStateStoreOptions };
export { DynamoDbAlertStateStore, GZIP_THRESHOLD_BYTES, MAX_STATE_BYTES };
