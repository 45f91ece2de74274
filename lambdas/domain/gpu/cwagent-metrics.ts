/**
 * The CloudWatch agent's NVIDIA GPU metrics as they appear in CloudWatch, and the Prometheus-style
 * series Vigil imports them as. One table, shared by the agent configuration (`measurement`), the
 * import (GetMetricData → series), the GPU alarms and the GPU dashboard.
 *
 * CloudWatch side: the agent's `nvidia_gpu` section publishes `nvidia_smi_<measurement>` in the
 * namespace `CWAgent` (the agent's default), with no CloudWatch unit, dimensions `index`, `name`,
 * `host`, plus whatever `append_dimensions` adds (Vigil's configuration adds `InstanceId` and
 * `InstanceType`).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-NVIDIA-GPU.html
 * The fields come from Telegraf's `nvidia_smi` input (the agent embeds it): memory in MiB
 * (nvidia-smi's "MiB", the AWS page says "MB"), power in W, temperature in °C, clocks in MHz.
 * @see https://github.com/influxdata/telegraf/tree/master/plugins/inputs/nvidia_smi
 *
 * Prometheus side: names follow the Prometheus naming conventions (base units: bytes, hertz,
 * celsius, watts; `_percent` kept for the 0–100 utilisation gauges as nvidia-smi reports them, the
 * same as dcgm-exporter's `DCGM_FI_DEV_GPU_UTIL`) and labels `instance_id`, `instance_type`,
 * `gpu_index`, `gpu_name`, `host`.
 * @see https://prometheus.io/docs/practices/naming/#base-units
 */

/** The CloudWatch namespace the agent publishes to by default (`metrics.namespace`). */
const CWAGENT_NAMESPACE = 'CWAgent';

/** The prefix the agent puts before each `nvidia_gpu` measurement name. */
const NVIDIA_SMI_PREFIX = 'nvidia_smi_';

/** Dimensions every `nvidia_gpu` metric carries (AWS doc above). */
const GPU_DIMENSIONS = {
  /** NVML index of the device, `0`, `1`, … */
  index: 'index',
  /** GPU model, e.g. `NVIDIA A10G`. */
  name: 'name',
  /** The server's host name. */
  host: 'host',
  /** Appended by `append_dimensions` `${aws:InstanceId}`. */
  instanceId: 'InstanceId',
  /** Appended by `append_dimensions` `${aws:InstanceType}`. */
  instanceType: 'InstanceType',
} as const;

/** Prometheus label for each CloudWatch dimension. */
const GPU_LABELS = {
  index: 'gpu_index',
  name: 'gpu_name',
  host: 'host',
  InstanceId: 'instance_id',
  InstanceType: 'instance_type',
} as const satisfies Record<string, string>;

/** Factors that convert a CloudWatch value (agent unit) to the Prometheus base unit. */
const MIB_TO_BYTES = 1024 * 1024;
const MHZ_TO_HERTZ = 1_000_000;
const MICROSECONDS_TO_SECONDS = 1e-6;

/** One agent measurement: the field in `nvidia_gpu.measurement`, its CloudWatch and Prometheus names. */
interface GpuMetric {
  /** Field name in the agent configuration's `nvidia_gpu.measurement`. */
  readonly measurement: string;
  /** Metric name in CloudWatch (`nvidia_smi_<measurement>`). */
  readonly cloudWatchName: string;
  /** Series name Vigil imports it as. */
  readonly promName: string;
  /** Unit the agent reports. */
  readonly sourceUnit: string;
  /** Multiply the CloudWatch value by this to get the Prometheus value. */
  readonly factor: number;
  /** One-line description (the `# HELP`-style text). */
  readonly help: string;
}

const metric = (
  measurement: string,
  promName: string,
  sourceUnit: string,
  factor: number,
  help: string,
): GpuMetric => ({
  measurement,
  cloudWatchName: `${NVIDIA_SMI_PREFIX}${measurement}`,
  promName,
  sourceUnit,
  factor,
  help,
});

/**
 * Every `nvidia_gpu` measurement the agent documents, in the AWS doc's order.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-NVIDIA-GPU.html
 */
const GPU_METRICS: readonly GpuMetric[] = [
  metric(
    'utilization_gpu',
    'gpu_utilization_percent',
    '%',
    1,
    'Percent of time one or more kernels were running on the GPU.',
  ),
  metric('temperature_gpu', 'gpu_temperature_celsius', '°C', 1, 'GPU core temperature.'),
  metric(
    'power_draw',
    'gpu_power_draw_watts',
    'W',
    1,
    'Last measured power draw of the whole board.',
  ),
  metric(
    'utilization_memory',
    'gpu_memory_utilization_percent',
    '%',
    1,
    'Percent of time device memory was read or written.',
  ),
  metric(
    'fan_speed',
    'gpu_fan_speed_percent',
    '%',
    1,
    'Intended fan speed as a percent of its maximum.',
  ),
  metric('memory_total', 'gpu_memory_total_bytes', 'MiB', MIB_TO_BYTES, 'Total GPU memory.'),
  metric('memory_used', 'gpu_memory_used_bytes', 'MiB', MIB_TO_BYTES, 'GPU memory used.'),
  metric('memory_free', 'gpu_memory_free_bytes', 'MiB', MIB_TO_BYTES, 'GPU memory free.'),
  metric(
    'pcie_link_gen_current',
    'gpu_pcie_link_gen',
    'generation',
    1,
    'Current PCIe link generation.',
  ),
  metric('pcie_link_width_current', 'gpu_pcie_link_width', 'lanes', 1, 'Current PCIe link width.'),
  metric(
    'encoder_stats_session_count',
    'gpu_encoder_sessions',
    'count',
    1,
    'Current number of encoder sessions.',
  ),
  metric(
    'encoder_stats_average_fps',
    'gpu_encoder_average_fps',
    'frames/s',
    1,
    'Moving average of encoded frames per second.',
  ),
  metric(
    'encoder_stats_average_latency',
    'gpu_encoder_average_latency_seconds',
    'µs',
    MICROSECONDS_TO_SECONDS,
    'Moving average of the encode latency.',
  ),
  metric(
    'clocks_current_graphics',
    'gpu_clock_graphics_hertz',
    'MHz',
    MHZ_TO_HERTZ,
    'Current graphics (shader) clock.',
  ),
  metric(
    'clocks_current_sm',
    'gpu_clock_sm_hertz',
    'MHz',
    MHZ_TO_HERTZ,
    'Current streaming multiprocessor clock.',
  ),
  metric(
    'clocks_current_memory',
    'gpu_clock_memory_hertz',
    'MHz',
    MHZ_TO_HERTZ,
    'Current memory clock.',
  ),
  metric(
    'clocks_current_video',
    'gpu_clock_video_hertz',
    'MHz',
    MHZ_TO_HERTZ,
    'Current video (encoder plus decoder) clock.',
  ),
];

/** The CloudWatch metric names, keyed by measurement, for dashboards and alarms. */
const CW_GPU_METRIC = {
  utilizationGpu: 'nvidia_smi_utilization_gpu',
  utilizationMemory: 'nvidia_smi_utilization_memory',
  temperatureGpu: 'nvidia_smi_temperature_gpu',
  powerDraw: 'nvidia_smi_power_draw',
  fanSpeed: 'nvidia_smi_fan_speed',
  memoryTotal: 'nvidia_smi_memory_total',
  memoryUsed: 'nvidia_smi_memory_used',
  memoryFree: 'nvidia_smi_memory_free',
  clocksCurrentGraphics: 'nvidia_smi_clocks_current_graphics',
  clocksCurrentSm: 'nvidia_smi_clocks_current_sm',
  clocksCurrentMemory: 'nvidia_smi_clocks_current_memory',
  clocksCurrentVideo: 'nvidia_smi_clocks_current_video',
} as const;

/** The Prometheus series names, keyed like {@link CW_GPU_METRIC}. */
const PROM_GPU_METRIC = {
  utilizationGpu: 'gpu_utilization_percent',
  utilizationMemory: 'gpu_memory_utilization_percent',
  temperatureGpu: 'gpu_temperature_celsius',
  powerDraw: 'gpu_power_draw_watts',
  fanSpeed: 'gpu_fan_speed_percent',
  memoryTotal: 'gpu_memory_total_bytes',
  memoryUsed: 'gpu_memory_used_bytes',
  memoryFree: 'gpu_memory_free_bytes',
  clocksCurrentGraphics: 'gpu_clock_graphics_hertz',
  clocksCurrentSm: 'gpu_clock_sm_hertz',
  clocksCurrentMemory: 'gpu_clock_memory_hertz',
  clocksCurrentVideo: 'gpu_clock_video_hertz',
} as const;

/** Lookup of a metric by its CloudWatch name (`nvidia_smi_…`). */
const gpuMetricByCloudWatchName = (name: string): GpuMetric | undefined =>
  GPU_METRICS.find((m) => m.cloudWatchName === name);

/** Lookup of a metric by its agent measurement field (`utilization_gpu`). */
const gpuMetricByMeasurement = (measurement: string): GpuMetric | undefined =>
  GPU_METRICS.find((m) => m.measurement === measurement);

export type { GpuMetric };
export {
  CW_GPU_METRIC,
  CWAGENT_NAMESPACE,
  GPU_DIMENSIONS,
  GPU_LABELS,
  GPU_METRICS,
  MHZ_TO_HERTZ,
  MIB_TO_BYTES,
  NVIDIA_SMI_PREFIX,
  PROM_GPU_METRIC,
  gpuMetricByCloudWatchName,
  gpuMetricByMeasurement,
};
