import { gunzipSync, gzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbAlertStateStore,
  GZIP_THRESHOLD_BYTES,
} from '../../../../lambdas/adapters/alert-state/dynamodb-alert-state-store';
import {
  PayloadTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
} from '../../../../lambdas/domain/errors';

const TABLE = 'vigil-alert-state';
const KEY = 'rules/ml-serving.yaml;ml-serving-latency';
const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
const ddb = mockClient(DynamoDBClient);

const STATE = {
  alerts: {
    '9a3f1c2b7d4e5f60': {
      state: 'firing',
      activeAtMs: 1_714_564_800_000,
      value: 0.42,
      labels: { alertname: 'HighP99Latency', model: 'resnet50', severity: 'critical' },
    },
  },
};
const STATE_JSON = JSON.stringify(STATE);

const store = (): DynamoDbAlertStateStore =>
  new DynamoDbAlertStateStore({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    tableName: TABLE,
    now: () => NOW_MS,
  });

/** A state whose JSON is well over the gzip threshold but compresses well (repeated labels). */
const bigState = (): { alerts: { labels: Record<string, string>; value: number }[] } => ({
  alerts: Array.from({ length: 4000 }, (_, i) => ({
    labels: {
      alertname: 'GpuMemoryPressure',
      instance: `gpu-node-${i % 50}.ml.internal:9400`,
      job: 'dcgm-exporter',
      severity: 'warning',
    },
    value: i,
  })),
});

describe('Class: DynamoDbAlertStateStore', () => {
  afterEach(() => {
    ddb.reset();
  });

  describe('Method: load', () => {
    it('reads the item with a consistent GetItem and parses the JSON state', async () => {
      // Prepare
      ddb.on(GetItemCommand).resolves({
        Item: {
          pk: { S: KEY },
          state: { S: STATE_JSON },
          version: { N: '7' },
          updatedAt: { S: '2024-05-01T12:00:00.000Z' },
        },
      });

      // Act
      const loaded = await store().load(KEY);

      // Assess
      expect(loaded).toEqual({ state: STATE, version: 7 });
      expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
        TableName: TABLE,
        Key: { pk: { S: KEY } },
        ConsistentRead: true,
      } satisfies GetItemCommandInput);
    });

    it('returns undefined when no item exists', async () => {
      // Prepare
      ddb.on(GetItemCommand).resolves({});

      // Act
      const loaded = await store().load(KEY);

      // Assess
      expect(loaded).toBeUndefined();
    });

    it('gunzips a binary state', async () => {
      // Prepare
      const state = bigState();
      ddb.on(GetItemCommand).resolves({
        Item: {
          pk: { S: KEY },
          state: { B: gzipSync(JSON.stringify(state)) },
          version: { N: '2' },
        },
      });

      // Act
      const loaded = await store().load(KEY);

      // Assess
      expect(loaded).toEqual({ state, version: 2 });
    });

    it.each([
      ['the state is not JSON', { state: { S: '{"alerts":' }, version: { N: '3' } }],
      ['the state is missing', { version: { N: '3' } }],
      ['the version is missing', { state: { S: STATE_JSON } }],
      ['the version is not a number', { state: { S: STATE_JSON }, version: { N: 'x' } }],
    ])('throws StorageUnavailableError naming key and table when %s', async (_, attributes) => {
      // Prepare
      ddb.on(GetItemCommand).resolves({ Item: { pk: { S: KEY }, ...attributes } });

      // Act & Assess
      const error = await store()
        .load(KEY)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toContain(`alert state ${KEY} in table ${TABLE}`);
    });

    it('translates throttling into StorageThrottledError', async () => {
      // Prepare
      ddb.on(GetItemCommand).rejects(
        new ProvisionedThroughputExceededException({
          $metadata: {},
          message: 'The level of configured provisioned throughput for the table was exceeded',
        }),
      );

      // Act & Assess
      await expect(store().load(KEY)).rejects.toThrow(StorageThrottledError);
    });

    it('translates other failures into StorageUnavailableError naming the table', async () => {
      // Prepare
      ddb
        .on(GetItemCommand)
        .rejects(new InternalServerError({ $metadata: {}, message: 'Internal server error' }));

      // Act & Assess
      const error = await store()
        .load(KEY)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toBe(
        `DynamoDB GetItem on table ${TABLE} failed: InternalServerError: Internal server error`,
      );
    });
  });

  describe('Method: save', () => {
    it('creates the first version only when no item exists', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({});

      // Act
      const saved = await store().save(KEY, STATE, 0);

      // Assess
      expect(saved).toBe(true);
      expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
      expect(ddb.commandCalls(PutItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          pk: { S: KEY },
          state: { S: STATE_JSON },
          version: { N: '1' },
          updatedAt: { S: '2024-05-01T12:00:00.000Z' },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      } satisfies PutItemCommandInput);
    });

    it('writes the DynamoDB TTL attribute in epoch seconds when the record expires', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({});

      // Act
      await store().save(KEY, STATE, 0, { expiresAtMs: 1_714_600_000_500 });

      // Assess
      expect(ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.ttl).toEqual({
        N: '1714600001',
      });
    });

    it('replaces version n with n + 1 only while the stored version is n', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({});

      // Act
      const saved = await store().save(KEY, STATE, 7);

      // Assess
      expect(saved).toBe(true);
      expect(ddb.commandCalls(PutItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          pk: { S: KEY },
          state: { S: STATE_JSON },
          version: { N: '8' },
          updatedAt: { S: '2024-05-01T12:00:00.000Z' },
        },
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': { N: '7' } },
      } satisfies PutItemCommandInput);
    });

    it('returns false when the condition fails (another run saved first)', async () => {
      // Prepare
      ddb.on(PutItemCommand).rejects(
        new ConditionalCheckFailedException({
          $metadata: {},
          message: 'The conditional request failed',
        }),
      );

      // Act
      const saved = await store().save(KEY, STATE, 7);

      // Assess
      expect(saved).toBe(false);
    });

    it('gzips a state whose JSON exceeds the threshold into a binary attribute', async () => {
      // Prepare
      const state = bigState();
      expect(Buffer.byteLength(JSON.stringify(state))).toBeGreaterThan(GZIP_THRESHOLD_BYTES);
      ddb.on(PutItemCommand).resolves({});

      // Act
      const saved = await store().save(KEY, state, 1);

      // Assess
      expect(saved).toBe(true);
      const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
      expect(item?.state?.S).toBeUndefined();
      const gz = item?.state?.B as Uint8Array;
      expect(gz.byteLength).toBeLessThan(GZIP_THRESHOLD_BYTES);
      expect(JSON.parse(gunzipSync(gz).toString('utf8'))).toEqual(state);
      expect(item?.version).toEqual({ N: '2' });
    });

    it('keeps a state exactly at the threshold as text', async () => {
      // Prepare: {"x":"…"} is 8 bytes of JSON around the string
      const state = { x: 'a'.repeat(GZIP_THRESHOLD_BYTES - 8) };
      ddb.on(PutItemCommand).resolves({});

      // Act
      await store().save(KEY, state, 0);

      // Assess
      const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
      expect(item?.state?.S).toHaveLength(GZIP_THRESHOLD_BYTES);
    });

    it('refuses a state too large even gzipped, without calling DynamoDB', async () => {
      // Prepare: pseudo-random base-36 text compresses poorly (about 1 MB of JSON)
      const noise = Array.from({ length: 150_000 }, (_, i) =>
        ((i * 2_654_435_761) >>> 0).toString(36),
      ).join('');
      ddb.on(PutItemCommand).resolves({});

      // Act & Assess
      await expect(store().save(KEY, { noise }, 0)).rejects.toThrow(PayloadTooLargeError);
      expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 0);
    });

    it('translates throttling into StorageThrottledError', async () => {
      // Prepare
      ddb
        .on(PutItemCommand)
        .rejects(
          new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' }),
        );

      // Act & Assess
      await expect(store().save(KEY, STATE, 3)).rejects.toThrow(StorageThrottledError);
    });

    it('translates other failures into StorageUnavailableError naming the table', async () => {
      // Prepare
      ddb
        .on(PutItemCommand)
        .rejects(new InternalServerError({ $metadata: {}, message: 'Internal server error' }));

      // Act & Assess
      await expect(store().save(KEY, STATE, 3)).rejects.toThrow(
        `DynamoDB PutItem on table ${TABLE} failed: InternalServerError: Internal server error`,
      );
    });

    it('round-trips through load what save wrote', async () => {
      // Prepare: a fake table honouring the condition expressions
      const table = new Map<string, Record<string, unknown>>();
      ddb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
        const item = input.Item ?? {};
        const pk = item.pk?.S ?? '';
        const current = table.get(pk) as { version?: { N: string } } | undefined;
        const ok =
          input.ConditionExpression === 'attribute_not_exists(pk)'
            ? current === undefined
            : current?.version?.N === input.ExpressionAttributeValues?.[':expected']?.N;
        if (!ok) {
          throw new ConditionalCheckFailedException({ $metadata: {}, message: 'failed' });
        }
        table.set(pk, item);
        return {};
      });
      ddb
        .on(GetItemCommand)
        .callsFake((input: GetItemCommandInput) => ({ Item: table.get(input.Key?.pk?.S ?? '') }));
      const a = store();
      const b = store();

      // Act
      const first = await a.save(KEY, { n: 1 }, 0);
      const loadedByB = await b.load(KEY);
      const secondByA = await a.save(KEY, { n: 2 }, 1);
      const staleByB = await b.save(KEY, { n: 99 }, loadedByB?.version ?? 0);
      const big = bigState();
      const third = await a.save(KEY, big, 2);

      // Assess
      expect([first, secondByA, staleByB, third]).toEqual([true, true, false, true]);
      expect(loadedByB).toEqual({ state: { n: 1 }, version: 1 });
      expect(await b.load(KEY)).toEqual({ state: big, version: 3 });
    });
  });
});
