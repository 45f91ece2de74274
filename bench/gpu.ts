/**
 * GPU import figures: one scheduled run for fleets of 8, 64 and 500 GPUs (the
 * CloudWatch NVIDIA solution's stated maximum per region), through the real `CwAgentGpuSource`
 * against a stub `CloudWatchClient` (ListMetrics pages of 500, GetMetricData answering every
 * query with the window's datapoints), the real mapping and the real ingest pipeline on the
 * in-memory store. Prints API calls per run, samples written and the run time (median).
 *
 * Run alone: `npx tsx bench/gpu.ts`.
 */
import { NoopCardinalityTracker } from '../lambdas/adapters/cardinality/noop-cardinality-tracker';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { MemorySeriesStore } from '../lambdas/adapters/storage/memory-series-store';
import { CwAgentGpuSource } from '../lambdas/adapters/cloudwatch/cwagent-gpu-source';
import { runtimeConfigOf, validateConfig } from '../lambdas/domain/config/validate';
import { GPU_METRICS } from '../lambdas/domain/gpu/cwagent-metrics';
import { importGpuMetrics } from '../lambdas/domain/gpu/gpu-import';
import type { CardinalityTracker, MetricsMirror } from '../lambdas/domain/ports';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const LIST_PAGE = 500;

interface GpuFigure {
  readonly gpus: number;
  readonly metrics: number;
  readonly listCalls: number;
  readonly getCalls: number;
  readonly samples: number;
  readonly medianMs: number;
}

/** A CloudWatch client whose `send` answers ListMetrics and GetMetricData from memory. */
const stubClient = (gpus: number, counts: { list: number; get: number }): CloudWatchClient => {
  const all: {
    Namespace: string;
    MetricName: string;
    Dimensions: { Name: string; Value: string }[];
  }[] = [];
  for (let g = 0; g < gpus; g++) {
    for (const m of GPU_METRICS) {
      all.push({
        Namespace: 'CWAgent',
        MetricName: m.cloudWatchName,
        Dimensions: [
          { Name: 'index', Value: String(g % 8) },
          { Name: 'name', Value: 'NVIDIA A10G' },
          { Name: 'host', Value: `ip-10-0-${g >> 3}` },
          { Name: 'InstanceId', Value: `i-${(g >> 3).toString(16).padStart(17, '0')}` },
          { Name: 'InstanceType', Value: 'g5.48xlarge' },
        ],
      });
    }
  }
  const send = async (command: {
    constructor: { name: string };
    input: Record<string, unknown>;
  }) => {
    if (command.constructor.name === 'ListMetricsCommand') {
      counts.list++;
      const start = Number(command.input.NextToken ?? 0);
      const next = start + LIST_PAGE;
      return {
        Metrics: all.slice(start, next),
        NextToken: next < all.length ? String(next) : undefined,
      };
    }
    counts.get++;
    const start = (command.input.StartTime as Date).getTime();
    const end = (command.input.EndTime as Date).getTime();
    const stamps: Date[] = [];
    for (let t = start; t < end; t += 60_000) stamps.push(new Date(t));
    const queries = command.input.MetricDataQueries as { Id: string }[];
    return {
      MetricDataResults: queries.map((q, i) => ({
        Id: q.Id,
        Timestamps: stamps,
        Values: stamps.map(() => 40 + i),
      })),
    };
  };
  return { send } as unknown as CloudWatchClient;
};

const admitAll: CardinalityTracker = new NoopCardinalityTracker();
const noMirror: MetricsMirror = { mirror: async () => undefined };

/** One import run per fleet size. */
const runGpuBench = async (opts: RepeatOptions): Promise<GpuFigure[]> => {
  const config = runtimeConfigOf(validateConfig({}).config);
  const figures: GpuFigure[] = [];
  for (const gpus of [8, 64, 500]) {
    const counts = { list: 0, get: 0 };
    const source = new CwAgentGpuSource({ client: stubClient(gpus, counts) });
    let last = { metrics: 0, accepted: 0 };
    const times = await timeRuns(async () => {
      counts.list = 0;
      counts.get = 0;
      const deps = {
        source,
        ingest: { store: new MemorySeriesStore(), cardinality: admitAll, mirror: noMirror },
        config,
        scheduleMinutes: 5,
        periodSeconds: 60,
      };
      last = await importGpuMetrics(deps, NOW);
    }, opts);
    figures.push({
      gpus,
      metrics: last.metrics,
      listCalls: counts.list,
      getCalls: counts.get,
      samples: last.accepted,
      medianMs: median(times),
    });
  }
  return figures;
};

const formatGpuFigures = (figures: readonly GpuFigure[]): string =>
  table([
    [
      'GPUs',
      'metrics',
      'ListMetrics calls',
      'GetMetricData calls',
      'samples written',
      'run (median)',
    ],
    ...figures.map((f) => [
      fmt(f.gpus),
      fmt(f.metrics),
      fmt(f.listCalls),
      fmt(f.getCalls),
      fmt(f.samples),
      fmtMs(f.medianMs),
    ]),
  ]);

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatGpuFigures(await runGpuBench({ warmup: 1, repeats: 5 })));
}

export { formatGpuFigures, runGpuBench };
