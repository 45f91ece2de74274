import { jest } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { ENV } from '../../../lambdas/shared/env';

const cw = mockClient(CloudWatchClient);
const ddb = mockClient(DynamoDBClient);
const tsw = mockClient(TimestreamWriteClient);
const DIMS = [
  { Name: 'index', Value: '0' },
  { Name: 'name', Value: 'NVIDIA A10G' },
  { Name: 'InstanceId', Value: 'i-0abc' },
];

const SAVED_ENV = { ...process.env };
afterAll(() => {
  process.env = SAVED_ENV;
});

describe('Handler: import-gpu-metrics', () => {
  it('imports CWAgent GPU metrics into Timestream and mirrors the memory percentage for the alarm', async () => {
    // Prepare
    process.env.AWS_REGION = 'eu-west-1';
    process.env[ENV.SAMPLES_DATABASE] = 'vigil-test';
    process.env[ENV.SAMPLES_TABLE] = 'samples';
    process.env[ENV.SERIES_INDEX_TABLE] = 'series-index';
    process.env[ENV.GPU_IMPORT] = JSON.stringify({ scheduleMinutes: 5, periodSeconds: 60 });
    process.env[ENV.RUNTIME_CONFIG] = JSON.stringify(runtimeConfigOf(validateConfig({}).config));
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        { Namespace: 'CWAgent', MetricName: 'nvidia_smi_memory_used', Dimensions: DIMS },
        { Namespace: 'CWAgent', MetricName: 'nvidia_smi_memory_total', Dimensions: DIMS },
      ],
    });
    const minuteAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
      MetricDataResults: input.MetricDataQueries.map((q) => ({
        Id: q.Id,
        Timestamps: [minuteAgo],
        Values: [q.MetricStat?.Metric?.MetricName === 'nvidia_smi_memory_used' ? 23_000 : 24_000],
      })),
    }));
    // An empty series index: every label and metric name is new to the samples table.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    tsw.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 3 } });
    const lines: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });

    // Act
    const { handler } = await import('../../../lambdas/handlers/import-gpu-metrics');
    const summary = await handler({ time: new Date().toISOString() } as ScheduledEvent);
    write.mockRestore();

    // Assess
    expect(summary).toMatchObject({ metrics: 2, series: 3, accepted: 3, rejected: 0 });
    const records = tsw
      .commandCalls(WriteRecordsCommand)
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => r.MeasureName);
    expect(records.sort()).toEqual([
      'gpu_memory_total_bytes',
      'gpu_memory_used_bytes',
      'gpu_memory_used_percent',
    ]);
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"') && l.includes('gpu_memory_used_percent'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ instance_id: 'i-0abc', gpu_index: '0' });
    expect(emf[0].gpu_memory_used_percent).toBe((23_000 / 24_000) * 100);
    // The namespace and dimensions the memory alarm's Metrics Insights query reads.
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Vigil',
      Dimensions: [['instance_id', 'gpu_index']],
    });
  });
});
