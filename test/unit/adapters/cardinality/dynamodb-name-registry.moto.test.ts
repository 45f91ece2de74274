/**
 * The name registry's conditional writes against moto's DynamoDB server (real protocol, real
 * condition and transaction semantics): two trackers standing for two Lambda instances race for
 * the same budget.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbCardinalityTracker } from '../../../../lambdas/adapters/cardinality/dynamodb-cardinality-tracker';
import { type Moto, startMoto } from '../../../helpers/moto';

const TABLE = 'vigil-series-index';

let moto: Moto;
let endpoint = '';

const client = (): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

beforeAll(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
  await client().send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}, 30_000);

afterAll(() => {
  moto?.stop();
});

const tracker = () =>
  new DynamoDbCardinalityTracker({ client: client(), tableName: TABLE, maxAttempts: 50 });

const counter = async (pk: string): Promise<string | undefined> =>
  (
    await client().send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: pk }, sk: { S: '#count' } },
        ConsistentRead: true,
      }),
    )
  ).Item?.n?.N;

const registered = async (pk: string): Promise<string[]> =>
  (
    (
      await client().send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []
  )
    .map((i) => i.sk?.S ?? '')
    .filter((sk) => sk.startsWith('name#'))
    .sort();

describe('Class: DynamoDbCardinalityTracker, admitNames on a DynamoDB server', () => {
  it('lets two instances with stale caches admit exactly the budget between them, no more', async () => {
    // Prepare: 8 single-label series per instance, 10 places for 16 distinct names. Each
    // instance loads the name lists once, at its first call, and goes on unaware of the other's
    // later registrations: only the conditional writes keep the count. The calls alternate rather than overlap:
    // moto's server does not isolate concurrent transactions (run in parallel, a cancelled one
    // undid another's writes), which DynamoDB does.
    const a = tracker();
    const b = tracker();
    const budget = { dimensions: 10, measures: 10 };
    const admit = (t: DynamoDbCardinalityTracker, label: string) =>
      t.admitNames([{ measure: 'up', dimensions: [label] }], budget);
    await admit(a, 'a0');
    await admit(b, 'b0');

    // Act
    const outcomes = [];
    for (let i = 1; i < 8; i++) {
      outcomes.push(await admit(a, `a${i}`));
      outcomes.push(await admit(b, `b${i}`));
    }

    // Assess
    const admitted = 2 + outcomes.filter((o) => o.size === 0).length;
    expect(admitted).toBe(10);
    expect(outcomes.slice(-6)).toEqual([
      new Map([[0, { dimensions: ['a5'] }]]),
      new Map([[0, { dimensions: ['b5'] }]]),
      new Map([[0, { dimensions: ['a6'] }]]),
      new Map([[0, { dimensions: ['b6'] }]]),
      new Map([[0, { dimensions: ['a7'] }]]),
      new Map([[0, { dimensions: ['b7'] }]]),
    ]);
    expect(await counter('schema#dimension')).toBe('10');
    expect(await registered('schema#dimension')).toHaveLength(10);
    expect(await counter('schema#measure')).toBe('1');
    expect(await registered('schema#measure')).toEqual(['name#up']);
  });

  it('admits in one instance a name another instance registered, even with the budget full', async () => {
    // Prepare: the table holds the 10 names of the test above.
    const [name] = (await registered('schema#dimension')).map((sk) => sk.slice('name#'.length));
    const fresh = tracker();

    // Act
    const known = await fresh.admitNames([{ measure: 'up', dimensions: [name as string] }], {
      dimensions: 10,
      measures: 10,
    });
    const unknown = await fresh.admitNames([{ measure: 'up', dimensions: ['zzz'] }], {
      dimensions: 10,
      measures: 10,
    });

    // Assess
    expect(known).toEqual(new Map());
    expect(unknown).toEqual(new Map([[0, { dimensions: ['zzz'] }]]));
    expect(await counter('schema#dimension')).toBe('10');
  });
});
