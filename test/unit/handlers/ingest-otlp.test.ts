import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DynamoDBClient,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import { otlpTypes } from '../../../lambdas/domain/otlp/json';
import { ENV } from '../../../lambdas/shared/env';
import { lambdaContext } from '../../helpers/api-gateway-event';

const ddb = mockClient(DynamoDBClient);
const tsw = mockClient(TimestreamWriteClient);
const cwl = mockClient(CloudWatchLogsClient);
const context = lambdaContext();

const SAVED_ENV = { ...process.env };
beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
  process.env[ENV.SAMPLES_DATABASE] = 'vigil-test';
  process.env[ENV.SAMPLES_TABLE] = 'samples';
  process.env[ENV.SERIES_INDEX_TABLE] = 'series-index';
  process.env[ENV.EVENTS_DATABASE] = 'vigil-test';
  process.env[ENV.EVENTS_TABLE] = 'events';
  process.env[ENV.RUNTIME_CONFIG] = JSON.stringify(
    runtimeConfigOf(
      validateConfig({ otlp: { promote_resource_attributes: ['deployment.environment'] } }).config,
    ),
  );
  process.env[ENV.LOGS_CONFIG] = JSON.stringify({
    project: 'test',
    logs: validateLogsConfig({}).config,
  });
});
afterAll(() => {
  process.env = SAVED_ENV;
});
beforeEach(() => {
  ddb.reset();
  tsw.reset();
  cwl.reset();
  // An empty series index: every label and metric name is new to the samples table.
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({ Attributes: { n: { N: '1' } } });
  tsw.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 1 } });
  cwl.on(CreateLogStreamCommand).resolves({});
  cwl.on(PutLogEventsCommand).resolves({});
});

const post = (path: string, body: Uint8Array): APIGatewayProxyEvent =>
  ({
    resource: path,
    path,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'x-api-key': 'k' },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: 'apigw-1' },
  }) as unknown as APIGatewayProxyEvent;

const resource = {
  attributes: [
    { key: 'service.name', value: { stringValue: 'inference' } },
    { key: 'deployment.environment', value: { stringValue: 'prod' } },
  ],
};
const nowNs = () => `${BigInt(Date.now()) * 1_000_000n}`;

describe('Handler: ingest-otlp-metrics', () => {
  it('writes the translated series and target_info to Timestream and answers 200 in protobuf', async () => {
    // Prepare
    const request = otlpTypes.metricsRequest.fromObject({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'gpu.memory.used',
                  unit: 'By',
                  gauge: { dataPoints: [{ asInt: 1024, timeUnixNano: nowNs() }] },
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const { handler } = await import('../../../lambdas/handlers/ingest-otlp-metrics');
    const res = await handler(
      post('/v1/metrics', otlpTypes.metricsRequest.encode(request).finish()),
      context,
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/x-protobuf');
    const records = tsw
      .commandCalls(WriteRecordsCommand)
      .flatMap((c) =>
        (c.args[0].input.Records ?? []).map((r) => ({
          name: r.MeasureName,
          value: r.MeasureValue,
          dims: Object.fromEntries(
            [...(c.args[0].input.CommonAttributes?.Dimensions ?? []), ...(r.Dimensions ?? [])].map(
              (d) => [d.Name, d.Value],
            ),
          ),
        })),
      )
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(records).toEqual([
      {
        name: 'gpu_memory_used_bytes',
        value: '1024',
        dims: { job: 'inference', deployment_environment: 'prod' },
      },
      {
        name: 'target_info',
        value: '1',
        dims: { job: 'inference', deployment_environment: 'prod' },
      },
    ]);
  });
});

describe('Handler: ingest-otlp-logs', () => {
  it('puts the records into the service log group through CloudWatch Logs', async () => {
    // Prepare
    const request = otlpTypes.logsRequest.fromObject({
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: nowNs(),
                  severityNumber: 17,
                  body: { stringValue: 'inference failed' },
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const { handler } = await import('../../../lambdas/handlers/ingest-otlp-logs');
    const res = await handler(
      post('/v1/logs', otlpTypes.logsRequest.encode(request).finish()),
      context,
    );

    // Assess
    expect(res.statusCode).toBe(200);
    const puts = cwl.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.logGroupName)).toEqual(['/vigil/test/default']);
    const message = JSON.parse(puts[0]?.logEvents?.[0]?.message ?? '{}');
    expect(message).toMatchObject({
      service: 'inference',
      level: 'ERROR',
      message: 'inference failed',
      resource: { 'deployment.environment': 'prod' },
    });
  });
});
