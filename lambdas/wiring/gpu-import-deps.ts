import type { GpuImportDeps } from '../domain/gpu/gpu-import';
import {
  GPU_MEMORY_PERCENT_DIMENSIONS,
  GPU_MEMORY_USED_PERCENT,
} from '../domain/gpu/import-mapping';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { awsMirror } from './aws-deps';
import { deferred } from './deferred';
import { awsIngestPorts } from './ingest-deps';

/**
 * The GPU import's dependencies on AWS: the CloudWatch agent source, and the ingest ports of the
 * HTTP endpoints (Timestream store, series index, EMF mirror). The mirror also carries
 * `gpu_memory_used_percent` by `instance_id` and `gpu_index`, the metric the GPU memory alarm
 * watches, on top of the configured allow-list.
 */
const awsGpuImportDeps = (): GpuImportDeps => {
  const config = loadRuntimeConfig();
  const settings = JSON.parse(requireEnv(ENV.GPU_IMPORT, 'GPU import settings')) as {
    scheduleMinutes: number;
    periodSeconds: number;
  };
  const cloudwatch = {
    namespace: config.cloudwatch.namespace,
    mirror: [
      ...config.cloudwatch.mirror.filter((r) => r.metric !== GPU_MEMORY_USED_PERCENT),
      { metric: GPU_MEMORY_USED_PERCENT, dimensions: [...GPU_MEMORY_PERCENT_DIMENSIONS] },
    ],
  };
  return {
    source: deferred(
      async () =>
        new (await import('../adapters/cloudwatch/cwagent-gpu-source')).CwAgentGpuSource(),
      ['discover', 'fetch'],
    ),
    ingest: { ...awsIngestPorts(config), mirror: awsMirror(cloudwatch) },
    config: config,
    scheduleMinutes: settings.scheduleMinutes,
    periodSeconds: settings.periodSeconds,
  };
};

export { awsGpuImportDeps };
