import { CwAgentGpuSource } from '../adapters/cloudwatch/cwagent-gpu-source';
import { EmfMetricsMirror } from '../adapters/mirror/emf-metrics-mirror';
import type { GpuImportDeps } from '../domain/gpu/gpu-import';
import {
  GPU_MEMORY_PERCENT_DIMENSIONS,
  GPU_MEMORY_USED_PERCENT,
} from '../domain/gpu/import-mapping';
import { awsApiDeps } from './aws-deps';
import { requireEnv } from '../shared/config';
import { ENV } from '../shared/env';

/**
 * The GPU import's dependencies on AWS: the CloudWatch agent source, and the ingest ports of the
 * HTTP endpoints (Timestream store, series index, EMF mirror). The mirror also carries
 * `gpu_memory_used_percent` by `instance_id` and `gpu_index`, the metric the GPU memory alarm
 * watches, on top of the configured allow-list.
 */
const awsGpuImportDeps = (): GpuImportDeps => {
  const api = awsApiDeps();
  const settings = JSON.parse(requireEnv(ENV.GPU_IMPORT, 'GPU import settings')) as {
    scheduleMinutes: number;
    periodSeconds: number;
  };
  const cloudwatch = {
    namespace: api.config.cloudwatch.namespace,
    mirror: [
      ...api.config.cloudwatch.mirror.filter((r) => r.metric !== GPU_MEMORY_USED_PERCENT),
      { metric: GPU_MEMORY_USED_PERCENT, dimensions: [...GPU_MEMORY_PERCENT_DIMENSIONS] },
    ],
  };
  return {
    source: new CwAgentGpuSource(),
    ingest: {
      store: api.store,
      cardinality: api.cardinality,
      mirror: new EmfMetricsMirror({ config: cloudwatch }),
    },
    config: api.config,
    scheduleMinutes: settings.scheduleMinutes,
    periodSeconds: settings.periodSeconds,
  };
};

export { awsGpuImportDeps };
