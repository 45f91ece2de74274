import { CWAGENT_NAMESPACE, GPU_METRICS } from './cwagent-metrics';
import type { GpuConfig } from './gpu-config';

/**
 * The CloudWatch agent configuration file Vigil stores in SSM Parameter Store and prints with
 * `vigil gpu-agent-config`. Field names as the agent documents them:
 * - `agent.metrics_collection_interval` (seconds, default for every section);
 * - `metrics.namespace` (default `CWAgent`), `metrics.append_dimensions` (only the
 *   `${aws:ImageId}`, `${aws:InstanceId}`, `${aws:InstanceType}`, `${aws:AutoScalingGroupName}`
 *   placeholders are supported);
 * - `metrics.metrics_collected.{nvidia_gpu,cpu,mem,disk}` each with `measurement`,
 *   `cpu.totalcpu`, `disk.resources`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-NVIDIA-GPU.html
 */
interface CloudWatchAgentConfig {
  readonly agent: { readonly metrics_collection_interval: number; readonly run_as_user: string };
  readonly metrics: {
    readonly namespace: string;
    readonly append_dimensions: Readonly<Record<string, string>>;
    readonly metrics_collected: {
      readonly nvidia_gpu: { readonly measurement: readonly string[] };
      readonly cpu: {
        readonly measurement: readonly string[];
        readonly totalcpu: boolean;
      };
      readonly mem: { readonly measurement: readonly string[] };
      readonly disk: {
        readonly measurement: readonly string[];
        readonly resources: readonly string[];
        readonly ignore_file_system_types: readonly string[];
      };
    };
  };
}

/**
 * `nvidia_gpu` measurements Vigil collects: every field the agent documents (17). Each one is a
 * CloudWatch custom metric per GPU; see docs/costs.md.
 */
const GPU_MEASUREMENTS: readonly string[] = GPU_METRICS.map((m) => m.measurement);

/** CPU, memory and disk of the agent's "basic" set, so GPU panels sit beside the host's load. */
const CPU_MEASUREMENTS = ['usage_idle', 'usage_iowait', 'usage_user', 'usage_system'] as const;
const MEM_MEASUREMENTS = ['mem_used_percent'] as const;
const DISK_MEASUREMENTS = ['used_percent'] as const;

/**
 * Builds the agent configuration for the given `gpu:` config. `append_dimensions` adds
 * `InstanceId` and `InstanceType` to every metric (the import and the alarms group by them). No
 * `aggregation_dimensions`: a roll-up would be one more custom metric per measurement and instance.
 *
 * @example JSON.stringify(buildAgentConfig(DEFAULT_GPU_CONFIG))
 */
const buildAgentConfig = (
  gpu: Pick<GpuConfig, 'collectionIntervalSeconds'>,
): CloudWatchAgentConfig => ({
  agent: {
    metrics_collection_interval: gpu.collectionIntervalSeconds,
    // nvidia-smi needs no privileges; root is the agent's default and reads every disk.
    run_as_user: 'root',
  },
  metrics: {
    namespace: CWAGENT_NAMESPACE,
    // The agent's own placeholders, substituted on the instance (not template strings).
    append_dimensions: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
      InstanceId: '${aws:InstanceId}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
      InstanceType: '${aws:InstanceType}',
    },
    metrics_collected: {
      nvidia_gpu: { measurement: GPU_MEASUREMENTS },
      cpu: { measurement: CPU_MEASUREMENTS, totalcpu: true },
      mem: { measurement: MEM_MEASUREMENTS },
      disk: {
        measurement: DISK_MEASUREMENTS,
        resources: ['/'],
        ignore_file_system_types: ['sysfs', 'devtmpfs', 'tmpfs', 'overlay'],
      },
    },
  },
});

/**
 * The configuration as stored in the SSM parameter: compact JSON (a Standard parameter holds at
 * most 4 KB). @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
const agentConfigJson = (gpu: Pick<GpuConfig, 'collectionIntervalSeconds'>, indent = 0): string =>
  JSON.stringify(buildAgentConfig(gpu), null, indent);

/** Largest value of a Standard-tier SSM parameter, bytes. */
const SSM_STANDARD_MAX_BYTES = 4096;

export type { CloudWatchAgentConfig };
export { agentConfigJson, buildAgentConfig, GPU_MEASUREMENTS, SSM_STANDARD_MAX_BYTES };
