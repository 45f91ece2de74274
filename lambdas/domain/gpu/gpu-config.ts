import type { ConfigIssue } from '../config/issues';
import { bool, fail, type Infer, int, runSchema, section, show, z } from '../config/schema-kit';

/** Topic severities a GPU alarm can notify (the AlertTopics topics). */
const GPU_ALARM_SEVERITIES = ['critical', 'warning', 'info'] as const;
type GpuAlarmSeverity = (typeof GPU_ALARM_SEVERITIES)[number];

/**
 * Intervals the CloudWatch agent accepts for `metrics_collection_interval` (seconds); below 60
 * the metrics are high-resolution (billed as such).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
 */
const COLLECTION_INTERVALS = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;

/**
 * Metrics Insights alarms evaluate only the latest 3 hours of data.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 */
const MAX_ALARM_MINUTES = 180;

/** Tag keys: 1-128 characters, `aws:` reserved; values: up to 256 (EC2 tag restrictions), here at least 1. */
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;

const ALARM_UNITS = { temperature: '°C', memoryUsed: '%', idle: '%' } as const;

/** A number in [min, max]. */
const num = (min: number, max: number) =>
  z
    .number({ error: (i) => `must be a number, got ${show(i.input)}` })
    .refine((v) => v >= min && v <= max, {
      error: (i) => `must be between ${min} and ${max}, got ${show(i.input)}`,
    });

/** One threshold alarm on every GPU; `every5` for alarms evaluated on 5-minute periods. */
const thresholdAlarm = (
  def: { threshold: number; minutes: number; severity: GpuAlarmSeverity },
  max: number,
  every5 = false,
) =>
  section({
    /** Create the alarm. */
    enabled: bool().default(true),
    /** The threshold, in the alarm's unit (°C, %). */
    threshold: num(0, max).default(def.threshold),
    /** Minutes the condition must hold (one datapoint a minute, or every 5 minutes for idle). */
    minutes: int(1, MAX_ALARM_MINUTES)
      .refine((m) => !every5 || m % 5 === 0, {
        error: (i) => `must be a multiple of 5, got ${show(i.input)}`,
      })
      .default(def.minutes),
    /** Topic the alarm notifies. */
    severity: z
      .enum(GPU_ALARM_SEVERITIES, { error: `must be one of ${GPU_ALARM_SEVERITIES.join(', ')}` })
      .default(def.severity),
  });

/** `gpu:` in vigil.config.yaml: GPU instances reporting through the CloudWatch agent. */
const gpuSchema = section({
  /** Create the agent configuration, the associations, alarms and the import. */
  enabled: bool().default(false),
  /** Instances with this tag key and value get the agent and its configuration. */
  instanceTag: section({
    key: z
      .unknown()
      .superRefine((k, ctx) => {
        if (typeof k !== 'string' || k.length < 1 || k.length > TAG_KEY_MAX || k.startsWith('aws:'))
          fail(ctx, `must be a tag key of 1-${TAG_KEY_MAX} characters not starting with aws:`);
      })
      .transform((k) => k as string)
      .default('vigil:gpu'),
    value: z
      .unknown()
      .superRefine((v, ctx) => {
        if (typeof v !== 'string' || v.length < 1 || v.length > TAG_VALUE_MAX)
          fail(
            ctx,
            `must be a string of 1-${TAG_VALUE_MAX} characters (State Manager targets need a value)`,
          );
      })
      .transform((v) => v as string)
      .default('true'),
  }),
  /** `agent.metrics_collection_interval`, seconds. */
  collectionIntervalSeconds: z
    .unknown()
    .superRefine((v, ctx) => {
      if (!COLLECTION_INTERVALS.includes(v as (typeof COLLECTION_INTERVALS)[number]))
        fail(ctx, `must be one of ${COLLECTION_INTERVALS.join(', ')}, got ${show(v)}`);
    })
    .transform((v) => v as number)
    .default(60),
  /** Create an IAM role and instance profile for the GPU instances. */
  createInstanceRole: bool().default(true),
  /** Import `CWAgent` GPU metrics into the series store. */
  import: section({
    enabled: bool().default(true),
    // EventBridge rate(): whole minutes; at most a day (one GetMetricData window stays small).
    scheduleMinutes: int(1, 1440).default(5),
  }),
  alarms: section({
    /** `nvidia_smi_temperature_gpu` above `threshold` °C: 85 °C for 5 min → critical by default. */
    temperature: thresholdAlarm({ threshold: 85, minutes: 5, severity: 'critical' }, 150),
    /** GPU memory used above `threshold` % of total: 95 % for 5 min → warning by default. */
    memoryUsed: thresholdAlarm({ threshold: 95, minutes: 5, severity: 'warning' }, 100),
    /** `nvidia_smi_utilization_gpu` below `threshold` % while the instance reports: 5 % for 60 min → info by default. */
    idle: thresholdAlarm({ threshold: 5, minutes: 60, severity: 'info' }, 100, true),
  }),
});

type GpuConfig = Infer<typeof gpuSchema>;
type GpuThresholdAlarm = GpuConfig['alarms']['temperature'];

const DEFAULT_GPU_CONFIG: GpuConfig = gpuSchema.parse(undefined);

/**
 * Validates `gpu:`; every problem is returned with its path.
 * @example validateGpuConfig({ enabled: true, instanceTag: { key: 'team', value: 'ml' } })
 */
const validateGpuConfig = (
  raw: unknown,
  path = 'gpu',
): { config: GpuConfig; issues: ConfigIssue[] } =>
  runSchema(gpuSchema, raw, path, () => DEFAULT_GPU_CONFIG as never);

export type { GpuAlarmSeverity, GpuConfig, GpuThresholdAlarm };
export {
  ALARM_UNITS,
  COLLECTION_INTERVALS,
  DEFAULT_GPU_CONFIG,
  GPU_ALARM_SEVERITIES,
  gpuSchema,
  MAX_ALARM_MINUTES,
  validateGpuConfig,
};
