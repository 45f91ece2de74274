import { NoopCardinalityTracker } from '../../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import type {
  CloudWatchMetricData,
  CloudWatchMetricRef,
  ImportWindow,
} from '../../../../lambdas/domain/gpu/import-mapping';
import { importGpuMetrics } from '../../../../lambdas/domain/gpu/gpu-import';
import { runtimeConfigOf, validateConfig } from '../../../../lambdas/domain/config/validate';
import type { CardinalityTracker } from '../../../../lambdas/domain/ports';
import type { GpuMetricSource } from '../../../../lambdas/domain/gpu/gpu-metric-source';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';
import { RecordingMetricsMirror } from '../../../helpers/recording-metrics-mirror';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const GPU = { index: '0', name: 'NVIDIA L4', InstanceId: 'i-1', InstanceType: 'g6.xlarge' };

class FixedSource implements GpuMetricSource {
  readonly fetched: { metrics: readonly CloudWatchMetricRef[]; window: ImportWindow }[] = [];
  constructor(
    private readonly metrics: CloudWatchMetricRef[],
    private readonly data: (w: ImportWindow) => CloudWatchMetricData[],
  ) {}
  async discover() {
    return this.metrics;
  }
  async fetch(metrics: readonly CloudWatchMetricRef[], window: ImportWindow) {
    this.fetched.push({ metrics, window });
    return this.data(window);
  }
}

const admitAll: CardinalityTracker = new NoopCardinalityTracker();

describe('Feature: scheduled GPU import', () => {
  it('writes the imported series through the ingest pipeline and mirror', async () => {
    // Prepare
    const util = { metricName: 'nvidia_smi_utilization_gpu', dimensions: GPU };
    const source = new FixedSource(
      [util, { metricName: 'nvidia_smi_utilization_gpu', dimensions: { InstanceId: 'i-1' } }],
      (w) => [
        { metric: util, timestampsMs: [w.endMs - 120_000, w.endMs - 60_000], values: [40, 55] },
      ],
    );
    const store = new InMemorySeriesStore();
    const mirror = new RecordingMetricsMirror();
    const config = runtimeConfigOf(validateConfig({}).config);

    // Act
    const summary = await importGpuMetrics(
      {
        source,
        ingest: { store, cardinality: admitAll, mirror },
        config,
        scheduleMinutes: 5,
        periodSeconds: 60,
      },
      NOW,
    );

    // Assess
    expect(summary).toMatchObject({ metrics: 1, series: 1, accepted: 2, rejected: [] });
    expect(source.fetched[0]?.metrics).toEqual([util]);
    const stored = await store.select(
      [{ name: '__name__', op: '=', value: 'gpu_utilization_percent' }],
      { startMs: NOW - 3_600_000, endMs: NOW },
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.labels).toMatchObject({
      instance_id: 'i-1',
      gpu_index: '0',
      gpu_name: 'NVIDIA L4',
    });
    expect(stored[0]?.samples.map((s) => s.v)).toEqual([40, 55]);
    expect(mirror.calls).toHaveLength(1);
  });

  it('does not read data when no GPU reports', async () => {
    // Prepare
    const source = new FixedSource([], () => []);
    const config = runtimeConfigOf(validateConfig({}).config);

    // Act
    const summary = await importGpuMetrics(
      {
        source,
        ingest: {
          store: new InMemorySeriesStore(),
          cardinality: admitAll,
          mirror: new RecordingMetricsMirror(),
        },
        config,
        scheduleMinutes: 5,
        periodSeconds: 60,
      },
      NOW,
    );

    // Assess
    expect(summary.metrics).toBe(0);
    expect(source.fetched).toEqual([]);
  });
});
