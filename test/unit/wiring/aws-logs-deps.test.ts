import { DynamoDbCounterStore } from '../../../lambdas/adapters/counters/dynamodb-counter-store';
import { TimestreamEventStore } from '../../../lambdas/adapters/events/timestream-event-store';
import { CloudWatchLogSink } from '../../../lambdas/adapters/logs/cloudwatch-log-sink';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import { awsLogsApiDeps } from '../../../lambdas/wiring/aws-deps';
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

  it('builds the CloudWatch Logs sink, Timestream events store and DynamoDB counters from the bound env', () => {
    // Prepare
    Object.assign(process.env, BOUND);

    // Act
    const deps = awsLogsApiDeps();

    // Assess
    expect(deps.logs).toEqual(LOGS);
    expect(deps.logSink).toBeInstanceOf(CloudWatchLogSink);
    expect(deps.events).toBeInstanceOf(TimestreamEventStore);
    expect(deps.counters).toBeInstanceOf(DynamoDbCounterStore);
  });

  it('names the missing variable when the function was deployed without the logs config', () => {
    // Prepare
    Object.assign(process.env, BOUND);
    delete process.env[ENV.LOGS_CONFIG];

    // Act / Assess
    expect(() => awsLogsApiDeps()).toThrow(/VIGIL_LOGS_CONFIG \(logs config\) is not set/);
  });
});
