import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CwAgentGpuSource,
  GpuMetricSourceError,
  MAX_QUERIES_PER_CALL,
} from '../../../../lambdas/adapters/cloudwatch/cwagent-gpu-source';
import { StorageUnavailableError } from '../../../../lambdas/domain/errors';

const cw = mockClient(CloudWatchClient);
const source = () =>
  new CwAgentGpuSource({ client: new CloudWatchClient({ region: 'eu-west-1' }) });
const T0 = Date.UTC(2026, 10, 25, 12, 0);
const WINDOW = { startMs: T0 - 15 * 60_000, endMs: T0, periodSeconds: 60 };
const dims = (instance: string, index: string) => [
  { Name: 'index', Value: index },
  { Name: 'name', Value: 'NVIDIA A10G' },
  { Name: 'InstanceId', Value: instance },
];

beforeEach(() => cw.reset());

describe('Feature: CWAgent GPU metric source', () => {
  it('discovers nvidia_smi metrics across ListMetrics pages', async () => {
    // Prepare
    cw.on(ListMetricsCommand, { NextToken: undefined })
      .resolves({
        Metrics: [
          {
            Namespace: 'CWAgent',
            MetricName: 'nvidia_smi_temperature_gpu',
            Dimensions: dims('i-1', '0'),
          },
          {
            Namespace: 'CWAgent',
            MetricName: 'mem_used_percent',
            Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }],
          },
        ],
        NextToken: 'page-2',
      })
      .on(ListMetricsCommand, { NextToken: 'page-2' })
      .resolves({
        Metrics: [
          {
            Namespace: 'CWAgent',
            MetricName: 'nvidia_smi_memory_used',
            Dimensions: dims('i-2', '1'),
          },
        ],
      });

    // Act
    const metrics = await source().discover();

    // Assess
    expect(metrics).toEqual([
      {
        metricName: 'nvidia_smi_temperature_gpu',
        dimensions: { index: '0', name: 'NVIDIA A10G', InstanceId: 'i-1' },
      },
      {
        metricName: 'nvidia_smi_memory_used',
        dimensions: { index: '1', name: 'NVIDIA A10G', InstanceId: 'i-2' },
      },
    ]);
    const calls = cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Namespace: 'CWAgent', RecentlyActive: 'PT3H', NextToken: undefined },
      { Namespace: 'CWAgent', RecentlyActive: 'PT3H', NextToken: 'page-2' },
    ]);
  });

  it('reads datapoints with GetMetricData, following NextToken and chunking 500 queries a call', async () => {
    // Prepare
    const metrics = Array.from({ length: MAX_QUERIES_PER_CALL + 2 }, (_, i) => ({
      metricName: 'nvidia_smi_utilization_gpu',
      dimensions: { index: String(i % 8), InstanceId: `i-${Math.floor(i / 8)}` },
    }));
    cw.on(GetMetricDataCommand).callsFake(
      (input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => {
        const ids = input.MetricDataQueries.map((q) => q.Id as string);
        // The first chunk answers in two pages: first minute, then second minute.
        if (ids.length === MAX_QUERIES_PER_CALL && input.NextToken === undefined) {
          return {
            MetricDataResults: ids.map((Id) => ({
              Id,
              Timestamps: [new Date(T0 - 120_000)],
              Values: [10],
            })),
            NextToken: 'more',
          };
        }
        if (ids.length === MAX_QUERIES_PER_CALL) {
          return {
            MetricDataResults: ids.map((Id) => ({
              Id,
              Timestamps: [new Date(T0 - 60_000)],
              Values: [20],
            })),
          };
        }
        return {
          MetricDataResults: ids.map((Id) => ({
            Id,
            Timestamps: [new Date(T0 - 60_000)],
            Values: [30],
          })),
        };
      },
    );

    // Act
    const data = await source().fetch(metrics, WINDOW);

    // Assess
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.MetricDataQueries?.length, c.NextToken])).toEqual([
      [500, undefined],
      [500, 'more'],
      [2, undefined],
    ]);
    expect(calls[0]).toMatchObject({
      StartTime: new Date(WINDOW.startMs),
      EndTime: new Date(WINDOW.endMs),
      ScanBy: 'TimestampAscending',
    });
    expect(calls[0]?.MetricDataQueries?.[1]).toEqual({
      Id: 'm1',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'CWAgent',
          MetricName: 'nvidia_smi_utilization_gpu',
          Dimensions: [
            { Name: 'index', Value: '1' },
            { Name: 'InstanceId', Value: 'i-0' },
          ],
        },
        Period: 60,
        Stat: 'Average',
      },
    });
    expect(data).toHaveLength(502);
    expect(data[0]).toEqual({
      metric: metrics[0],
      timestampsMs: [T0 - 120_000, T0 - 60_000],
      values: [10, 20],
    });
    expect(data[501]).toEqual({ metric: metrics[501], timestampsMs: [T0 - 60_000], values: [30] });
  });

  it('turns SDK failures into GpuMetricSourceError naming the call', async () => {
    // Prepare
    cw.on(ListMetricsCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' }),
    );

    // Act
    const result = source().discover();

    // Assess
    await expect(result).rejects.toThrow(GpuMetricSourceError);
    await expect(result).rejects.toThrow(StorageUnavailableError);
    await expect(result).rejects.toThrow(
      'ListMetrics CWAgent failed: LimitExceededException: Rate exceeded',
    );
    await expect(result).rejects.toMatchObject({ name: 'GpuMetricSourceError' });
  });
});
