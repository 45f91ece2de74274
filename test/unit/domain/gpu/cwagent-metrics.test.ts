import {
  CW_GPU_METRIC,
  GPU_METRICS,
  gpuMetricByCloudWatchName,
  gpuMetricByMeasurement,
  PROM_GPU_METRIC,
} from '../../../../lambdas/domain/gpu/cwagent-metrics';
import { METRIC_NAME_RE } from '../../../../lambdas/domain/series/labels';

describe('Feature: CloudWatch agent nvidia_gpu metric names', () => {
  it('names every documented measurement nvidia_smi_<measurement> in CloudWatch', () => {
    // Act
    const names = GPU_METRICS.map((m) => [m.measurement, m.cloudWatchName]);

    // Assess: the 17 fields of the AWS "Collect NVIDIA GPU metrics" table
    expect(names).toHaveLength(17);
    expect(names).toContainEqual(['utilization_gpu', 'nvidia_smi_utilization_gpu']);
    expect(names).toContainEqual(['memory_used', 'nvidia_smi_memory_used']);
    expect(names).toContainEqual(['clocks_current_video', 'nvidia_smi_clocks_current_video']);
    for (const [measurement, cw] of names) expect(cw).toBe(`nvidia_smi_${measurement}`);
  });

  it('gives each a unique valid Prometheus name with a base-unit suffix where it has a unit', () => {
    // Act
    const prom = GPU_METRICS.map((m) => m.promName);

    // Assess
    expect(new Set(prom).size).toBe(prom.length);
    for (const n of prom) expect(n).toMatch(METRIC_NAME_RE);
    expect(gpuMetricByMeasurement('memory_used')).toMatchObject({
      promName: 'gpu_memory_used_bytes',
      factor: 1024 * 1024,
    });
    expect(gpuMetricByMeasurement('clocks_current_sm')).toMatchObject({
      promName: 'gpu_clock_sm_hertz',
      factor: 1e6,
    });
    expect(gpuMetricByMeasurement('temperature_gpu')?.promName).toBe('gpu_temperature_celsius');
  });

  it('keeps the keyed name maps consistent with the table', () => {
    // Act & Assess
    for (const key of Object.keys(CW_GPU_METRIC) as (keyof typeof CW_GPU_METRIC)[]) {
      expect(gpuMetricByCloudWatchName(CW_GPU_METRIC[key])?.promName).toBe(PROM_GPU_METRIC[key]);
    }
    expect(gpuMetricByCloudWatchName('mem_used_percent')).toBeUndefined();
  });
});
