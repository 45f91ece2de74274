import type { ConfigIssue } from '../config/validate';

/** Topic severities a GPU alarm can notify (the AlertTopics topics). */
const GPU_ALARM_SEVERITIES = ['critical', 'warning', 'info'] as const;
type GpuAlarmSeverity = (typeof GPU_ALARM_SEVERITIES)[number];

/** One threshold alarm on every GPU. */
interface GpuThresholdAlarm {
  /** Create the alarm. @default true */
  readonly enabled: boolean;
  /** The threshold, in the alarm's unit (°C, %). */
  readonly threshold: number;
  /** Minutes the condition must hold (one datapoint a minute, or every 5 minutes for idle). */
  readonly minutes: number;
  /** Topic the alarm notifies. */
  readonly severity: GpuAlarmSeverity;
}

/** `gpu:` in vigil.config.yaml: GPU instances reporting through the CloudWatch agent. */
interface GpuConfig {
  /** Create the agent configuration, the associations, alarms and the import. @default false */
  readonly enabled: boolean;
  /** Instances with this tag key and value get the agent and its configuration. @default vigil:gpu = "true" */
  readonly instanceTag: { readonly key: string; readonly value: string };
  /** `agent.metrics_collection_interval`, seconds. @default 60 */
  readonly collectionIntervalSeconds: number;
  /** Create an IAM role and instance profile for the GPU instances. @default true */
  readonly createInstanceRole: boolean;
  /** Import `CWAgent` GPU metrics into the series store. */
  readonly import: { readonly enabled: boolean; readonly scheduleMinutes: number };
  readonly alarms: {
    /** `nvidia_smi_temperature_gpu` above `threshold` °C. @default 85 °C for 5 min → critical */
    readonly temperature: GpuThresholdAlarm;
    /** GPU memory used above `threshold` % of total. @default 95 % for 5 min → warning */
    readonly memoryUsed: GpuThresholdAlarm;
    /** `nvidia_smi_utilization_gpu` below `threshold` % while the instance reports. @default 5 % for 60 min → info */
    readonly idle: GpuThresholdAlarm;
  };
}

const DEFAULT_GPU_CONFIG: GpuConfig = {
  enabled: false,
  instanceTag: { key: 'vigil:gpu', value: 'true' },
  collectionIntervalSeconds: 60,
  createInstanceRole: true,
  import: { enabled: true, scheduleMinutes: 5 },
  alarms: {
    temperature: { enabled: true, threshold: 85, minutes: 5, severity: 'critical' },
    memoryUsed: { enabled: true, threshold: 95, minutes: 5, severity: 'warning' },
    idle: { enabled: true, threshold: 5, minutes: 60, severity: 'info' },
  },
};

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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const ALARM_UNITS = { temperature: '°C', memoryUsed: '%', idle: '%' } as const;

/**
 * Validates `gpu:`; every problem is returned with its path.
 * @example validateGpuConfig({ enabled: true, instanceTag: { key: 'team', value: 'ml' } })
 */
const validateGpuConfig = (
  raw: unknown,
  path = 'gpu',
): { config: GpuConfig; issues: ConfigIssue[] } => {
  const issues: ConfigIssue[] = [];
  const fail = (p: string, message: string) => issues.push({ path: p, message });
  if (raw === undefined || raw === null) return { config: DEFAULT_GPU_CONFIG, issues };
  if (!isObj(raw)) {
    fail(path, 'must be a mapping');
    return { config: DEFAULT_GPU_CONFIG, issues };
  }
  const unknown = (o: Obj, allowed: readonly string[], p: string) => {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        fail(`${p}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
  };
  const section = (o: Obj, key: string, p: string): Obj => {
    const v = o[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      fail(p, 'must be a mapping');
      return {};
    }
    return v;
  };
  const bool = (o: Obj, key: string, p: string, def: boolean): boolean => {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      fail(p, 'must be true or false');
      return def;
    }
    return v;
  };
  const num = (
    o: Obj,
    key: string,
    p: string,
    def: number,
    min: number,
    max: number,
    integer: boolean,
  ): number => {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      fail(p, `must be ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
      return def;
    }
    if (v < min || v > max) {
      fail(p, `must be between ${min} and ${max}, got ${v}`);
      return def;
    }
    return v;
  };

  unknown(
    raw,
    [
      'enabled',
      'instanceTag',
      'collectionIntervalSeconds',
      'createInstanceRole',
      'import',
      'alarms',
    ],
    path,
  );
  const d = DEFAULT_GPU_CONFIG;

  const tag = section(raw, 'instanceTag', `${path}.instanceTag`);
  unknown(tag, ['key', 'value'], `${path}.instanceTag`);
  let key = d.instanceTag.key;
  if (tag.key !== undefined) {
    if (
      typeof tag.key !== 'string' ||
      tag.key.length < 1 ||
      tag.key.length > TAG_KEY_MAX ||
      tag.key.startsWith('aws:')
    )
      fail(
        `${path}.instanceTag.key`,
        `must be a tag key of 1-${TAG_KEY_MAX} characters not starting with aws:`,
      );
    else key = tag.key;
  }
  let value = d.instanceTag.value;
  if (tag.value !== undefined) {
    if (typeof tag.value !== 'string' || tag.value.length < 1 || tag.value.length > TAG_VALUE_MAX)
      fail(
        `${path}.instanceTag.value`,
        `must be a string of 1-${TAG_VALUE_MAX} characters (State Manager targets need a value)`,
      );
    else value = tag.value;
  }

  let collectionIntervalSeconds = d.collectionIntervalSeconds;
  const ci = raw.collectionIntervalSeconds;
  if (ci !== undefined) {
    if (!COLLECTION_INTERVALS.includes(ci as (typeof COLLECTION_INTERVALS)[number]))
      fail(
        `${path}.collectionIntervalSeconds`,
        `must be one of ${COLLECTION_INTERVALS.join(', ')}, got ${JSON.stringify(ci)}`,
      );
    else collectionIntervalSeconds = ci as number;
  }

  const imp = section(raw, 'import', `${path}.import`);
  unknown(imp, ['enabled', 'scheduleMinutes'], `${path}.import`);

  const alarmsRaw = section(raw, 'alarms', `${path}.alarms`);
  unknown(alarmsRaw, ['temperature', 'memoryUsed', 'idle'], `${path}.alarms`);
  const alarm = (name: keyof GpuConfig['alarms'], max: number): GpuThresholdAlarm => {
    const p = `${path}.alarms.${name}`;
    const o = section(alarmsRaw, name, p);
    unknown(o, ['enabled', 'threshold', 'minutes', 'severity'], p);
    const def = d.alarms[name];
    let severity = def.severity;
    if (o.severity !== undefined) {
      if (!GPU_ALARM_SEVERITIES.includes(o.severity as GpuAlarmSeverity))
        fail(`${p}.severity`, `must be one of ${GPU_ALARM_SEVERITIES.join(', ')}`);
      else severity = o.severity as GpuAlarmSeverity;
    }
    const minutes = num(o, 'minutes', `${p}.minutes`, def.minutes, 1, MAX_ALARM_MINUTES, true);
    // Idle is evaluated on 5-minute periods.
    if (name === 'idle' && minutes % 5 !== 0)
      fail(`${p}.minutes`, `must be a multiple of 5, got ${minutes}`);
    return {
      enabled: bool(o, 'enabled', `${p}.enabled`, def.enabled),
      threshold: num(o, 'threshold', `${p}.threshold`, def.threshold, 0, max, false),
      minutes,
      severity,
    };
  };

  const config: GpuConfig = {
    enabled: bool(raw, 'enabled', `${path}.enabled`, d.enabled),
    instanceTag: { key, value },
    collectionIntervalSeconds,
    createInstanceRole: bool(
      raw,
      'createInstanceRole',
      `${path}.createInstanceRole`,
      d.createInstanceRole,
    ),
    import: {
      enabled: bool(imp, 'enabled', `${path}.import.enabled`, d.import.enabled),
      // EventBridge rate(): whole minutes; at most a day (one GetMetricData window stays small).
      scheduleMinutes: num(
        imp,
        'scheduleMinutes',
        `${path}.import.scheduleMinutes`,
        d.import.scheduleMinutes,
        1,
        1440,
        true,
      ),
    },
    alarms: {
      temperature: alarm('temperature', 150),
      memoryUsed: alarm('memoryUsed', 100),
      idle: alarm('idle', 100),
    },
  };
  return { config, issues };
};

export type { GpuAlarmSeverity, GpuConfig, GpuThresholdAlarm };
export {
  ALARM_UNITS,
  COLLECTION_INTERVALS,
  DEFAULT_GPU_CONFIG,
  GPU_ALARM_SEVERITIES,
  MAX_ALARM_MINUTES,
  validateGpuConfig,
};
