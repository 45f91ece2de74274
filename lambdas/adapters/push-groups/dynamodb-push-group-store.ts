/**
 * `PushGroupStore` on a DynamoDB table (partition key `pk`, sort key `sk`, both strings).
 *
 * Layout: one group is one or more items under `pk` = the canonical grouping key
 * (`seriesKey`, or `sha256:<hex>` of it when longer than {@link MAX_PLAIN_PK_BYTES}).
 * - `sk = "0000"` is the header: `groupKey` (JSON labels), `pushTimeMs`, `pushFailureTimeMs`,
 *   `chunks` (item count), `rev`, and the first slice of `metrics`.
 * - `sk = "0001"`… hold further slices of `metrics` when the group does not fit in one item.
 * `metrics` is a JSON array of `[labels, value, family]`, values as strings so NaN/±Inf survive
 * (see push-group-codec.ts). Every item of one write carries the same random `rev`; a reader
 * only uses chunks whose `rev` matches the header's.
 *
 * Size: a DynamoDB item holds at most 400 KB, names and values included
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html). Groups
 * are split into chunks of about {@link CHUNK_METRICS_BYTES}; a multi-chunk group is written
 * with one TransactWriteItems call (all or nothing; at most 100 actions and 4 MB per transaction),
 * so a group may have at most {@link MAX_CHUNKS} chunks. A bigger group is refused with
 * `PayloadTooLargeError` (HTTP 413) naming its size — never stored in part.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  PayloadTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
} from '../../domain/errors';
import type { PushGroup, PushGroupStore } from '../../domain/ports';
import { type Labels, normalizeLabels, seriesKey } from '../../domain/series/labels';
import {
  decodeLabels,
  decodeMetrics,
  type EncodedMetric,
  encodeMetrics,
  PushGroupDecodeError,
} from './push-group-codec';

/** DynamoDB's item size limit, bytes. */
const MAX_ITEM_BYTES = 400 * 1024;
/** Target size of one chunk's `metrics` JSON, bytes; leaves room for the header attributes. */
const CHUNK_METRICS_BYTES = 300 * 1024;
/** TransactWriteItems: at most 4 MB per transaction, so at most 10 chunks of ≤ 400 KB. */
const MAX_CHUNKS = 10;
/** Grouping keys longer than this (UTF-8 bytes) are hashed; DynamoDB allows 2048 for a partition key. */
const MAX_PLAIN_PK_BYTES = 1024;
/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_MAX = 25;
/** Attempts for BatchWriteItem's UnprocessedItems before giving up as throttled. */
const MAX_UNPROCESSED_ATTEMPTS = 5;
const HEADER_SK = '0000';

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

interface DynamoDbPushGroupStoreOptions {
  /** @default a new `DynamoDBClient(clientConfig)` */
  readonly client?: DynamoDBClient;
  /** Used only when `client` is not given. */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Table name (`ENV.PUSH_GROUPS_TABLE`). */
  readonly tableName: string;
  /** Revision id of a write. @default `crypto.randomUUID` */
  readonly newRevision?: () => string;
}

type Item = Record<string, AttributeValue>;

const skOf = (i: number): string => String(i).padStart(4, '0');

/** The partition key of a grouping key. */
const partitionKeyOf = (key: Labels): string => {
  const canonical = seriesKey(key);
  return Buffer.byteLength(canonical) <= MAX_PLAIN_PK_BYTES
    ? canonical
    : `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
};

/** Splits metrics into JSON arrays of about `CHUNK_METRICS_BYTES` each (at least one chunk). */
const chunkMetrics = (metrics: readonly EncodedMetric[]): string[] => {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const m of metrics) {
    const json = JSON.stringify(m);
    const size = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && bytes + size > CHUNK_METRICS_BYTES) {
      chunks.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  chunks.push(`[${parts.join(',')}]`);
  return chunks;
};

/** Upper bound of an item's size as DynamoDB counts it (names + values; numbers ≤ 21 bytes). */
const itemBytes = (item: Item): number =>
  Object.entries(item).reduce(
    (n, [name, v]) =>
      n + Buffer.byteLength(name) + (v.S !== undefined ? Buffer.byteLength(v.S) : 21),
    0,
  );

const str = (item: Item, name: string): string => {
  const v = item[name]?.S;
  if (v === undefined) throw new PushGroupDecodeError(`attribute ${name} is missing`);
  return v;
};

const num = (item: Item, name: string): number => {
  const v = Number(item[name]?.N);
  if (!Number.isFinite(v)) throw new PushGroupDecodeError(`attribute ${name} is missing`);
  return v;
};

const parseJson = (s: string, what: string): unknown => {
  try {
    return JSON.parse(s);
  } catch (error) {
    throw new PushGroupDecodeError(`${what} is not JSON`, { cause: error });
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Pushgateway groups in DynamoDB; see the file comment for the item layout and size rules. */
class DynamoDbPushGroupStore implements PushGroupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #newRevision: () => string;

  constructor(options: DynamoDbPushGroupStoreOptions) {
    this.#client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.#table = options.tableName;
    this.#newRevision = options.newRevision ?? randomUUID;
  }

  async get(key: Labels): Promise<PushGroup | undefined> {
    const pk = partitionKeyOf(key);
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: pk } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const group = this.#assemble(pk, items);
    return group && seriesKey(group.key) === seriesKey(key) ? group : undefined;
  }

  /**
   * Replaces the group. Throws `PayloadTooLargeError` when it needs more than
   * {@link MAX_CHUNKS} items, `StorageThrottledError` / `StorageUnavailableError` on store faults.
   */
  async put(group: PushGroup): Promise<void> {
    const pk = partitionKeyOf(group.key);
    const items = this.#items(pk, group);
    if (items.length === 1) {
      const out = await this.#send('PutItem', () =>
        this.#client.send(
          new PutItemCommand({ TableName: this.#table, Item: items[0], ReturnValues: 'ALL_OLD' }),
        ),
      );
      const oldChunks = Number(out.Attributes?.chunks?.N ?? '1');
      if (oldChunks > 1) await this.#deleteItems(pk, 1, oldChunks);
      return;
    }
    const old = await this.#send('GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: { S: pk }, sk: { S: HEADER_SK } },
          ConsistentRead: true,
          ProjectionExpression: 'chunks',
        }),
      ),
    );
    const oldChunks = Number(old.Item?.chunks?.N ?? '0');
    const stale: { Delete: { TableName: string; Key: Item } }[] = [];
    for (let i = items.length; i < oldChunks; i++) {
      stale.push({
        Delete: { TableName: this.#table, Key: { pk: { S: pk }, sk: { S: skOf(i) } } },
      });
    }
    await this.#send('TransactWriteItems', () =>
      this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            ...items.map((Item) => ({ Put: { TableName: this.#table, Item } })),
            ...stale,
          ],
        }),
      ),
    );
  }

  async delete(key: Labels): Promise<void> {
    const pk = partitionKeyOf(key);
    const out = await this.#send('DeleteItem', () =>
      this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { pk: { S: pk }, sk: { S: HEADER_SK } },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    const chunks = Number(out.Attributes?.chunks?.N ?? '1');
    if (chunks > 1) await this.#deleteItems(pk, 1, chunks);
  }

  /** Every group, read with a paginated consistent Scan. */
  async list(): Promise<PushGroup[]> {
    const byPk = new Map<string, Item[]>();
    let start: Item | undefined;
    do {
      const out = await this.#send('Scan', () =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#table,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const pk = item.pk?.S ?? '';
        const list = byPk.get(pk) ?? [];
        list.push(item);
        byPk.set(pk, list);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    const groups: PushGroup[] = [];
    for (const [pk, items] of byPk) {
      const group = this.#assemble(pk, items);
      if (group) groups.push(group);
    }
    return groups;
  }

  /** The items of one group; throws `PayloadTooLargeError` when they cannot be stored. */
  #items(pk: string, group: PushGroup): Item[] {
    const key = normalizeLabels(group.key);
    const chunks = chunkMetrics(encodeMetrics(group));
    const rev = this.#newRevision();
    const items: Item[] = chunks.map((metrics, i) => ({
      pk: { S: pk },
      sk: { S: skOf(i) },
      rev: { S: rev },
      metrics: { S: metrics },
    }));
    const header = items[0] as Item;
    Object.assign(header, {
      groupKey: { S: JSON.stringify(key) },
      pushTimeMs: { N: String(group.pushTimeMs) },
      pushFailureTimeMs: { N: String(group.pushFailureTimeMs) },
      chunks: { N: String(chunks.length) },
    });
    const largest = Math.max(...items.map(itemBytes));
    if (chunks.length > MAX_CHUNKS || largest > MAX_ITEM_BYTES) {
      const total = items.reduce((n, item) => n + itemBytes(item), 0);
      throw new PayloadTooLargeError(
        `push group ${JSON.stringify(key)} is too large to store: ${group.metrics.length} metrics, about ${Math.ceil(total / 1024)} KiB; the limit is about ${(MAX_CHUNKS * CHUNK_METRICS_BYTES) / 1024} KiB per group`,
      );
    }
    return items;
  }

  /** Rebuilds a group from its items, or undefined when there is no header. */
  #assemble(pk: string, items: readonly Item[]): PushGroup | undefined {
    const bySk = new Map(items.map((item) => [item.sk?.S ?? '', item]));
    const header = bySk.get(HEADER_SK);
    if (!header) return undefined;
    try {
      const rev = str(header, 'rev');
      const chunks = num(header, 'chunks');
      const metrics: PushGroup['metrics'][number][] = [];
      for (let i = 0; i < chunks; i++) {
        const item = bySk.get(skOf(i));
        if (!item || item.rev?.S !== rev) {
          throw new StorageUnavailableError(
            `push group ${pk} changed while it was being read; retry`,
          );
        }
        metrics.push(...decodeMetrics(parseJson(str(item, 'metrics'), 'metrics')));
      }
      return {
        key: decodeLabels(parseJson(str(header, 'groupKey'), 'groupKey'), 'groupKey'),
        metrics,
        pushTimeMs: num(header, 'pushTimeMs'),
        pushFailureTimeMs: num(header, 'pushFailureTimeMs'),
      };
    } catch (error) {
      if (error instanceof PushGroupDecodeError) {
        throw new StorageUnavailableError(
          `push group ${pk} in table ${this.#table} is unreadable: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Deletes chunk items `from..to-1` with BatchWriteItem, retrying unprocessed ones. */
  async #deleteItems(pk: string, from: number, to: number): Promise<void> {
    const requests: WriteRequest[] = [];
    for (let i = from; i < to; i++) {
      requests.push({ DeleteRequest: { Key: { pk: { S: pk }, sk: { S: skOf(i) } } } });
    }
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) {
      let pending = requests.slice(i, i + BATCH_WRITE_MAX);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === MAX_UNPROCESSED_ATTEMPTS) {
          throw new StorageThrottledError(
            `DynamoDB left ${pending.length} deletes unprocessed in table ${this.#table}`,
          );
        }
        if (attempt > 0) await sleep(25 * 2 ** attempt);
        const batch = pending;
        const out = await this.#send('BatchWriteItem', () =>
          this.#client.send(new BatchWriteItemCommand({ RequestItems: { [this.#table]: batch } })),
        );
        pending = out.UnprocessedItems?.[this.#table] ?? [];
      }
    }
  }

  /** Runs one call, turning SDK failures into the domain's storage errors. */
  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = `DynamoDB ${operation} on table ${this.#table} failed: ${name}: ${error instanceof Error ? error.message : String(error)}`;
      if (THROTTLING_ERRORS.has(name)) {
        throw new StorageThrottledError(message, 1000, { cause: error });
      }
      throw new StorageUnavailableError(message, { cause: error });
    }
  }
}

export type { DynamoDbPushGroupStoreOptions };
export { CHUNK_METRICS_BYTES, DynamoDbPushGroupStore, MAX_CHUNKS, partitionKeyOf };
