import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import { awsLogsApiDeps } from '../../../lambdas/wiring/logs-deps';
import { ENV } from '../../../lambdas/shared/env';

const LOGS = validateLogsConfig({ services: ['api'], measures: ['context.confidence'] }).config;
const BOUND = {
  [ENV.SAMPLES_DATABASE]: 'vigil-test',
  [ENV.SAMPLES_TABLE]: 'samples',
  [ENV.EVENTS_DATABASE]: 'vigil-test',
  [ENV.EVENTS_TABLE]: 'events',
  [ENV.SERIES_INDEX_TABLE]: 'series-index',
  [ENV.LOGS_CONFIG]: JSON.stringify({ project: 'test', logs: LOGS }),
  [ENV.RUNTIME_CONFIG]: JSON.stringify(runtimeConfigOf(validateConfig({}).config)),
  AWS_REGION: 'eu-west-1',
};

describe('Function: awsLogsApiDeps (the log functions on AWS)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('writes logs to the service group, events to the Timestream events table and counters to the series index', async () => {
    // Prepare
    Object.assign(process.env, BOUND);
    const logsClient = mockClient(CloudWatchLogsClient).on(PutLogEventsCommand).resolves({});
    const write = mockClient(TimestreamWriteClient).on(WriteRecordsCommand).resolves({});
    const dynamo = mockClient(DynamoDBClient)
      .on(UpdateItemCommand)
      .resolves({ Attributes: { n: { N: '3' } } });
    const now = Date.now();

    // Act
    const deps = awsLogsApiDeps();
    await deps.logSink.put([
      {
        timestampMs: now,
        level: 'info',
        service: 'api',
        message: 'ok',
        isPrediction: false,
        fields: {},
      },
    ]);
    await deps.events.write([
      {
        timestampMs: now,
        service: 'api',
        model: 'm',
        modelVersion: '1',
        measures: { confidence: 0.9 },
      },
    ]);
    const totals = await deps.counters.add([{ key: 'api|info', delta: 1 }]);

    // Assess
    expect(deps.logs).toEqual(LOGS);
    expect(logsClient.commandCalls(PutLogEventsCommand)[0]?.args[0].input.logGroupName).toBe(
      '/vigil/test/api',
    );
    expect(write.commandCalls(WriteRecordsCommand)[0]?.args[0].input).toMatchObject({
      DatabaseName: 'vigil-test',
      TableName: 'events',
    });
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input.TableName).toBe('series-index');
    expect(totals).toEqual([3]);
    logsClient.restore();
    write.restore();
    dynamo.restore();
  });

  it('names the missing variable when the function was deployed without the logs config', () => {
    // Prepare
    Object.assign(process.env, BOUND);
    delete process.env[ENV.LOGS_CONFIG];

    // Act / Assess
    expect(() => awsLogsApiDeps()).toThrow(/VIGIL_LOGS_CONFIG \(logs config\) is not set/);
  });
});
