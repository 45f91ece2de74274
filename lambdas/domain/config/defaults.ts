/** Default ingestion limits; each is documented in docs/limits.md and overridable in `limits:`. */
export const DEFAULT_LIMITS = {
  // Lambda's 6 MB invoke payload holds a base64-encoded body of at most ~4.5 MB.
  maxBodyBytes: 4 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxSamplesPerRequest: 100_000,
  maxLabelsPerSeries: 64,
  maxLabelNameBytes: 60,
  maxLabelValueBytes: 2048,
  maxMetricNameBytes: 256,
  maxSeriesPerMetric: 50_000,
  maxFutureMs: 15 * 60 * 1000,
  // Timestream for LiveAnalytics quotas "Dimensions per table" (128) and "Measure names per table"
  // (8192): https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
  maxDimensionNames: 128,
  maxMeasureNames: 8192,
  reservedDimensionNames: 16,
  reservedMeasureNames: 256,
  // Lambda's 6 MB response payload holds the JSON-escaped body with its status and headers.
  maxResponseBytes: 5 * 1024 * 1024,
  /** Per-metric `maxSeriesPerMetric` (metric name → limit). */
  maxSeriesPerMetricOverrides: {} as Readonly<Record<string, number>>,
};

/**
 * The per-series limits that replace Timestream's with `store: amp`: Amazon Managed Service for
 * Prometheus allows 70 labels per series (`__name__` included) and 7 KB for a label's name and
 * value together, so no name or value alone may be longer; the remote-write writer checks the sum.
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
 */
export const AMP_SERIES_LIMITS = {
  maxLabelsPerSeries: 70,
  maxLabelNameBytes: 7 * 1024,
  maxLabelValueBytes: 7 * 1024,
  maxMetricNameBytes: 7 * 1024,
} as const;

/** Timestream's "Dimensions per table" quota (ts-limits.html): the most `maxDimensionNames` may be. */
export const TIMESTREAM_MAX_DIMENSIONS_PER_TABLE = 128;
/** Timestream's "Measure names per table" quota (ts-limits.html): the most `maxMeasureNames` may be. */
export const TIMESTREAM_MAX_MEASURE_NAMES_PER_TABLE = 8192;

export const DEFAULT_MEMORY_RETENTION_HOURS = 24;
export const DEFAULT_MAGNETIC_RETENTION_DAYS = 365;
export const DEFAULT_PUSH_SCRAPE_INTERVAL_SECONDS = 15;
export const DEFAULT_LOG_RETENTION_DAYS = 30;
export const DEFAULT_CLIENT_RATE_LIMIT = 100;
export const DEFAULT_CLIENT_BURST_LIMIT = 200;

/**
 * Amazon Managed Service for Prometheus retention, days: `RetentionPeriodInDays` of
 * `AWS::APS::Workspace`'s `WorkspaceConfiguration` (minimum 1; the console's documented maximum
 * is 1095, three years), 150 when unset.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-aps-workspace-workspaceconfiguration.html
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-workspace-configuration.html
 */
export const AMP_MIN_RETENTION_DAYS = 1;
export const AMP_MAX_RETENTION_DAYS = 1095;
export const DEFAULT_AMP_RETENTION_DAYS = 150;
