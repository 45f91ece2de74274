import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbCardinalityTracker,
  seriesSortKey,
} from '../../../../lambdas/adapters/cardinality/dynamodb-cardinality-tracker';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import { seriesKey } from '../../../../lambdas/domain/series/labels';

const TABLE = 'vigil-series-index';
const ddb = mockClient(DynamoDBClient);

const METRIC = 'http_requests_total';
const OK_KEY = seriesKey({ __name__: METRIC, code: '200' });
const ERR_KEY = seriesKey({ __name__: METRIC, code: '500' });
const OK_SK = 's#d4ebef2a022252e60c08e7b4c3d5eaac1d065aed477f841572a9d1a96f1ed49a';
const ok = { metric: METRIC, key: OK_KEY };
const err = { metric: METRIC, key: ERR_KEY };

/** The transaction that registers `key` under `metric` with the given limit. */
const transaction = (
  metric: string,
  sk: string,
  limit: number,
  condition = 'attribute_not_exists(n) OR n < :limit',
): TransactWriteItemsCommandInput => ({
  TransactItems: [
    {
      Put: {
        TableName: TABLE,
        Item: { pk: { S: metric }, sk: { S: sk } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: TABLE,
        Key: { pk: { S: metric }, sk: { S: '#count' } },
        UpdateExpression: 'ADD n :one',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':one': { N: '1' }, ':limit': { N: String(limit) } },
      },
    },
  ],
});

const canceled = (...codes: string[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

const sent = (): TransactWriteItemsCommandInput[] =>
  ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);

const newTracker = (
  options: Partial<ConstructorParameters<typeof DynamoDbCardinalityTracker>[0]> = {},
): { tracker: DynamoDbCardinalityTracker; sleeps: number[] } => {
  const sleeps: number[] = [];
  const tracker = new DynamoDbCardinalityTracker({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    tableName: TABLE,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...options,
  });
  return { tracker, sleeps };
};

describe('Class: DynamoDbCardinalityTracker', () => {
  beforeEach(() => {
    ddb.reset();
  });

  afterEach(() => {
    ddb.reset();
  });

  describe('Function: seriesSortKey', () => {
    it('is s# and the sha256 hex of the series key', () => {
      // Act
      const sk = seriesSortKey(OK_KEY);

      // Assess
      expect(sk).toBe(OK_SK);
    });
  });

  describe('Method: admit', () => {
    it('admits a new series with one transaction: Put if absent, counter below the limit', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).resolves({});
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3)]);
    });

    it('admits a series that already exists (the Put condition fails)', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejects(canceled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3)]);
    });

    it('refuses a new series when the metric is full (the counter condition fails)', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).rejects(canceled('None', 'ConditionalCheckFailed'));
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok], 3);

      // Assess
      expect([...refused]).toEqual([OK_KEY]);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3)]);
    });

    it('asks DynamoDB again about a refused series on the next call', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejectsOnce(canceled('None', 'ConditionalCheckFailed'))
        .resolves({});
      const { tracker } = newTracker();

      // Act
      const first = await tracker.admit([ok], 3);
      const second = await tracker.admit([ok], 4);

      // Assess
      expect([...first]).toEqual([OK_KEY]);
      expect(second.size).toBe(0);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3), transaction(METRIC, OK_SK, 4)]);
    });

    it('sends a series repeated in one call once', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).resolves({});
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok, ok, ok], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3)]);
    });

    it('returns only the refused keys of a mixed call', async () => {
      // Prepare
      const errSk = seriesSortKey(ERR_KEY);
      ddb.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
        const sk = input.TransactItems?.[0]?.Put?.Item?.sk?.S;
        if (sk === errSk) throw canceled('None', 'ConditionalCheckFailed');
        return {};
      });
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok, err, ok], 1);

      // Assess
      expect([...refused]).toEqual([ERR_KEY]);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 2);
    });

    it('skips DynamoDB for series this container already admitted', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).resolves({});
      const { tracker } = newTracker();
      await tracker.admit([ok], 3);
      ddb.resetHistory();

      // Act
      const refused = await tracker.admit([ok, ok], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });

    it('also remembers series found already existing', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejects(canceled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
      const { tracker } = newTracker();
      await tracker.admit([ok], 3);
      ddb.resetHistory();

      // Act
      await tracker.admit([ok], 3);

      // Assess
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });

    it('forgets every known series when the memory is full', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).resolves({});
      const { tracker } = newTracker({ maxKnownSeries: 1 });
      await tracker.admit([ok], 3);
      await tracker.admit([err], 3);
      ddb.resetHistory();

      // Act
      await tracker.admit([ok, err], 3);

      // Assess
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3)]);
    });

    it('makes no call for an empty list', async () => {
      // Prepare
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });

    it('refuses even the first series of a metric when the limit is below 1', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).rejects(canceled('None', 'ConditionalCheckFailed'));
      const { tracker } = newTracker();

      // Act
      const refused = await tracker.admit([ok], 0);

      // Assess
      expect([...refused]).toEqual([OK_KEY]);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 0, 'n < :limit')]);
    });

    it('keeps at most `concurrency` transactions in flight', async () => {
      // Prepare
      let inFlight = 0;
      let most = 0;
      ddb.on(TransactWriteItemsCommand).callsFake(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return {};
      });
      const { tracker } = newTracker({ concurrency: 3 });
      const series = Array.from({ length: 10 }, (_, i) => ({
        metric: METRIC,
        key: seriesKey({ __name__: METRIC, code: String(200 + i) }),
      }));

      // Act
      const refused = await tracker.admit(series, 100);

      // Assess
      expect(refused.size).toBe(0);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 10);
      expect(most).toBe(3);
    });

    it('retries a transaction conflict and throttling with backoff, then admits', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejectsOnce(canceled('None', 'TransactionConflict'))
        .rejectsOnce(named('ProvisionedThroughputExceededException', 'Rate exceeded'))
        .rejectsOnce(canceled('ThrottlingError', 'None'))
        .resolves({});
      const { tracker, sleeps } = newTracker();

      // Act
      const refused = await tracker.admit([ok], 3);

      // Assess
      expect(refused.size).toBe(0);
      expect(sent()).toEqual(Array.from({ length: 4 }, () => transaction(METRIC, OK_SK, 3)));
      expect(sleeps).toEqual([25, 50, 100]);
    });

    it('throws StorageThrottledError once the retries run out', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejects(named('ThrottlingException', 'Throughput exceeds the current capacity'));
      const { tracker, sleeps } = newTracker({ maxAttempts: 3 });

      // Act
      const failure = tracker.admit([ok], 3);

      // Assess
      await expect(failure).rejects.toThrow(StorageThrottledError);
      await expect(failure).rejects.toThrow(
        `DynamoDB TransactWriteItems on table ${TABLE} for metric ${METRIC} still failing after 3 attempts: ThrottlingException: Throughput exceeds the current capacity`,
      );
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 3);
      expect(sleeps).toEqual([25, 50]);
    });

    it('turns AccessDenied into StorageUnavailableError naming the table', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejects(named('AccessDeniedException', 'not authorized to perform: dynamodb:PutItem'));
      const { tracker } = newTracker();

      // Act
      const failure = tracker.admit([ok], 3);

      // Assess
      await expect(failure).rejects.toThrow(StorageUnavailableError);
      await expect(failure).rejects.toThrow(
        `DynamoDB TransactWriteItems on table ${TABLE} for metric ${METRIC} failed: AccessDeniedException: not authorized to perform: dynamodb:PutItem`,
      );
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    });

    it('turns other cancellation reasons into StorageUnavailableError listing them', async () => {
      // Prepare
      ddb.on(TransactWriteItemsCommand).rejects(canceled('ValidationError', 'None'));
      const { tracker } = newTracker();

      // Act
      const failure = tracker.admit([ok], 3);

      // Assess
      await expect(failure).rejects.toThrow(StorageUnavailableError);
      await expect(failure).rejects.toThrow(
        /on table vigil-series-index .* \[ValidationError, None\]$/,
      );
    });

    it('stops starting transactions after a failure and does not remember the failed series', async () => {
      // Prepare
      ddb
        .on(TransactWriteItemsCommand)
        .rejectsOnce(named('ResourceNotFoundException', 'Requested resource not found'))
        .resolves({});
      const { tracker } = newTracker({ concurrency: 1 });

      // Act
      const failure = tracker.admit([ok, err], 3);

      // Assess
      await expect(failure).rejects.toThrow(StorageUnavailableError);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      await tracker.admit([ok], 3);
      expect(sent()).toEqual([transaction(METRIC, OK_SK, 3), transaction(METRIC, OK_SK, 3)]);
    });
  });
});
