import {
  batchBySamples,
  importWindow,
  labelsOf,
  toImportedSeries,
} from '../../../../lambdas/domain/gpu/import-mapping';

const GPU0 = {
  index: '0',
  name: 'NVIDIA A10G',
  host: 'ip-10-0-1-5.ec2.internal',
  InstanceId: 'i-0abc',
  InstanceType: 'g5.xlarge',
};
const T0 = Date.UTC(2026, 10, 25, 12, 0);

describe('Feature: CWAgent GPU metrics as Prometheus series', () => {
  it('maps names and dimensions to Prometheus names and labels', () => {
    // Act
    const labels = labelsOf({ metricName: 'nvidia_smi_utilization_gpu', dimensions: GPU0 });

    // Assess
    expect(labels).toEqual({
      __name__: 'gpu_utilization_percent',
      gpu_index: '0',
      gpu_name: 'NVIDIA A10G',
      host: 'ip-10-0-1-5.ec2.internal',
      instance_id: 'i-0abc',
      instance_type: 'g5.xlarge',
    });
  });

  it('snake-cases unknown dimensions and skips metrics that are not per-GPU', () => {
    // Act
    const extra = labelsOf({
      metricName: 'nvidia_smi_power_draw',
      dimensions: { index: '1', AutoScalingGroupName: 'gpu-asg' },
    });
    const rollUp = labelsOf({
      metricName: 'nvidia_smi_power_draw',
      dimensions: { InstanceId: 'i-1' },
    });
    const other = labelsOf({ metricName: 'mem_used_percent', dimensions: GPU0 });

    // Assess
    expect(extra).toEqual({
      __name__: 'gpu_power_draw_watts',
      gpu_index: '1',
      auto_scaling_group_name: 'gpu-asg',
    });
    expect(rollUp).toBeUndefined();
    expect(other).toBeUndefined();
  });

  it('converts MiB to bytes, sorts samples and derives memory used percent', () => {
    // Act
    const series = toImportedSeries([
      {
        metric: { metricName: 'nvidia_smi_memory_used', dimensions: GPU0 },
        timestampsMs: [T0 + 60_000, T0],
        values: [12_000, 6_000],
      },
      {
        metric: { metricName: 'nvidia_smi_memory_total', dimensions: GPU0 },
        timestampsMs: [T0, T0 + 60_000],
        values: [24_000, 24_000],
      },
      {
        metric: { metricName: 'nvidia_smi_fan_speed', dimensions: GPU0 },
        timestampsMs: [],
        values: [],
      },
    ]);

    // Assess
    const byName = Object.fromEntries(
      series.map((s) => [(s.labels as Record<string, string>).__name__, s]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'gpu_memory_total_bytes',
      'gpu_memory_used_bytes',
      'gpu_memory_used_percent',
    ]);
    expect(byName.gpu_memory_used_bytes?.samples).toEqual([
      { t: T0, v: 6_000 * 1024 * 1024 },
      { t: T0 + 60_000, v: 12_000 * 1024 * 1024 },
    ]);
    expect(byName.gpu_memory_used_percent?.samples).toEqual([
      { t: T0, v: 25 },
      { t: T0 + 60_000, v: 50 },
    ]);
    expect(byName.gpu_memory_used_percent?.labels).toMatchObject({
      instance_id: 'i-0abc',
      gpu_index: '0',
    });
  });

  it('reads two schedules plus 5 minutes, aligned to the period', () => {
    // Act
    const w = importWindow(T0 + 30_000, 5, 60);

    // Assess
    expect(w).toEqual({ startMs: T0 - 15 * 60_000, endMs: T0, periodSeconds: 60 });
  });

  it('splits series into batches within the per-request sample limit', () => {
    // Prepare
    const s = (n: number, name: string) => ({
      labels: { __name__: name },
      samples: Array.from({ length: n }, (_, i) => ({ t: T0 + i * 60_000, v: i })),
    });

    // Act
    const batches = batchBySamples([s(3, 'a'), s(4, 'b')], 5);

    // Assess
    expect(batches.map((b) => b.map((x) => [x.labels, x.samples.length]))).toEqual([
      [
        [{ __name__: 'a' }, 3],
        [{ __name__: 'b' }, 2],
      ],
      [[{ __name__: 'b' }, 2]],
    ]);
  });
});
