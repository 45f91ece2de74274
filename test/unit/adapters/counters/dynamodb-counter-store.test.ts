import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbCounterStore } from '../../../../lambdas/adapters/counters/dynamodb-counter-store';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'vigil-series-index';

const store = () =>
  new DynamoDbCounterStore({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    table: TABLE,
    maxAttempts: 3,
    sleep: async () => {},
  });

const updated = (n: number) => ({ Attributes: { n: { N: String(n) } } });

afterEach(() => {
  ddb.reset();
});

describe('Class: DynamoDbCounterStore', () => {
  it('adds with UpdateItem ADD on counter#<key> and returns the new totals in order', async () => {
    // Prepare
    ddb
      .on(UpdateItemCommand, { Key: { pk: { S: 'counter#errors' }, sk: { S: '#count' } } })
      .resolves(updated(12))
      .on(UpdateItemCommand, { Key: { pk: { S: 'counter#infos' }, sk: { S: '#count' } } })
      .resolves(updated(3));

    // Act
    const totals = await store().add([
      { key: 'errors', delta: 2 },
      { key: 'infos', delta: 3 },
    ]);

    // Assess
    expect(totals).toEqual([12, 3]);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: 'counter#errors' }, sk: { S: '#count' } },
      UpdateExpression: 'ADD n :delta',
      ExpressionAttributeValues: { ':delta': { N: '2' } },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('sends a key given twice once, with the summed delta', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).resolves(updated(7));

    // Act
    const totals = await store().add([
      { key: 'errors', delta: 2 },
      { key: 'errors', delta: 5 },
    ]);

    // Assess
    expect(totals).toEqual([7, 7]);
    expect(ddb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      ExpressionAttributeValues: { ':delta': { N: '7' } },
    });
  });

  it('retries throttling, then throws StorageThrottledError', async () => {
    // Prepare
    ddb
      .on(UpdateItemCommand)
      .rejects(
        Object.assign(new Error('slow'), { name: 'ProvisionedThroughputExceededException' }),
      );

    // Act
    const add = store().add([{ key: 'errors', delta: 1 }]);

    // Assess
    await expect(add).rejects.toThrow(StorageThrottledError);
    expect(ddb).toHaveReceivedCommandTimes(UpdateItemCommand, 3);
  });

  it('retries throttling once and succeeds', async () => {
    // Prepare
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(Object.assign(new Error('slow'), { name: 'ThrottlingException' }))
      .resolves(updated(1));

    // Act
    const totals = await store().add([{ key: 'errors', delta: 1 }]);

    // Assess
    expect(totals).toEqual([1]);
  });

  it('names the table when it is missing', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).rejects(
      Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
      }),
    );

    // Act
    const add = store().add([{ key: 'errors', delta: 1 }]);

    // Assess
    await expect(add).rejects.toThrow(StorageUnavailableError);
    await expect(store().add([{ key: 'errors', delta: 1 }])).rejects.toThrow(
      /DynamoDB table vigil-series-index is not reachable/,
    );
  });
});
