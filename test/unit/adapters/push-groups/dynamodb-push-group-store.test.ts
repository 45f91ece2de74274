import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbPushGroupStore,
  MAX_CHUNKS,
  partitionKeyOf,
} from '../../../../lambdas/adapters/push-groups/dynamodb-push-group-store';
import {
  PayloadTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
} from '../../../../lambdas/domain/errors';
import type { PushGroup } from '../../../../lambdas/domain/ports';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const TABLE = 'vigil-push-groups';
const ddb = mockClient(DynamoDBClient);
const KEY = { job: 'train', instance: 'gpu-1' };
const PK = '[["instance","gpu-1"],["job","train"]]';

const group: PushGroup = {
  key: KEY,
  metrics: [
    {
      labels: { __name__: 'loss', job: 'train', instance: 'gpu-1' },
      value: 0.25,
      family: 'loss',
    },
    {
      labels: { __name__: 'grad_norm', job: 'train', instance: 'gpu-1' },
      value: Number.NaN,
      family: 'grad_norm',
    },
    {
      labels: { __name__: 'lr', job: 'train', instance: 'gpu-1' },
      value: Number.POSITIVE_INFINITY,
      family: 'lr',
    },
    {
      labels: { __name__: 'lr_min', job: 'train', instance: 'gpu-1' },
      value: Number.NEGATIVE_INFINITY,
      family: 'lr_min',
    },
  ],
  pushTimeMs: 1_700_000_000_123,
  pushFailureTimeMs: 0,
};

const METRICS_JSON =
  '[[{"__name__":"loss","job":"train","instance":"gpu-1"},"0.25","loss"],' +
  '[{"__name__":"grad_norm","job":"train","instance":"gpu-1"},"NaN","grad_norm"],' +
  '[{"__name__":"lr","job":"train","instance":"gpu-1"},"+Inf","lr"],' +
  '[{"__name__":"lr_min","job":"train","instance":"gpu-1"},"-Inf","lr_min"]]';

const headerItem = {
  pk: { S: PK },
  sk: { S: '0000' },
  rev: { S: 'rev-1' },
  metrics: { S: METRICS_JSON },
  groupKey: { S: '{"instance":"gpu-1","job":"train"}' },
  pushTimeMs: { N: '1700000000123' },
  pushFailureTimeMs: { N: '0' },
  chunks: { N: '1' },
};

/** A group big enough to need `n` chunks (each metric about 1 KiB). */
const bigGroup = (metricCount: number): PushGroup => ({
  key: KEY,
  metrics: Array.from({ length: metricCount }, (_, i) => ({
    labels: { __name__: `m_${i}`, job: 'train', note: 'x'.repeat(1000) },
    value: i,
    family: `m_${i}`,
  })),
  pushTimeMs: 1,
  pushFailureTimeMs: 0,
});

const newStore = () =>
  new DynamoDbPushGroupStore({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    tableName: TABLE,
    newRevision: () => 'rev-1',
  });

afterEach(() => {
  ddb.reset();
});

describe('Class: DynamoDbPushGroupStore', () => {
  describe('Method: put', () => {
    it('writes a small group as one item with values as strings', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({});
      const store = newStore();

      // Act
      await store.put(group);

      // Assess
      expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
        TableName: TABLE,
        Item: headerItem,
        ReturnValues: 'ALL_OLD',
      });
      expect(ddb).not.toHaveReceivedCommand(BatchWriteItemCommand);
    });

    it('deletes the chunks of a formerly bigger group', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({ Attributes: { ...headerItem, chunks: { N: '3' } } });
      ddb.on(BatchWriteItemCommand).resolves({});
      const store = newStore();

      // Act
      await store.put(group);

      // Assess
      expect(ddb).toHaveReceivedCommandWith(BatchWriteItemCommand, {
        RequestItems: {
          [TABLE]: [
            { DeleteRequest: { Key: { pk: { S: PK }, sk: { S: '0001' } } } },
            { DeleteRequest: { Key: { pk: { S: PK }, sk: { S: '0002' } } } },
          ],
        },
      });
    });

    it('retries deletes DynamoDB left unprocessed', async () => {
      // Prepare
      const unprocessed = { DeleteRequest: { Key: { pk: { S: PK }, sk: { S: '0001' } } } };
      ddb.on(PutItemCommand).resolves({ Attributes: { ...headerItem, chunks: { N: '2' } } });
      ddb
        .on(BatchWriteItemCommand)
        .resolvesOnce({ UnprocessedItems: { [TABLE]: [unprocessed] } })
        .resolves({});
      const store = newStore();

      // Act
      await store.put(group);

      // Assess
      expect(ddb).toHaveReceivedCommandTimes(BatchWriteItemCommand, 2);
      expect(ddb).toHaveReceivedNthSpecificCommandWith(2, BatchWriteItemCommand, {
        RequestItems: { [TABLE]: [unprocessed] },
      });
    });

    it('writes a group larger than one item as chunks in one transaction', async () => {
      // Prepare
      ddb.on(GetItemCommand).resolves({ Item: { chunks: { N: '4' } } });
      ddb.on(TransactWriteItemsCommand).resolves({});
      const store = newStore();

      // Act
      await store.put(bigGroup(700));

      // Assess
      expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
        TableName: TABLE,
        Key: { pk: { S: PK }, sk: { S: '0000' } },
        ConsistentRead: true,
        ProjectionExpression: 'chunks',
      });
      const input = ddb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input;
      const actions = input?.TransactItems ?? [];
      const puts = actions.filter((a) => a.Put);
      expect(puts.map((a) => a.Put?.Item?.sk?.S)).toEqual(['0000', '0001', '0002']);
      expect(puts.every((a) => a.Put?.TableName === TABLE && a.Put?.Item?.rev?.S === 'rev-1')).toBe(
        true,
      );
      expect(puts[0]?.Put?.Item?.chunks).toEqual({ N: '3' });
      for (const a of puts) {
        expect(JSON.stringify(a.Put?.Item).length).toBeLessThan(400 * 1024);
      }
      expect(actions.filter((a) => a.Delete)).toEqual([
        { Delete: { TableName: TABLE, Key: { pk: { S: PK }, sk: { S: '0003' } } } },
      ]);
    });

    it('refuses a group too large for one transaction, naming it, and writes nothing', async () => {
      // Prepare
      const store = newStore();

      // Act & Assess
      await expect(store.put(bigGroup(MAX_CHUNKS * 320))).rejects.toThrow(PayloadTooLargeError);
      await expect(store.put(bigGroup(MAX_CHUNKS * 320))).rejects.toThrow(
        /push group \{"instance":"gpu-1","job":"train"\} is too large to store: 3200 metrics/,
      );
      expect(ddb.calls()).toHaveLength(0);
    });

    it('keeps the stale marker distinct from NaN through the codec', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({});
      const store = newStore();
      const stale: PushGroup = {
        ...group,
        metrics: [{ labels: { __name__: 'x' }, value: STALE_NAN, family: 'x' }],
      };

      // Act
      await store.put(stale);

      // Assess
      const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
      expect(item?.metrics?.S).toBe('[[{"__name__":"x"},"StaleNaN","x"]]');
    });

    it('turns throttling into StorageThrottledError', async () => {
      // Prepare
      const error = Object.assign(new Error('Rate exceeded'), {
        name: 'ProvisionedThroughputExceededException',
      });
      ddb.on(PutItemCommand).rejects(error);
      const store = newStore();

      // Act & Assess
      await expect(store.put(group)).rejects.toThrow(StorageThrottledError);
    });

    it('turns other failures into StorageUnavailableError with the table name', async () => {
      // Prepare
      const error = Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
      });
      ddb.on(PutItemCommand).rejects(error);
      const store = newStore();

      // Act & Assess
      const failure = store.put(group);
      await expect(failure).rejects.toThrow(StorageUnavailableError);
      await expect(failure).rejects.toThrow(
        `DynamoDB PutItem on table ${TABLE} failed: ResourceNotFoundException: Requested resource not found`,
      );
    });
  });

  describe('Method: get', () => {
    it('reads the group with a consistent Query and restores NaN and infinities', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [headerItem] });
      const store = newStore();

      // Act
      const got = await store.get({ instance: 'gpu-1', job: 'train', empty: '' });

      // Assess
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: PK } },
        ConsistentRead: true,
      });
      expect(got).toEqual(group);
    });

    it('returns undefined for an unknown group', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });
      const store = newStore();

      // Act & Assess
      await expect(store.get({ job: 'nope' })).resolves.toBeUndefined();
    });

    it('follows Query pages and joins chunks in order', async () => {
      // Prepare
      const header = {
        ...headerItem,
        chunks: { N: '2' },
        metrics: { S: '[[{"__name__":"a"},"1","a"]]' },
      };
      const second = {
        pk: { S: PK },
        sk: { S: '0001' },
        rev: { S: 'rev-1' },
        metrics: { S: '[[{"__name__":"b"},"StaleNaN","b"]]' },
      };
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [header], LastEvaluatedKey: { pk: { S: PK }, sk: { S: '0000' } } })
        .resolves({ Items: [second] });
      const store = newStore();

      // Act
      const got = await store.get(KEY);

      // Assess
      expect(ddb).toHaveReceivedNthSpecificCommandWith(2, QueryCommand, {
        ExclusiveStartKey: { pk: { S: PK }, sk: { S: '0000' } },
      });
      expect(got?.metrics.map((m) => m.labels.__name__)).toEqual(['a', 'b']);
      expect(isStaleNaN(got?.metrics[1]?.value ?? 0)).toBe(true);
    });

    it('refuses to mix chunks of two different writes', async () => {
      // Prepare
      const header = { ...headerItem, chunks: { N: '2' } };
      const other = { ...headerItem, sk: { S: '0001' }, rev: { S: 'rev-2' } };
      ddb.on(QueryCommand).resolves({ Items: [header, other] });
      const store = newStore();

      // Act & Assess
      await expect(store.get(KEY)).rejects.toThrow(StorageUnavailableError);
    });

    it('reports an unreadable item as StorageUnavailableError', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [{ ...headerItem, metrics: { S: '[[{}, "x"]]' } }] });
      const store = newStore();

      // Act & Assess
      await expect(store.get(KEY)).rejects.toThrow(/is unreadable: not a stored metric/);
    });
  });

  describe('Method: delete', () => {
    it('deletes the header, then any further chunks', async () => {
      // Prepare
      ddb.on(DeleteItemCommand).resolves({ Attributes: { ...headerItem, chunks: { N: '2' } } });
      ddb.on(BatchWriteItemCommand).resolves({});
      const store = newStore();

      // Act
      await store.delete(KEY);

      // Assess
      expect(ddb).toHaveReceivedCommandWith(DeleteItemCommand, {
        TableName: TABLE,
        Key: { pk: { S: PK }, sk: { S: '0000' } },
        ReturnValues: 'ALL_OLD',
      });
      expect(ddb).toHaveReceivedCommandWith(BatchWriteItemCommand, {
        RequestItems: {
          [TABLE]: [{ DeleteRequest: { Key: { pk: { S: PK }, sk: { S: '0001' } } } }],
        },
      });
    });

    it('does nothing more for a missing group', async () => {
      // Prepare
      ddb.on(DeleteItemCommand).resolves({});
      const store = newStore();

      // Act
      await store.delete(KEY);

      // Assess
      expect(ddb).not.toHaveReceivedCommand(BatchWriteItemCommand);
    });
  });

  describe('Method: list', () => {
    it('scans every page and returns complete groups only', async () => {
      // Prepare
      const otherPk = '[["job","eval"]]';
      const other = {
        ...headerItem,
        pk: { S: otherPk },
        groupKey: { S: '{"job":"eval"}' },
        metrics: { S: '[]' },
      };
      const orphan = {
        pk: { S: 'gone' },
        sk: { S: '0001' },
        rev: { S: 'r' },
        metrics: { S: '[]' },
      };
      ddb
        .on(ScanCommand)
        .resolvesOnce({
          Items: [headerItem, orphan],
          LastEvaluatedKey: { pk: { S: 'gone' }, sk: { S: '0001' } },
        })
        .resolves({ Items: [other] });
      const store = newStore();

      // Act
      const groups = await store.list();

      // Assess
      expect(ddb).toHaveReceivedNthSpecificCommandWith(1, ScanCommand, {
        TableName: TABLE,
        ConsistentRead: true,
      });
      expect(ddb).toHaveReceivedNthSpecificCommandWith(2, ScanCommand, {
        TableName: TABLE,
        ConsistentRead: true,
        ExclusiveStartKey: { pk: { S: 'gone' }, sk: { S: '0001' } },
      });
      expect(groups).toEqual([
        group,
        { key: { job: 'eval' }, metrics: [], pushTimeMs: 1_700_000_000_123, pushFailureTimeMs: 0 },
      ]);
    });
  });
});

describe('Function: partitionKeyOf', () => {
  it('uses the canonical grouping key, ignoring empty labels and order', () => {
    // Act & Assess
    expect(partitionKeyOf({ job: 'train', instance: 'gpu-1', x: '' })).toBe(PK);
  });

  it('hashes a grouping key too long for a partition key', () => {
    // Act
    const pk = partitionKeyOf({ job: 'j', long: 'v'.repeat(3000) });

    // Assess
    expect(pk).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
