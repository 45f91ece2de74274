import {
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbCardinalityTracker } from '../../../../lambdas/adapters/cardinality/dynamodb-cardinality-tracker';
import { StorageThrottledError } from '../../../../lambdas/domain/errors';

const TABLE = 'vigil-series-index';
const ddb = mockClient(DynamoDBClient);
const T0 = 1_764_086_400_000;

const query = (pk: string, start?: Record<string, { S: string }>): QueryCommandInput => ({
  TableName: TABLE,
  KeyConditionExpression: 'pk = :pk',
  ExpressionAttributeValues: { ':pk': { S: pk } },
  ProjectionExpression: 'sk, n',
  ConsistentRead: true,
  ...(start ? { ExclusiveStartKey: start } : {}),
});

/** A Query page of a kind's partition: name items and the counter. */
const page = (names: string[], count: number) => ({
  Items: [
    ...(count > 0 ? [{ sk: { S: '#count' }, n: { N: String(count) } }] : []),
    ...names.map((n) => ({ sk: { S: `name#${n}` } })),
  ],
});

/** The registration of `names` of one kind: a Put per name, then the counter. */
const register = (pk: string, names: string[], budget: number) => [
  ...names.map((name) => ({
    Put: {
      TableName: TABLE,
      Item: { pk: { S: pk }, sk: { S: `name#${name}` } },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  })),
  {
    Update: {
      TableName: TABLE,
      Key: { pk: { S: pk }, sk: { S: '#count' } },
      UpdateExpression: 'ADD n :k',
      ConditionExpression: 'attribute_not_exists(n) OR n <= :most',
      ExpressionAttributeValues: {
        ':k': { N: String(names.length) },
        ':most': { N: String(budget - names.length) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  },
];

const canceled = (
  ...reasons: { Code: string; Item?: Record<string, { N: string }> }[]
): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: reasons,
  });

const none = { Code: 'None' };
const failed = { Code: 'ConditionalCheckFailed' };
const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

const queries = (): QueryCommandInput[] =>
  ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
const transactions = (): TransactWriteItemsCommandInput[] =>
  ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);

const setup = () => {
  const clock = { now: T0 };
  const sleeps: number[] = [];
  const tracker = new DynamoDbCardinalityTracker({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    tableName: TABLE,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    now: () => clock.now,
  });
  return { tracker, clock, sleeps };
};

const DIM = 'schema#dimension';
const MEASURE = 'schema#measure';

describe('Class: DynamoDbCardinalityTracker, method admitNames', () => {
  beforeEach(() => {
    ddb.reset();
  });

  it('loads the registered names once, then admits known names without calling DynamoDB', async () => {
    // Prepare
    ddb.on(QueryCommand, query(DIM)).resolves(page(['job', 'instance'], 2));
    ddb.on(QueryCommand, query(MEASURE)).resolves(page(['up'], 1));
    const { tracker } = setup();
    const series = [{ measure: 'up', dimensions: ['instance', 'job'] }];

    // Act
    const first = await tracker.admitNames(series, { dimensions: 112, measures: 7936 });
    const second = await tracker.admitNames(series, { dimensions: 112, measures: 7936 });

    // Assess
    expect(first).toEqual(new Map());
    expect(second).toEqual(new Map());
    expect(queries()).toEqual([query(DIM), query(MEASURE)]);
    expect(transactions()).toEqual([]);
  });

  it('registers the new names of several series in one transaction, each name once', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    const { tracker } = setup();
    const series = [
      { measure: 'loss', dimensions: ['job', 'model'] },
      { measure: 'acc', dimensions: ['job'] },
    ];

    // Act
    const refused = await tracker.admitNames(series, { dimensions: 10, measures: 100 });
    await tracker.admitNames(series, { dimensions: 10, measures: 100 });

    // Assess
    expect(refused).toEqual(new Map());
    expect(transactions()).toEqual([
      {
        TransactItems: [
          ...register(DIM, ['job', 'model'], 10),
          ...register(MEASURE, ['loss', 'acc'], 100),
        ],
      },
    ]);
    expect(queries()).toHaveLength(2);
  });

  it('refuses a series whose new names exceed the room, without a transaction, naming them', async () => {
    // Prepare
    ddb.on(QueryCommand, query(DIM)).resolves(page(['a', 'b'], 2));
    ddb.on(QueryCommand, query(MEASURE)).resolves(page(['m'], 1));
    ddb.on(TransactWriteItemsCommand).resolves({});
    const { tracker } = setup();

    // Act
    const refused = await tracker.admitNames(
      [
        { measure: 'm', dimensions: ['a', 'c', 'd'] },
        { measure: 'm', dimensions: ['a', 'e'] },
      ],
      { dimensions: 3, measures: 10 },
    );

    // Assess
    expect(refused).toEqual(new Map([[0, { dimensions: ['c', 'd'] }]]));
    expect(transactions()).toEqual([{ TransactItems: register(DIM, ['e'], 3) }]);
    expect(queries()).toEqual([query(DIM), query(MEASURE)]);
  });

  it('refuses a new metric name when the measure budget is full, and reads the names again after a minute', async () => {
    // Prepare
    ddb.on(QueryCommand, query(DIM)).resolves(page([], 0));
    ddb
      .on(QueryCommand, query(MEASURE))
      .resolvesOnce(page(['a', 'b'], 2))
      .resolves(page(['a', 'b', 'c'], 2));
    const { tracker, clock } = setup();
    const series = [{ measure: 'c', dimensions: [] }];

    // Act
    const soon = await tracker.admitNames(series, { dimensions: 10, measures: 2 });
    clock.now += 30_000;
    const stillSoon = await tracker.admitNames(series, { dimensions: 10, measures: 2 });
    clock.now += 30_000;
    const later = await tracker.admitNames(series, { dimensions: 10, measures: 2 });

    // Assess
    expect(soon).toEqual(new Map([[0, { measure: 'c', dimensions: [] }]]));
    expect(stillSoon).toEqual(soon);
    expect(later).toEqual(new Map());
    expect(queries()).toEqual([query(DIM), query(MEASURE), query(MEASURE)]);
    expect(transactions()).toEqual([]);
  });

  it('drops from the batch a name another instance registered meanwhile, and sends the rest again', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceled(failed, none, none, none, none))
      .resolves({});
    const { tracker } = setup();

    // Act
    const refused = await tracker.admitNames([{ measure: 'loss', dimensions: ['job', 'model'] }], {
      dimensions: 10,
      measures: 100,
    });

    // Assess
    expect(refused).toEqual(new Map());
    expect(transactions()).toEqual([
      {
        TransactItems: [
          ...register(DIM, ['job', 'model'], 10),
          ...register(MEASURE, ['loss'], 100),
        ],
      },
      { TransactItems: [...register(DIM, ['model'], 10), ...register(MEASURE, ['loss'], 100)] },
    ]);
  });

  it('learns the counter from a refused transaction, admits what still fits, and refuses the rest after reading the names again', async () => {
    // Prepare: another instance took one of the two places left.
    ddb
      .on(QueryCommand, query(DIM))
      .resolvesOnce(page([], 0))
      .resolves(page(['a', 'x'], 2));
    ddb.on(QueryCommand, query(MEASURE)).resolves(page(['m'], 1));
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(
        canceled(none, none, { Code: 'ConditionalCheckFailed', Item: { n: { N: '1' } } }),
      )
      .resolves({});
    const { tracker } = setup();

    // Act
    const refused = await tracker.admitNames(
      [
        { measure: 'm', dimensions: ['a'] },
        { measure: 'm', dimensions: ['b'] },
      ],
      { dimensions: 2, measures: 10 },
    );

    // Assess
    expect(refused).toEqual(new Map([[1, { dimensions: ['b'] }]]));
    expect(transactions()).toEqual([
      { TransactItems: register(DIM, ['a', 'b'], 2) },
      { TransactItems: register(DIM, ['a'], 2) },
    ]);
    expect(queries()).toEqual([query(DIM), query(MEASURE), query(DIM)]);
  });

  it('reads the names once for concurrent calls of a cold instance', async () => {
    // Prepare
    ddb.on(QueryCommand, query(DIM)).resolves(page(['job'], 1));
    ddb.on(QueryCommand, query(MEASURE)).resolves(page(['up'], 1));
    const { tracker } = setup();
    const series = [{ measure: 'up', dimensions: ['job'] }];
    const budget = { dimensions: 10, measures: 10 };

    // Act
    const outcomes = await Promise.all([
      tracker.admitNames(series, budget),
      tracker.admitNames(series, budget),
      tracker.admitNames(series, budget),
    ]);

    // Assess
    expect(outcomes).toEqual([new Map(), new Map(), new Map()]);
    expect(queries()).toEqual([query(DIM), query(MEASURE)]);
  });

  it('reads every page of a partition', async () => {
    // Prepare
    const next = { pk: { S: DIM }, sk: { S: 'name#job' } };
    ddb
      .on(QueryCommand, query(DIM))
      .resolvesOnce({ ...page(['instance', 'job'], 3), LastEvaluatedKey: next });
    ddb.on(QueryCommand, query(DIM, next)).resolves(page(['pod'], 0));
    ddb.on(QueryCommand, query(MEASURE)).resolves(page(['up'], 1));
    const { tracker } = setup();

    // Act
    const refused = await tracker.admitNames([{ measure: 'up', dimensions: ['pod'] }], {
      dimensions: 3,
      measures: 10,
    });

    // Assess
    expect(refused).toEqual(new Map());
    expect(queries()).toEqual([query(DIM), query(MEASURE), query(DIM, next)]);
    expect(transactions()).toEqual([]);
  });

  it('retries throttling with backoff, then throws StorageThrottledError', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(TransactWriteItemsCommand)
      .rejects(named('ProvisionedThroughputExceededException', 'slow down'));
    const { tracker, sleeps } = setup();

    // Act & Assess
    await expect(
      tracker.admitNames([{ measure: 'up', dimensions: [] }], { dimensions: 1, measures: 1 }),
    ).rejects.toThrow(
      new StorageThrottledError(
        `DynamoDB TransactWriteItems on table ${TABLE} registering label and metric names still failing after 5 attempts: ProvisionedThroughputExceededException: slow down`,
      ),
    );
    expect(transactions()).toHaveLength(5);
    expect(sleeps).toEqual([25, 50, 100, 200]);
  });

  it('turns another DynamoDB failure into StorageUnavailableError naming the table', async () => {
    // Prepare
    ddb.on(QueryCommand).rejects(named('AccessDeniedException', 'not authorized: dynamodb:Query'));
    const { tracker } = setup();

    // Act & Assess
    await expect(
      tracker.admitNames([{ measure: 'up', dimensions: [] }], { dimensions: 1, measures: 1 }),
    ).rejects.toMatchObject({
      name: 'StorageUnavailableError',
      message: `DynamoDB Query on table ${TABLE} for the dimension names failed: AccessDeniedException: not authorized: dynamodb:Query`,
    });
  });
});
