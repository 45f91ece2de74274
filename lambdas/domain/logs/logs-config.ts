import type { ConfigIssue } from '../config/validate';
import { DEFAULT_GROUP_SERVICE } from './log-groups';
import { DEFAULT_PREDICTION_FIELD, DEFAULT_PREDICTION_VALUE } from './parse-log-events';

/** Timestream measure value types Vigil writes for prediction events. */
export const MeasureType = { Double: 'DOUBLE', Varchar: 'VARCHAR' } as const;
export type MeasureType = (typeof MeasureType)[keyof typeof MeasureType];

/** One event field stored as a measure of the prediction record. */
export interface LogMeasure {
  /** Dotted path into the event (`context.confidence`). */
  readonly field: string;
  /** Measure name in the `events` table. @default the last segment of `field` */
  readonly name: string;
  /** DOUBLE keeps numbers (a non-number is left out); VARCHAR stores any value as text. @default DOUBLE */
  readonly type: MeasureType;
}

/** Which events are predictions, and where their model and version are. */
export interface PredictionConfig {
  /** Top-level event key marking a prediction. @default 'event' */
  readonly field: string;
  /** Value of `field` that marks a prediction. @default 'prediction' */
  readonly value: string;
  /** Dotted paths of the model name, first present wins; the event's service when none is. @default ['model', 'context.model'] */
  readonly model: readonly string[];
  /** Dotted paths of the model version, first present wins; `unknown` when none is. @default ['model_version', 'context.model_version'] */
  readonly modelVersion: readonly string[];
}

/** Per-request limits of `POST /ingest/logs` and `POST /loki/api/v1/push`. See README "Limits". */
export interface LogLimits {
  /** Most events in one request (PutLogEvents takes 10,000 per call). @default 10000 */
  readonly maxEvents: number;
  /** Largest event, UTF-8 bytes of its JSON (CloudWatch: 1,048,576 per event minus 26 bytes overhead). @default 1048550 */
  readonly maxEventBytes: number;
  /** Largest request body, bytes (Lambda's 6 MB payload holds it base64-encoded). @default 4194304 */
  readonly maxBodyBytes: number;
}

/** `logs:` in vigil.config.yaml. */
export interface LogsConfig {
  /** Services with their own log group `/vigil/<project>/<service>`; others go to `/vigil/<project>/default`. @default [] */
  readonly services: readonly string[];
  /** Retention of the log groups, days (a CloudWatch Logs retention period). @default 30 */
  readonly retentionDays: number;
  readonly prediction: PredictionConfig;
  /** Fields of prediction events stored as measures in the `events` table. Undeclared fields stay in the log only. @default [] */
  readonly measures: readonly LogMeasure[];
  readonly limits: LogLimits;
}

/** Powertools Logger levels, for `logLevel:` (Vigil's own functions' POWERTOOLS_LOG_LEVEL). */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;
export type VigilLogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: VigilLogLevel = 'INFO';

/**
 * CloudWatch Logs: "The maximum batch size is 1,048,576 bytes. This size is calculated as the sum
 * of all event messages in UTF-8, plus 26 bytes for each log event."
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 */
export const CLOUDWATCH_MAX_EVENT_BYTES = 1_048_576 - 26;
/** PutLogEvents: "The maximum number of log events in a batch is 10,000." */
export const CLOUDWATCH_MAX_EVENTS_PER_BATCH = 10_000;
/** API Gateway passes binary bodies base64-encoded; Lambda's synchronous invoke payload is 6 MB. */
const MAX_BODY_BYTES = 4_500_000;
/**
 * Timestream: at most 256 measures in a multi-measure record (the `time` and dimension columns
 * aside); measure names at most 256 bytes.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
 */
const MAX_MEASURES = 256;
/** Dimensions of the `events` table, so no measure may take these names. */
export const EVENT_DIMENSIONS = ['service', 'model', 'model_version'] as const;
/** CloudWatch Logs accepts only these retention periods (days). @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];
/** A service that gets its own log group: CloudWatch's group-name characters, no `/`. */
const SERVICE_RE = /^[A-Za-z0-9._#-]{1,100}$/;
/** A dotted path of plain keys. */
const PATH_RE = /^[^.\s]+(\.[^.\s]+)*$/;
/** Timestream measure names: letters, digits, `_`, `-`, `.`; not starting with a reserved prefix. */
const MEASURE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

export const DEFAULT_LOGS_CONFIG: LogsConfig = {
  services: [],
  retentionDays: 30,
  prediction: {
    field: DEFAULT_PREDICTION_FIELD,
    value: DEFAULT_PREDICTION_VALUE,
    model: ['model', 'context.model'],
    modelVersion: ['model_version', 'context.model_version'],
  },
  measures: [],
  limits: {
    maxEvents: CLOUDWATCH_MAX_EVENTS_PER_BATCH,
    maxEventBytes: CLOUDWATCH_MAX_EVENT_BYTES,
    maxBodyBytes: 4 * 1024 * 1024,
  },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates `logs:`; every problem is returned with its path.
 * @example validateLogsConfig({ services: ['api', 'inference'], measures: [{ field: 'context.confidence' }] })
 */
const validateLogsConfig = (
  raw: unknown,
  path = 'logs',
): { config: LogsConfig; issues: ConfigIssue[] } => {
  const issues: ConfigIssue[] = [];
  const fail = (p: string, message: string) => issues.push({ path: p, message });
  const D = DEFAULT_LOGS_CONFIG;
  if (raw === undefined || raw === null) return { config: D, issues };
  if (!isObj(raw)) {
    fail(path, 'must be a mapping');
    return { config: D, issues };
  }
  const unknownKeys = (o: Obj, allowed: readonly string[], p: string) => {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        fail(`${p}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
  };
  const int = (o: Obj, key: string, p: string, def: number, min: number, max: number) => {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(p, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  };
  const paths = (o: Obj, key: string, p: string, def: readonly string[]) => {
    const v = o[key];
    if (v === undefined || v === null) return def;
    const list = typeof v === 'string' ? [v] : v;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((x) => typeof x !== 'string' || !PATH_RE.test(x))
    ) {
      fail(p, `must be a dotted path or a list of them, got ${JSON.stringify(v)}`);
      return def;
    }
    return list as string[];
  };
  const str = (o: Obj, key: string, p: string, def: string, re = PATH_RE) => {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string' || !re.test(v)) {
      fail(p, `must be a field name or dotted path, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  };
  unknownKeys(raw, ['services', 'retentionDays', 'prediction', 'measures', 'limits'], path);

  const services: string[] = [];
  if (raw.services !== undefined && raw.services !== null) {
    if (!Array.isArray(raw.services)) fail(`${path}.services`, 'must be a list of service names');
    else
      raw.services.forEach((s, i) => {
        const p = `${path}.services[${i}]`;
        if (typeof s !== 'string' || !SERVICE_RE.test(s))
          fail(p, `${JSON.stringify(s)} is not valid (1-100 of A-Z a-z 0-9 . _ - #)`);
        else if (s === DEFAULT_GROUP_SERVICE)
          fail(p, `"${DEFAULT_GROUP_SERVICE}" is the group of unknown services; pick another name`);
        else if (services.includes(s)) fail(p, `duplicate service ${JSON.stringify(s)}`);
        else services.push(s);
      });
  }

  const retentionDays = int(
    raw,
    'retentionDays',
    `${path}.retentionDays`,
    D.retentionDays,
    1,
    3653,
  );
  if (!RETENTION_DAYS.includes(retentionDays))
    fail(
      `${path}.retentionDays`,
      `must be one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')}`,
    );

  let prediction = D.prediction;
  if (raw.prediction !== undefined && raw.prediction !== null) {
    const p = `${path}.prediction`;
    if (!isObj(raw.prediction)) fail(p, 'must be a mapping');
    else {
      const o = raw.prediction;
      unknownKeys(o, ['field', 'value', 'model', 'modelVersion'], p);
      const value = o.value ?? D.prediction.value;
      if (typeof value !== 'string' || value === '')
        fail(`${p}.value`, 'must be a non-empty string');
      prediction = {
        field: str(o, 'field', `${p}.field`, D.prediction.field, /^[^\s]+$/),
        value: typeof value === 'string' && value !== '' ? value : D.prediction.value,
        model: paths(o, 'model', `${p}.model`, D.prediction.model),
        modelVersion: paths(o, 'modelVersion', `${p}.modelVersion`, D.prediction.modelVersion),
      };
    }
  }

  const measures: LogMeasure[] = [];
  if (raw.measures !== undefined && raw.measures !== null) {
    if (!Array.isArray(raw.measures)) fail(`${path}.measures`, 'must be a list');
    else {
      if (raw.measures.length > MAX_MEASURES)
        fail(
          `${path}.measures`,
          `at most ${MAX_MEASURES} measures (Timestream multi-measure record)`,
        );
      raw.measures.forEach((m, i) => {
        const p = `${path}.measures[${i}]`;
        const item: Obj | undefined =
          typeof m === 'string' ? { field: m } : isObj(m) ? m : undefined;
        if (item === undefined) {
          fail(p, 'must be a field path or a mapping with field, name, type');
          return;
        }
        unknownKeys(item, ['field', 'name', 'type'], p);
        if (typeof item.field !== 'string' || !PATH_RE.test(item.field)) {
          fail(`${p}.field`, 'is required: a field name or dotted path like context.confidence');
          return;
        }
        const name = item.name ?? item.field.split('.').at(-1);
        if (typeof name !== 'string' || !MEASURE_NAME_RE.test(name)) {
          fail(`${p}.name`, `${JSON.stringify(name)} is not a valid Timestream measure name`);
          return;
        }
        if ((EVENT_DIMENSIONS as readonly string[]).includes(name) || name === 'time') {
          fail(`${p}.name`, `"${name}" is a column of the events table; set another name`);
          return;
        }
        if (measures.some((x) => x.name === name)) {
          fail(`${p}.name`, `duplicate measure name "${name}"`);
          return;
        }
        const type = item.type ?? MeasureType.Double;
        if (type !== MeasureType.Double && type !== MeasureType.Varchar) {
          fail(`${p}.type`, 'must be DOUBLE or VARCHAR');
          return;
        }
        measures.push({ field: item.field, name, type });
      });
    }
  }

  let limits = D.limits;
  if (raw.limits !== undefined && raw.limits !== null) {
    const p = `${path}.limits`;
    if (!isObj(raw.limits)) fail(p, 'must be a mapping');
    else {
      const o = raw.limits;
      unknownKeys(o, ['maxEvents', 'maxEventBytes', 'maxBodyBytes'], p);
      limits = {
        maxEvents: int(o, 'maxEvents', `${p}.maxEvents`, D.limits.maxEvents, 1, 1_000_000),
        maxEventBytes: int(
          o,
          'maxEventBytes',
          `${p}.maxEventBytes`,
          D.limits.maxEventBytes,
          1,
          CLOUDWATCH_MAX_EVENT_BYTES,
        ),
        maxBodyBytes: int(
          o,
          'maxBodyBytes',
          `${p}.maxBodyBytes`,
          D.limits.maxBodyBytes,
          1,
          MAX_BODY_BYTES,
        ),
      };
    }
  }
  return { config: { services, retentionDays, prediction, measures, limits }, issues };
};

/**
 * Validates top-level `logLevel:` (Powertools Logger level of Vigil's own functions).
 * Case-insensitive; `WARNING` is read as `WARN`.
 */
const validateLogLevel = (
  raw: unknown,
  path = 'logLevel',
): { config: VigilLogLevel; issues: ConfigIssue[] } => {
  if (raw === undefined || raw === null) return { config: DEFAULT_LOG_LEVEL, issues: [] };
  const up = typeof raw === 'string' ? raw.toUpperCase().replace(/^WARNING$/, 'WARN') : '';
  if ((LOG_LEVELS as readonly string[]).includes(up))
    return { config: up as VigilLogLevel, issues: [] };
  return {
    config: DEFAULT_LOG_LEVEL,
    issues: [
      { path, message: `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}` },
    ],
  };
};

export { validateLogLevel, validateLogsConfig };
