import type { AlertingConfig } from '../alerting/config';
import type { ChannelsConfig } from '../notifications/channels-config';
import type { LogsConfig, VigilLogLevel } from '../logs/logs-config';
import type { ScrapeConfig } from '../scrape/scrape-config';
import type { DriftConfig } from '../drift/drift-config';
import type { GpuConfig } from '../gpu/gpu-config';
import type { DashboardsConfig } from '../dashboards/dashboards-config';
import type { RelabelConfig } from '../scrape/relabel';

/**
 * The typed shape of `vigil.config.yaml`. `validateConfig` (validate.ts) turns the parsed YAML
 * into a `VigilConfig` with every default filled in, or returns every error with its path.
 */

/** Ingestion limits, enforced before anything is stored. See README "Limits". */
export interface IngestLimits {
  /** Largest request body accepted, bytes (at most 4,500,000: Lambda's 6 MB payload, base64). @default 4194304 */
  readonly maxBodyBytes: number;
  /** Largest decompressed remote_write body, bytes. @default 33554432 */
  readonly maxDecompressedBytes: number;
  /** Most samples in one request. @default 100000 */
  readonly maxSamplesPerRequest: number;
  /** Most labels per series, `__name__` included. @default 64 */
  readonly maxLabelsPerSeries: number;
  /** Longest label name, bytes (Timestream dimension name limit is 60). @default 60 */
  readonly maxLabelNameBytes: number;
  /** Longest label value, bytes (Timestream dimension value limit is 2048). @default 2048 */
  readonly maxLabelValueBytes: number;
  /** Longest metric name, bytes (Timestream measure name limit is 256). @default 256 */
  readonly maxMetricNameBytes: number;
  /**
   * Most distinct series per metric name (cardinality guard): enough for a request-latency
   * histogram of 10 buckets over 2 methods × 5 paths × 3 statuses × 2 versions on 64 instances
   * (38,400 series), with room to grow. @default 50000
   */
  readonly maxSeriesPerMetric: number;
  /**
   * `maxSeriesPerMetric` for the named metrics instead (metric name, as stored, e.g.
   * `http_request_duration_seconds_bucket` → positive integer). @default {}
   */
  readonly maxSeriesPerMetricOverrides: Readonly<Record<string, number>>;
  /** How far in the future a timestamp may be, ms. @default 900000 (15 min) */
  readonly maxFutureMs: number;
  /**
   * Most distinct label names (Timestream dimension names) the samples table may ever hold:
   * Timestream's "Dimensions per table" quota. At most 128. @default 128
   */
  readonly maxDimensionNames: number;
  /**
   * Most distinct metric names (Timestream measure names) the samples table may ever hold:
   * Timestream's "Measure names per table" quota. At most 8192. @default 8192
   */
  readonly maxMeasureNames: number;
  /**
   * Part of `maxDimensionNames` kept for Vigil's own series (alerts, recording rules, drift, log
   * counters, GPU import, Timestream's `vigil__special`): clients may add new label names only
   * while fewer than `maxDimensionNames - reservedDimensionNames` exist. @default 16
   */
  readonly reservedDimensionNames: number;
  /** Part of `maxMeasureNames` kept for Vigil's own series, as `reservedDimensionNames`. @default 256 */
  readonly reservedMeasureNames: number;
  /**
   * Largest response body of the read and query API (`query`, `query_range`, `series`, `labels`,
   * label values, `/federate`), bytes as carried in the Lambda response (JSON-escaped); larger
   * results are refused with 422 `execution`. At most 5,990,000: Lambda's 6 MB response payload
   * less room for the status and headers. @default 5242880
   */
  readonly maxResponseBytes: number;
}

/** One metric mirrored to CloudWatch, with the label names kept as dimensions. */
export interface MirrorRule {
  readonly metric: string;
  readonly dimensions: readonly string[];
}

export interface CloudWatchConfig {
  /** Namespace of mirrored metrics. @default 'Vigil' */
  readonly namespace: string;
  /** Allow-list of mirrored metrics. @default [] */
  readonly mirror: readonly MirrorRule[];
}

export interface PushgatewayConfig {
  /** How often pushed groups count as scraped, seconds (Prometheus scrape_interval). @default 15 */
  readonly scrapeIntervalSeconds: number;
}

/** Throttling of one API client (API Gateway usage plan). */
export interface ApiClientConfig {
  readonly name: string;
  /** Steady-state requests per second. @default 100 */
  readonly rateLimit: number;
  /** Burst requests. @default 200 */
  readonly burstLimit: number;
  /** Optional quota of requests per day. */
  readonly quotaPerDay?: number;
}

export interface TimestreamConfig {
  /** Database name. @default `vigil-<project>` */
  readonly database: string;
  /** Memory store retention, hours (1..8766). @default 24 */
  readonly memoryRetentionHours: number;
  /** Magnetic store retention, days (1..73000). @default 365 */
  readonly magneticRetentionDays: number;
}

/**
 * Where samples live (design.md "Data model"): Timestream for LiveAnalytics (Vigil's PromQL engine
 * over raw samples) or Amazon Managed Service for Prometheus (PromQL pushed down to AMP).
 */
export type StoreKind = 'timestream' | 'amp';

/** The Amazon Managed Service for Prometheus workspace (`store: amp`). */
export interface AmpConfig {
  /**
   * ARN of an existing workspace to write to and query
   * (`arn:aws:aps:<region>:<account>:workspace/<id>`).
   * @default - the stack creates a workspace, aliased `vigil-<project>`
   */
  readonly workspaceArn?: string;
  /**
   * How long the workspace keeps samples, days (AMP: 1..1095), and how long the prediction-event
   * objects are kept in S3. Applied only to a workspace the stack creates.
   * @default 150 (AMP's default retention)
   */
  readonly retentionDays: number;
}

/** The runtime part of the config handed to functions through `ENV.RUNTIME_CONFIG`. */
export interface RuntimeConfig {
  readonly limits: IngestLimits;
  /**
   * Prometheus `write_relabel_configs`, applied to every ingested series before validation and
   * limits (a runtime config without them, from an older deployment, relabels nothing). @default []
   */
  readonly writeRelabelConfigs?: readonly RelabelConfig[];
  readonly cloudwatch: CloudWatchConfig;
  readonly pushgateway: PushgatewayConfig;
  /** Oldest sample age accepted, ms (the store's retention). */
  readonly maxSampleAgeMs: number;
}

/** How rule groups are evaluated (Prometheus `global:` equivalents). */
export interface EvaluationConfig {
  /** Default group interval, ms (Prometheus `evaluation_interval`). @default 60000 */
  readonly intervalMs: number;
  /** Labels added to every alert (`external_labels`). @default {} */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Link base for `generatorURL` and `$externalURL`. @default '' */
  readonly externalUrl: string;
}

export interface VigilConfig extends RuntimeConfig {
  /** Short project name, used in resource names. */
  readonly project: string;
  /** Sample store. @default 'timestream' */
  readonly store: StoreKind;
  readonly timestream: TimestreamConfig;
  /** The AMP workspace, used when `store: amp`. */
  readonly amp: AmpConfig;
  readonly api: { readonly clients: readonly ApiClientConfig[] };
  /** Log retention of Vigil's own functions, days. @default 30 */
  readonly logRetentionDays: number;
  /** Prometheus rule files: paths or globs, relative to the config file. @default [] */
  readonly rules: readonly string[];
  readonly evaluation: EvaluationConfig;
  /** Alertmanager-style grouping, timing and inhibition of notifications. */
  readonly alerting: AlertingConfig;
  /** Severity → email / Slack / PagerDuty, severity aliases, the default topic. */
  readonly channels: ChannelsConfig;
  /** GPU instances through the CloudWatch agent: agent config, associations, alarms, import. */
  readonly gpu: GpuConfig;
  /** Scheduled drift monitors (`drift:`), `minSampleSize`, `driftShare`. */
  readonly drift: DriftConfig;
  /** Scrape targets (`scrape_configs:`, Prometheus's fields) and `scrape.vpc`. */
  readonly scrape: ScrapeConfig;
  /** Structured logs (`logs:`): services and their log groups, prediction events, measures, limits. */
  readonly logs: LogsConfig;
  /** Powertools Logger level of Vigil's own functions (POWERTOOLS_LOG_LEVEL). @default 'INFO' */
  readonly logLevel: VigilLogLevel;
  /** CloudWatch dashboards as code (`dashboards:`): sections, metric names, user widgets. */
  readonly dashboards: DashboardsConfig;
  /**
   * Reserve one concurrent execution for each scheduled or rate-limited function (the rule
   * evaluator, the scrape function, the Slack notifier). Off by default: Lambda refuses any
   * reservation that leaves the account fewer than 100 unreserved executions, which fails the
   * deploy in accounts with a low concurrency quota; overlapping runs are already harmless
   * (versioned state, idempotent notifiers). `vigil doctor` checks the quota when it is on.
   * @default false
   */
  readonly reservedConcurrency: boolean;
}
