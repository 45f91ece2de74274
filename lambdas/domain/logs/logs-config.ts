import type { ConfigIssue } from '../config/issues';
import {
  fail,
  type Infer,
  int,
  list,
  mapping,
  matching,
  runSchema,
  section,
  show,
  z,
} from '../config/schema-kit';
import {
  CLOUDWATCH_MAX_EVENT_BYTES,
  CLOUDWATCH_MAX_EVENTS_PER_BATCH,
  DEFAULT_LOG_LEVEL,
  LOG_LEVELS,
  MeasureType,
  type VigilLogLevel,
} from './log-constants';
import { DEFAULT_GROUP_SERVICE } from './log-groups';
import { DEFAULT_PREDICTION_FIELD, DEFAULT_PREDICTION_VALUE } from './parse-log-events';

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

/** A dotted path, or a list of them (first present wins). */
const paths = z
  .union([z.string(), z.array(z.unknown())], {
    error: (i) => `must be a dotted path or a list of them, got ${show(i.input)}`,
  })
  .superRefine((v, ctx) => {
    const list = typeof v === 'string' ? [v] : v;
    if (list.length === 0 || list.some((x) => typeof x !== 'string' || !PATH_RE.test(x)))
      fail(ctx, `must be a dotted path or a list of them, got ${show(v)}`);
  })
  .transform((v) => (typeof v === 'string' ? [v] : (v as string[])));

/** One event field stored as a measure of the prediction record (a bare path is `{ field }`). */
const measureSchema = z.preprocess(
  (m) => (typeof m === 'string' ? { field: m } : m),
  mapping(
    {
      /** Dotted path into the event (`context.confidence`). */
      field: matching(
        PATH_RE,
        () => 'is required: a field name or dotted path like context.confidence',
      ),
      /** Measure name in the `events` table; the last segment of `field` when not given. */
      name: z.unknown().optional(),
      /** DOUBLE keeps numbers (a non-number is left out); VARCHAR stores any value as text. */
      type: z
        .enum([MeasureType.Double, MeasureType.Varchar], { error: 'must be DOUBLE or VARCHAR' })
        .default(MeasureType.Double),
    },
    'must be a field path or a mapping with field, name, type',
  ).transform((m, ctx) => {
    const name = m.name ?? m.field.split('.').at(-1);
    if (typeof name !== 'string' || !MEASURE_NAME_RE.test(name))
      fail(ctx, `${show(name)} is not a valid Timestream measure name`, ['name']);
    else if ((EVENT_DIMENSIONS as readonly string[]).includes(name) || name === 'time')
      fail(ctx, `"${name}" is a column of the events table; set another name`, ['name']);
    return { field: m.field, name: name as string, type: m.type };
  }),
);

/** `logs:` in vigil.config.yaml. */
const logsSchema = section({
  /** Services with their own log group `/vigil/<project>/<service>`; others go to `/vigil/<project>/default`. */
  services: z
    .array(z.unknown(), { error: 'must be a list of service names' })
    .transform((list, ctx) => {
      const out: string[] = [];
      list.forEach((s, i) => {
        if (typeof s !== 'string' || !SERVICE_RE.test(s))
          fail(ctx, `${show(s)} is not valid (1-100 of A-Z a-z 0-9 . _ - #)`, [i]);
        else if (s === DEFAULT_GROUP_SERVICE)
          fail(
            ctx,
            `"${DEFAULT_GROUP_SERVICE}" is the group of unknown services; pick another name`,
            [i],
          );
        else if (out.includes(s)) fail(ctx, `duplicate service ${show(s)}`, [i]);
        else out.push(s);
      });
      return out;
    })
    .default([]),
  /** Retention of the log groups, days (a CloudWatch Logs retention period). */
  retentionDays: int(1, 3653, 'joined')
    .refine((d) => RETENTION_DAYS.includes(d), {
      error: `must be one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  /** Which events are predictions, and where their model and version are. */
  prediction: section({
    /** Top-level event key marking a prediction. */
    field: matching(
      /^[^\s]+$/,
      (v) => `must be a field name or dotted path, got ${show(v)}`,
    ).default(DEFAULT_PREDICTION_FIELD),
    /** Value of `field` that marks a prediction. */
    value: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' })
      .default(DEFAULT_PREDICTION_VALUE),
    /** Dotted paths of the model name, first present wins; the event's service when none is. */
    model: paths.default(['model', 'context.model']),
    /** Dotted paths of the model version, first present wins; `unknown` when none is. */
    modelVersion: paths.default(['model_version', 'context.model_version']),
  }),
  /** Fields of prediction events stored as measures in the `events` table. Undeclared fields stay in the log only. */
  measures: list(measureSchema)
    .superRefine((measures, ctx) => {
      if (measures.length > MAX_MEASURES)
        fail(ctx, `at most ${MAX_MEASURES} measures (Timestream multi-measure record)`);
      measures.forEach((m, i) => {
        if (measures.findIndex((x) => x.name === m.name) < i)
          fail(ctx, `duplicate measure name "${m.name}"`, [i, 'name']);
      });
    })
    .default([]),
  /** Per-request limits of `POST /ingest/logs` and `POST /loki/api/v1/push`. See README "Limits". */
  limits: section({
    /** Most events in one request (PutLogEvents takes 10,000 per call). */
    maxEvents: int(1, 1_000_000, 'joined').default(CLOUDWATCH_MAX_EVENTS_PER_BATCH),
    /** Largest event, UTF-8 bytes of its JSON (CloudWatch: 1,048,576 per event minus 26 bytes overhead). */
    maxEventBytes: int(1, CLOUDWATCH_MAX_EVENT_BYTES, 'joined').default(CLOUDWATCH_MAX_EVENT_BYTES),
    /** Largest request body, bytes (Lambda's 6 MB payload holds it base64-encoded). */
    maxBodyBytes: int(1, MAX_BODY_BYTES, 'joined').default(4 * 1024 * 1024),
  }),
});

export type LogsConfig = Infer<typeof logsSchema>;
export type LogMeasure = LogsConfig['measures'][number];
export type PredictionConfig = LogsConfig['prediction'];
export type LogLimits = LogsConfig['limits'];

export const DEFAULT_LOGS_CONFIG: LogsConfig = logsSchema.parse(undefined);

/**
 * Validates `logs:`; every problem is returned with its path.
 * @example validateLogsConfig({ services: ['api', 'inference'], measures: [{ field: 'context.confidence' }] })
 */
const validateLogsConfig = (
  raw: unknown,
  path = 'logs',
): { config: LogsConfig; issues: ConfigIssue[] } =>
  runSchema(logsSchema, raw, path, () => DEFAULT_LOGS_CONFIG as never);

/** Top-level `logLevel:`: case-insensitive; `WARNING` is read as `WARN`. */
const logLevelSchema = z
  .unknown()
  .transform((raw, ctx) => {
    const up = typeof raw === 'string' ? raw.toUpperCase().replace(/^WARNING$/, 'WARN') : '';
    if ((LOG_LEVELS as readonly string[]).includes(up)) return up as VigilLogLevel;
    fail(ctx, `must be one of ${LOG_LEVELS.join(', ')}, got ${show(raw)}`);
    return z.NEVER;
  })
  .default(DEFAULT_LOG_LEVEL);

/**
 * Validates top-level `logLevel:` (Powertools Logger level of Vigil's own functions).
 * Case-insensitive; `WARNING` is read as `WARN`.
 */
const validateLogLevel = (
  raw: unknown,
  path = 'logLevel',
): { config: VigilLogLevel; issues: ConfigIssue[] } =>
  runSchema(logLevelSchema, raw, path, () => DEFAULT_LOG_LEVEL);

export type { VigilLogLevel };
export {
  CLOUDWATCH_MAX_EVENT_BYTES,
  CLOUDWATCH_MAX_EVENTS_PER_BATCH,
  DEFAULT_LOG_LEVEL,
  LOG_LEVELS,
  logLevelSchema,
  logsSchema,
  MeasureType,
  validateLogLevel,
  validateLogsConfig,
};
