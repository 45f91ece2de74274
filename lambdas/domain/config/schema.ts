/**
 * The schema of `vigil.config.yaml`: the top-level keys Vigil itself reads, and each feature's
 * section from the schema beside that feature. Defaults are filled in here; every type of
 * `types.ts` is inferred from it.
 */
import { alertingSchema, DEFAULT_ALERTING_CONFIG } from '../alerting/config';
import { DEFAULT_DASHBOARDS_CONFIG, dashboardsSchema } from '../dashboards/dashboards-config';
import { DEFAULT_DRIFT_CONFIG, driftSchema } from '../drift/drift-config';
import { DEFAULT_GPU_CONFIG, gpuSchema } from '../gpu/gpu-config';
import { DEFAULT_LOGS_CONFIG, logLevelSchema, logsSchema } from '../logs/logs-config';
import { channelsSchema, DEFAULT_CHANNELS_CONFIG } from '../notifications/channels-config';
import { DEFAULT_OTLP_CONFIG, otlpSchema } from '../otlp/otlp-config';
import { relabelConfigsSchema } from '../scrape/relabel-schema';
import { scrapeOf, scrapeSections } from '../scrape/scrape-config';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../series/labels';
import {
  AMP_MAX_RETENTION_DAYS,
  AMP_MIN_RETENTION_DAYS,
  AMP_SERIES_LIMITS,
  DEFAULT_AMP_RETENTION_DAYS,
  DEFAULT_CLIENT_BURST_LIMIT,
  DEFAULT_CLIENT_RATE_LIMIT,
  DEFAULT_LIMITS,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MAGNETIC_RETENTION_DAYS,
  DEFAULT_MEMORY_RETENTION_HOURS,
  DEFAULT_PUSH_SCRAPE_INTERVAL_SECONDS,
  TIMESTREAM_MAX_DIMENSIONS_PER_TABLE,
  TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE,
} from './defaults';
import {
  bool,
  duration,
  fail,
  failInItem,
  type Infer,
  int,
  labelMap,
  list,
  mapping,
  matching,
  onList,
  onMapping,
  section,
  show,
  str,
  z,
} from './schema-kit';
import { REGION_RE, STORE_KINDS, type StoreKind, WORKSPACE_ARN_RE } from './store';

/** Prometheus's default `evaluation_interval`. */
const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
/** API Gateway passes binary bodies base64-encoded; Lambda's synchronous invoke payload is 6 MB. */
const MAX_BODY_BYTES = 4_500_000;
/**
 * Lambda's synchronous response payload is 6 MB (read as 6,000,000 bytes, the smaller reading);
 * 10,000 bytes of it are left to the status code, headers and the JSON document around the body.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_RESPONSE_BYTES = 5_990_000;
const PROJECT_RE = /^[a-z][a-z0-9-]{0,30}$/;
/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** A string matching `re`, else `"<value>" is not valid (<hint>)`. */
const valid = (re: RegExp, hint: string) =>
  matching(re, (v) =>
    typeof v === 'string'
      ? `${show(v)} is not valid (${hint})`
      : `must be a string, got ${show(v)}`,
  );

/** A limit: at least 1 (a reserve may be 0), at most `max` with the AWS limit behind it. */
const limit = (def: number, max?: [number, string], min = 1) => {
  const n = int(min, Number.MAX_SAFE_INTEGER);
  return (
    max === undefined
      ? n
      : n.refine((v) => v <= max[0], { error: `must be at most ${max[0]} (${max[1]})` })
  ).default(def);
};

const D = DEFAULT_LIMITS;
// https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
/** Ingestion limits, enforced before anything is stored. See docs "Limits". */
const limitsSchema = section({
  /** Largest request body accepted, bytes. */
  maxBodyBytes: limit(D.maxBodyBytes, [
    MAX_BODY_BYTES,
    "Lambda's 6 MB invoke payload holds the base64-encoded body",
  ]),
  /** Largest decompressed remote_write body, bytes. */
  maxDecompressedBytes: limit(D.maxDecompressedBytes),
  /** Most samples in one request. */
  maxSamplesPerRequest: limit(D.maxSamplesPerRequest),
  // The per-series limits are the store's: their defaults and maxima are applied by `storeLimits`.
  /** Most labels per series, `__name__` included. */
  maxLabelsPerSeries: int(1, Number.MAX_SAFE_INTEGER).optional(),
  /** Longest label name, bytes. */
  maxLabelNameBytes: int(1, Number.MAX_SAFE_INTEGER).optional(),
  /** Longest label value, bytes. */
  maxLabelValueBytes: int(1, Number.MAX_SAFE_INTEGER).optional(),
  /** Longest metric name, bytes. */
  maxMetricNameBytes: int(1, Number.MAX_SAFE_INTEGER).optional(),
  /** Most distinct series per metric name (cardinality guard). */
  maxSeriesPerMetric: limit(D.maxSeriesPerMetric),
  /** `maxSeriesPerMetric` for the metrics named here (metric name → limit). */
  maxSeriesPerMetricOverrides: z
    .record(z.string(), z.unknown(), { error: 'must be a mapping' })
    .transform((overrides, ctx) => {
      const out: Record<string, number> = {};
      const positive = int(1, Number.MAX_SAFE_INTEGER);
      for (const [name, v] of Object.entries(overrides)) {
        if (!METRIC_NAME_RE.test(name)) {
          fail(
            ctx,
            'is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*): name the metric as stored, e.g. http_request_duration_seconds_bucket',
            [name],
          );
          continue;
        }
        const parsed = positive.safeParse(v);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) fail(ctx, issue.message, [name]);
          continue;
        }
        // A metric named `__proto__` is an ordinary entry.
        Object.defineProperty(out, name, { value: parsed.data, enumerable: true, writable: true });
      }
      return out as Readonly<Record<string, number>>;
    })
    .default({}),
  /** How far in the future a timestamp may be, ms. */
  maxFutureMs: limit(D.maxFutureMs),
  /** Most distinct label names (Timestream dimension names) the samples table may ever hold. */
  maxDimensionNames: limit(D.maxDimensionNames, [
    TIMESTREAM_MAX_DIMENSIONS_PER_TABLE,
    'Timestream dimensions per table',
  ]),
  /** Most distinct metric names (Timestream measure names) the samples table may ever hold. */
  maxMeasureNames: limit(D.maxMeasureNames, [
    TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE,
    'Timestream measure names per table',
  ]),
  /** Part of `maxDimensionNames` kept for Vigil's own series. */
  reservedDimensionNames: limit(D.reservedDimensionNames, undefined, 0),
  /** Part of `maxMeasureNames` kept for Vigil's own series. */
  reservedMeasureNames: limit(D.reservedMeasureNames, undefined, 0),
  /** Largest response body of the read and query API, bytes as carried in the Lambda response. */
  maxResponseBytes: limit(D.maxResponseBytes, [
    MAX_RESPONSE_BYTES,
    "Lambda's 6 MB response payload holds the JSON-escaped body, status and headers",
  ]),
}).superRefine((l, ctx) => {
  const failed = new Set(ctx.issues.map((i) => i.path?.[0]));
  const budget = (reserved: keyof typeof l, max: keyof typeof l, what: string) => {
    if (failed.has(reserved) || failed.has(max)) return;
    if ((l[reserved] as number) >= (l[max] as number))
      fail(ctx, `must be less than limits.${max} (${l[max]}), or clients could add no ${what}`, [
        reserved,
      ]);
  };
  budget('reservedDimensionNames', 'maxDimensionNames', 'label name');
  budget('reservedMeasureNames', 'maxMeasureNames', 'metric name');
}, onMapping);

type SeriesLimitKey = keyof typeof AMP_SERIES_LIMITS;
/** Each store's per-series limits: the default, and the most it may be with the quota behind it. */
const SERIES_LIMITS: Record<
  StoreKind,
  Record<SeriesLimitKey, [def: number, max: number, why: string]>
> = {
  timestream: {
    maxLabelsPerSeries: [D.maxLabelsPerSeries, Number.MAX_SAFE_INTEGER, ''],
    maxLabelNameBytes: [D.maxLabelNameBytes, 60, 'Timestream dimension name limit'],
    maxLabelValueBytes: [D.maxLabelValueBytes, 2048, 'Timestream dimension value limit'],
    maxMetricNameBytes: [D.maxMetricNameBytes, 256, 'Timestream measure name limit'],
  },
  // https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
  amp: {
    maxLabelsPerSeries: [
      AMP_SERIES_LIMITS.maxLabelsPerSeries,
      AMP_SERIES_LIMITS.maxLabelsPerSeries,
      'AMP labels per series',
    ],
    maxLabelNameBytes: [
      AMP_SERIES_LIMITS.maxLabelNameBytes,
      AMP_SERIES_LIMITS.maxLabelNameBytes,
      'AMP label size',
    ],
    maxLabelValueBytes: [
      AMP_SERIES_LIMITS.maxLabelValueBytes,
      AMP_SERIES_LIMITS.maxLabelValueBytes,
      'AMP label size',
    ],
    maxMetricNameBytes: [
      AMP_SERIES_LIMITS.maxMetricNameBytes,
      AMP_SERIES_LIMITS.maxMetricNameBytes,
      'AMP label size',
    ],
  },
};
const SERIES_LIMIT_KEYS = Object.keys(AMP_SERIES_LIMITS) as SeriesLimitKey[];

/** The limits with the store's per-series defaults filled in. */
const storeLimits = <L extends Partial<Record<SeriesLimitKey, number>>>(store: StoreKind, l: L) => {
  const filled = {} as Record<SeriesLimitKey, number>;
  for (const k of SERIES_LIMIT_KEYS) filled[k] = l[k] ?? SERIES_LIMITS[store][k][0];
  return { ...l, ...filled };
};

/** Throttling of one API client (API Gateway usage plan). */
const apiClientSchema = mapping(
  {
    name: valid(/^[a-zA-Z0-9-_]{1,64}$/, 'letters, digits, - and _'),
    /** Steady-state requests per second. */
    rateLimit: int(1, 10_000).default(DEFAULT_CLIENT_RATE_LIMIT),
    /** Burst requests. */
    burstLimit: int(1, 5_000).default(DEFAULT_CLIENT_BURST_LIMIT),
    /** Optional quota of requests per day. */
    quotaPerDay: int(1, Number.MAX_SAFE_INTEGER).optional(),
  },
  'must be a mapping with name, rateLimit, burstLimit',
);

/** One metric mirrored to CloudWatch, with the label names kept as dimensions. */
const mirrorRuleSchema = mapping(
  {
    metric: valid(METRIC_NAME_RE, 'a Prometheus metric name'),
    dimensions: z
      .array(z.unknown(), { error: 'must be a list of label names' })
      .refine((d) => d.every((x) => typeof x === 'string' && LABEL_NAME_RE.test(x)), {
        error: 'must be a list of label names',
      })
      .transform((d) => d as string[])
      // EMF allows at most 30 dimension keys in a dimension set.
      .refine((d) => d.length <= 30, { error: 'at most 30 dimensions (CloudWatch EMF limit)' })
      .default([]),
  },
  'must be a mapping with metric and dimensions',
);

/**
 * The top level of `vigil.config.yaml`, in the order its problems are reported. A section left
 * out is its feature's default config itself.
 */
const configShape = {
  /** Short project name, used in resource names. */
  project: valid(
    PROJECT_RE,
    'lowercase letters, digits and -, starting with a letter, at most 31 characters',
  ).default('vigil'),
  // Timestream limits: memory store 1..8766 hours, magnetic store 1..73000 days.
  timestream: section({
    /** Database name; `vigil-<project>` when not given. */
    database: valid(/^[a-zA-Z0-9_.-]{3,256}$/, '3-256 of a-z A-Z 0-9 _ . -').optional(),
    /** Memory store retention, hours. */
    memoryRetentionHours: int(1, 8766).default(DEFAULT_MEMORY_RETENTION_HOURS),
    /** Magnetic store retention, days. */
    magneticRetentionDays: int(1, 73000).default(DEFAULT_MAGNETIC_RETENTION_DAYS),
  }),
  /** Sample store. */
  store: z
    .enum(STORE_KINDS, {
      error: (i) => `must be one of ${STORE_KINDS.join(', ')}, got ${show(i.input)}`,
    })
    .default('timestream'),
  /** The Amazon Managed Service for Prometheus workspace, used when `store: amp`. */
  amp: section({
    /**
     * How long the workspace keeps samples, days, and how long the prediction-event objects are
     * kept in S3. Applied only to a workspace the stack creates.
     */
    retentionDays: int(AMP_MIN_RETENTION_DAYS, AMP_MAX_RETENTION_DAYS).default(
      DEFAULT_AMP_RETENTION_DAYS,
    ),
    /**
     * ARN of an existing workspace to write to and query; the stack creates one, aliased
     * `vigil-<project>`, when not given.
     */
    workspaceArn: matching(
      WORKSPACE_ARN_RE,
      (v) =>
        `must be a workspace ARN (arn:aws:aps:<region>:<account>:workspace/<id>), got ${show(v)}`,
    ).optional(),
    /**
     * Local mode only: the workspace URL to write to and query (or any endpoint that speaks AMP's
     * remote-write and query API with SigV4); derived from `workspaceArn` when not given.
     */
    endpoint: valid(/^https?:\/\/[^/\s]+(\/\S*)?$/, 'an http(s) URL, the workspace URL').optional(),
    /** Local mode only: the region requests are signed for. */
    region: valid(REGION_RE, 'an AWS region, e.g. eu-west-1').optional(),
  }),
  api: section({
    clients: list(apiClientSchema)
      .superRefine((clients, ctx) => {
        const seen = new Set<unknown>();
        clients.forEach((c, i) => {
          const name = (c as { name?: unknown }).name;
          if (typeof name !== 'string') return;
          if (seen.has(name)) failInItem(ctx, `duplicate client name ${show(name)}`, [i, 'name']);
          seen.add(name);
        });
      }, onList)
      .default([
        {
          name: 'default',
          rateLimit: DEFAULT_CLIENT_RATE_LIMIT,
          burstLimit: DEFAULT_CLIENT_BURST_LIMIT,
        },
      ]),
  }),
  limits: limitsSchema,
  /**
   * Prometheus's relabel_config list (the key a Prometheus `remote_write` entry uses), applied to
   * every series Vigil ingests.
   */
  write_relabel_configs: relabelConfigsSchema.default([]),
  /** OTLP/HTTP metrics: resource attributes promoted to labels (`POST /v1/metrics`). */
  otlp: otlpSchema.default(() => DEFAULT_OTLP_CONFIG as never),
  cloudwatch: section({
    /** Namespace of mirrored metrics. */
    namespace: valid(/^[^:][^:]{0,254}$/, 'no colon, at most 255 characters').default('Vigil'),
    /** Allow-list of mirrored metrics. */
    mirror: list(mirrorRuleSchema).default([]),
  }),
  pushgateway: section({
    /** How often pushed groups count as scraped, seconds (Prometheus scrape_interval). */
    scrapeIntervalSeconds: int(1, 300).default(DEFAULT_PUSH_SCRAPE_INTERVAL_SECONDS),
  }),
  /** Log retention of Vigil's own functions, days. */
  logRetentionDays: int(1, 3653)
    .refine((d) => LOG_RETENTION_DAYS.includes(d), {
      error: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(DEFAULT_LOG_RETENTION_DAYS),
  /** Prometheus rule files: paths or globs, relative to the config file. */
  rules: z
    .array(z.unknown(), { error: 'must be a list of rule file paths or globs' })
    .refine((l) => l.every((x) => typeof x === 'string' && x !== ''), {
      error: 'must be a list of rule file paths or globs',
    })
    .transform((l) => l as string[])
    .default([]),
  /** How rule groups are evaluated (Prometheus `global:` equivalents). */
  evaluation: section({
    /** Default group interval (Prometheus `evaluation_interval`). */
    interval: duration(
      (v) => `must be a positive Prometheus duration like 1m, got ${show(v)}`,
    ).default(DEFAULT_EVALUATION_INTERVAL_MS),
    /** Labels added to every alert. */
    external_labels: labelMap(
      { test: (k) => LABEL_NAME_RE.test(k) && !k.startsWith('__') },
      'must be a mapping of label names to values',
    ).default({}),
    /** Link base for `generatorURL` and `$externalURL`. */
    external_url: str().default(''),
  }),
  /** Alertmanager-style grouping, timing and inhibition of notifications. */
  alerting: alertingSchema.default(() => DEFAULT_ALERTING_CONFIG as never),
  /** Severity → email / Slack / PagerDuty, severity aliases, the default topic. */
  channels: channelsSchema.default(() => DEFAULT_CHANNELS_CONFIG as never),
  /** Structured logs: services and their log groups, prediction events, measures, limits. */
  logs: logsSchema.default(() => DEFAULT_LOGS_CONFIG as never),
  /** Powertools Logger level of Vigil's own functions (POWERTOOLS_LOG_LEVEL). */
  logLevel: logLevelSchema,
  ...scrapeSections,
  /** GPU instances through the CloudWatch agent: agent config, associations, alarms, import. */
  gpu: gpuSchema.default(() => DEFAULT_GPU_CONFIG as never),
  /** Scheduled drift monitors, `minSampleSize`, `driftShare`. */
  drift: driftSchema.default(() => DEFAULT_DRIFT_CONFIG as never),
  /** CloudWatch dashboards as code: sections, metric names, user widgets. */
  dashboards: dashboardsSchema.default(() => DEFAULT_DASHBOARDS_CONFIG as never),
  /**
   * Reserve one concurrent execution for each scheduled or rate-limited function (the rule
   * evaluator, the scrape function, the Slack notifier). Off by default: Lambda refuses any
   * reservation that leaves the account fewer than 100 unreserved executions, which fails the
   * deploy in accounts with a low concurrency quota; overlapping runs are already harmless
   * (versioned state, idempotent notifiers). `vigil doctor` checks the quota when it is on.
   */
  reservedConcurrency: bool().default(false),
};

/** `vigil.config.yaml`, validated, with every default filled in. */
const configSchema = mapping(configShape, 'must be a mapping')
  .prefault({})
  .superRefine((c, ctx) => {
    const limits = c.limits as Partial<Record<SeriesLimitKey, number>> | undefined;
    const store = (STORE_KINDS as readonly unknown[]).includes(c.store) ? c.store : 'timestream';
    for (const k of SERIES_LIMIT_KEYS) {
      const v = limits?.[k];
      const [, max, why] = SERIES_LIMITS[store][k];
      if (typeof v === 'number' && v > max)
        fail(ctx, `must be at most ${max}${store === 'amp' ? ' with store: amp' : ''} (${why})`, [
          'limits',
          k,
        ]);
    }
  }, onMapping)
  .transform((c) => ({
    project: c.project,
    store: c.store,
    timestream: { ...c.timestream, database: c.timestream.database ?? `vigil-${c.project}` },
    amp: c.amp,
    api: c.api,
    limits: storeLimits(c.store, c.limits),
    writeRelabelConfigs: c.write_relabel_configs,
    otlp: c.otlp,
    cloudwatch: c.cloudwatch,
    pushgateway: c.pushgateway,
    /** Oldest sample age accepted, ms: the store's retention (older samples would be dropped or refused). */
    maxSampleAgeMs:
      (c.store === 'amp' ? c.amp.retentionDays : c.timestream.magneticRetentionDays) *
      24 *
      3600 *
      1000,
    logRetentionDays: c.logRetentionDays,
    rules: c.rules,
    evaluation: {
      intervalMs: c.evaluation.interval,
      externalLabels: c.evaluation.external_labels,
      externalUrl: c.evaluation.external_url,
    },
    alerting: c.alerting,
    channels: c.channels,
    logs: c.logs,
    logLevel: c.logLevel,
    scrape: scrapeOf(c),
    gpu: c.gpu,
    drift: c.drift,
    dashboards: c.dashboards,
    reservedConcurrency: c.reservedConcurrency,
  }));

/** A config written out by hand (tests, older deployments) may leave `writeRelabelConfigs` and `otlp` out. */
type VigilConfig = Omit<Infer<typeof configSchema>, 'writeRelabelConfigs' | 'otlp'> &
  Partial<Pick<Infer<typeof configSchema>, 'writeRelabelConfigs' | 'otlp'>>;

export type { VigilConfig };
export { configSchema };
