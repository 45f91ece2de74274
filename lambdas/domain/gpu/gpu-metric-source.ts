import type { CloudWatchMetricData, CloudWatchMetricRef, ImportWindow } from './import-mapping';

/**
 * GPU metrics published by the CloudWatch agent (`CWAgent` namespace): ListMetrics discovery and
 * GetMetricData reads, for the scheduled import (`domain/gpu/gpu-import.ts`).
 */
export interface GpuMetricSource {
  /** Every recently active `nvidia_smi_*` metric with its dimensions. */
  discover(): Promise<CloudWatchMetricRef[]>;
  /** Datapoints of `metrics` over the window, one entry per metric. */
  fetch(
    metrics: readonly CloudWatchMetricRef[],
    window: ImportWindow,
  ): Promise<CloudWatchMetricData[]>;
}
