/**
 * `dashboards:` in vigil.config.yaml: which CloudWatch dashboards `cdk deploy` creates, the metric
 * names they chart (defaults are the example services' names) and the user's own widgets.
 */
import type { ConfigIssue } from '../config/issues';
import {
  bool,
  duration,
  fail,
  type Infer,
  int,
  list,
  mapping,
  matching,
  onMapping,
  runSchema,
  section,
  show,
  z,
} from '../config/schema-kit';
import { parseDurationMs } from '../promql/lexical';
import { compileRegex, RegexEngineNotLoadedError } from '../regex/re2';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../series/labels';
import { checkMetricsInsightsQuery, isMetricsInsightsQuery } from './metrics-insights';

/**
 * CloudWatch statistics a widget may name: the fixed ones and percentiles `pNN(.NN)`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 */
const STAT_RE = /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|p\d{1,2}(\.\d{1,2})?|p100)$/;
/** Dashboard names: A-Z, a-z, 0-9, - and _, at most 255 (PutDashboard `DashboardName`). */
const DASHBOARD_NAME_RE = /^[A-Za-z0-9_-]{1,200}$/;
/** Grid of a dashboard: 24 columns; widget height 1–1000 (Dashboard Body Structure). */
const GRID_COLUMNS = 24;
const MAX_WIDGET_HEIGHT = 1000;
/** Most metrics (and expressions) in one graph widget (CloudWatch service quotas, Dashboards). */
const MAX_METRICS_PER_WIDGET = 500;

/** A regex matcher value RE2 compiles, up to 1024 characters. */
const RE2_PATTERN: Pick<RegExp, 'test'> = {
  test: (v: string): boolean => {
    if (v.length === 0 || v.length > 1024) return false;
    try {
      compileRegex(v);
      return true;
    } catch (e) {
      if (e instanceof RegexEngineNotLoadedError) throw e;
      return false;
    }
  },
};
/** Label values shown in SEARCH terms: no quotes, which the search string cannot carry. */
const SEARCH_VALUE_RE = /^[^'"]{1,1024}$/;

const named = (re: Pick<RegExp, 'test'>, what: string) =>
  matching(re, (v) => `must be ${what}, got ${show(v)}`);
const metricName = named(METRIC_NAME_RE, 'a Prometheus metric name');
const labelName = named(LABEL_NAME_RE, 'a label name');
/** A list of names matching `re`. */
const names = (re: RegExp, what: string) =>
  z
    .array(z.unknown(), { error: `must be a list of ${what}` })
    .refine((l) => l.every((x) => typeof x === 'string' && re.test(x)), {
      error: `must be a list of ${what}`,
    })
    .transform((l) => l as string[]);
const labelNames = names(LABEL_NAME_RE, 'label names');
const quantiles = z
  .array(z.unknown(), { error: 'must be a non-empty list of numbers between 0 and 1 (exclusive)' })
  .refine((l) => l.length > 0 && l.every((q) => typeof q === 'number' && q > 0 && q < 1), {
    error: 'must be a non-empty list of numbers between 0 and 1 (exclusive)',
  })
  .transform((l) => l as number[]);
const atLeastOne = { error: 'must name at least one label' };
const searchValues = names(SEARCH_VALUE_RE, 'label values without quotes');

/** Per-service widgets: request rate, latency quantiles, error ratio. */
const servicesSchema = section({
  enabled: bool().default(true),
  /** Counter of requests with a status label. */
  requests: metricName.default('http_requests_total'),
  /** Label of `requests` holding the HTTP status. */
  statusLabel: labelName.default('status'),
  /** RE2 regex of the error statuses. */
  errorStatus: named(RE2_PATTERN, 'an RE2 regex').default('5..'),
  /** Histogram of request durations, seconds. */
  duration: metricName.default('http_request_duration_seconds'),
  /** Quantiles of `duration` charted. */
  quantiles: quantiles.default([0.5, 0.95, 0.99]),
  /** Labels that tell services apart (CloudWatch dimensions). */
  by: labelNames.refine((l) => l.length > 0, atLeastOne).default(['job']),
  /** Values of the first `by` label that get a row of their own; empty = one row showing every service (SEARCH). */
  list: searchValues.default([]),
});

/** Per-model widgets: predictions by result, confidence, inference time, accuracy, drift. */
const modelsSchema = section({
  enabled: bool().default(true),
  /** Counter of predictions. */
  predictions: metricName.default('model_predictions_total'),
  /** Label of `predictions` holding the outcome. */
  resultLabel: labelName.default('result'),
  /** Histogram of prediction confidence (0–1). */
  confidence: metricName.default('prediction_confidence'),
  /** Quantiles of `confidence` charted. */
  confidenceQuantiles: quantiles.default([0.1, 0.5, 0.9]),
  /** Histogram or summary of inference time, seconds (its `_sum`/`_count` give the mean). */
  inferenceDuration: metricName.default('ml_inference_duration_seconds'),
  /** Gauge of model accuracy, where reported. */
  accuracy: metricName.default('ml_model_accuracy'),
  /** Labels that tell models apart. */
  by: labelNames.refine((l) => l.length > 0, atLeastOne).default(['model_version']),
  /** Values of the first `by` label with a row of their own; empty = one row for all. */
  list: searchValues.default([]),
  /** Drift score gauge written by Vigil's drift monitors. */
  drift: metricName.default('vigil_drift_score'),
  /** Labels of `drift`. */
  driftBy: labelNames.default(['monitor', 'feature', 'method']),
});

/** One metric of a user widget. */
const widgetMetricSchema = mapping(
  {
    /** Metric name: a mirrored Prometheus metric, or any CloudWatch metric with `namespace`. */
    metric: z.string({
      error: (i) =>
        i.input === undefined ? 'is required' : `must be a metric name, got ${show(i.input)}`,
    }),
    /** CloudWatch namespace; the mirror namespace (`cloudwatch.namespace`) when not given. */
    namespace: z
      .string({ error: 'must be a CloudWatch namespace' })
      .min(1, { error: 'must be a CloudWatch namespace' })
      .optional(),
    /** Dimension (label) name → value. */
    dimensions: z
      .record(
        z.string(),
        z
          .string({ error: 'must be a non-empty string' })
          .min(1, { error: 'must be a non-empty string' }),
        { error: 'must map dimension names to values' },
      )
      .refine((d) => Object.keys(d).length <= 30, {
        error: 'at most 30 dimensions (CloudWatch limit)',
      })
      .default({}),
    /** CloudWatch statistic. */
    stat: named(STAT_RE, 'a CloudWatch statistic (Average, Sum, Maximum, p99, …)').default(
      'Average',
    ),
    label: z.string().optional(),
  },
  'must be a mapping with metric, dimensions, stat',
).superRefine((m, ctx) => {
  // Other namespaces (AWS/Lambda, CWAgent) use CloudWatch names, not Prometheus names.
  const ok =
    m.namespace === undefined ? METRIC_NAME_RE.test(m.metric) : /^.{1,255}$/s.test(m.metric);
  if (!ok)
    fail(
      ctx,
      `must be ${m.namespace === undefined ? 'a Prometheus metric name' : 'a CloudWatch metric name'}, got ${show(m.metric)}`,
      ['metric'],
    );
});

/** A widget of the user's, on the main dashboard's "Custom" section. */
const widgetSchema = mapping(
  {
    title: named(/^.{1,200}$/s, 'a title of 1-200 characters'),
    /** Metrics charted (at least one of metrics / expressions). */
    metrics: list(widgetMetricSchema).default([]),
    /** Metric math, `SEARCH(...)` or Metrics Insights (`SELECT …`) expressions charted. */
    expressions: z
      .array(z.unknown(), {
        error: 'must be a list of metric math, SEARCH or Metrics Insights (SELECT) expressions',
      })
      .refine((l) => l.every((e) => typeof e === 'string' && e.trim() !== ''), {
        error: 'must be a list of metric math, SEARCH or Metrics Insights (SELECT) expressions',
      })
      .transform((l) => l as string[])
      .superRefine((expressions, ctx) => {
        // A Metrics Insights query in a graph is checked like the ones Vigil writes itself.
        expressions.forEach((e, j) => {
          if (!isMetricsInsightsQuery(e)) return;
          for (const problem of checkMetricsInsightsQuery(e))
            fail(ctx, `Metrics Insights query: ${problem}`, [j]);
        });
      })
      .default([]),
    /** Of 24 grid columns. */
    width: int(1, GRID_COLUMNS, 'joined').default(8),
    height: int(1, MAX_WIDGET_HEIGHT, 'joined').default(6),
  },
  'must be a mapping with title and metrics or expressions',
).superRefine((w, ctx) => {
  const metrics = Array.isArray(w.metrics) ? w.metrics.length : 0;
  const expressions = Array.isArray(w.expressions) ? w.expressions.length : 0;
  if (metrics + expressions === 0) fail(ctx, 'needs at least one of metrics or expressions');
  if (metrics + expressions > MAX_METRICS_PER_WIDGET)
    fail(
      ctx,
      `${metrics + expressions} metrics and expressions; a CloudWatch graph holds at most ${MAX_METRICS_PER_WIDGET}`,
    );
}, onMapping);

/** `dashboards:` of vigil.config.yaml. */
const dashboardsSchema = section({
  /** Create the dashboards. */
  enabled: bool().default(true),
  /** Name of the main dashboard (the project's when not given); others get suffixes (`-2`, `-vigil-health`). */
  name: named(DASHBOARD_NAME_RE, 'letters, digits, - and _ (at most 200)').optional(),
  /**
   * How often the `vigil-dashboards` recording rules run (a PromQL duration, the global
   * `evaluation.interval` when not given): each run queries the store, so a longer interval
   * costs less and draws coarser graphs.
   */
  interval: duration(
    (v) => `must be whole minutes like 5m (the evaluator runs every minute), got ${show(v)}`,
  )
    .refine((ms) => ms >= 60_000 && ms % 60_000 === 0, {
      error: (i) =>
        `must be whole minutes like 5m (the evaluator runs every minute), got ${show(i.input)}`,
    })
    .optional(),
  /** Period of every graph, seconds. CloudWatch graph periods: 1, 5, 10, 30 or a multiple of 60 seconds. */
  periodSeconds: int(60, 86_400, 'joined')
    .refine((p) => p % 60 === 0, {
      error: 'must be a multiple of 60 (mirrored metrics have 1-minute resolution)',
    })
    .default(60),
  /** Range of the `rate()` behind rates, ratios and quantiles (PromQL duration). */
  rateWindow: z
    .string({ error: (i) => `must be a PromQL duration, got ${show(i.input)}` })
    .refine((w) => (parseDurationMs(w) ?? 0) > 0, {
      error: (i) => `must be a positive Prometheus duration like 5m, got ${show(i.input)}`,
    })
    .default('5m'),
  services: servicesSchema,
  models: modelsSchema,
  /** GPU section from the CloudWatch agent's `nvidia_gpu` metrics (namespace CWAgent). */
  gpu: section({ enabled: bool().default(true) }),
  /** Firing alerts by severity and the alarm-status widget. */
  alerts: section({ enabled: bool().default(true) }),
  /** Widgets of the user's own. */
  widgets: list(widgetSchema, 'must be a list of widgets').default([]),
}).transform(({ interval, name, ...d }) => ({
  ...d,
  ...(name === undefined ? {} : { name }),
  ...(interval === undefined ? {} : { intervalMs: interval }),
}));

type DashboardsConfig = Infer<typeof dashboardsSchema>;
type ServicesDashboardConfig = DashboardsConfig['services'];
type ModelsDashboardConfig = DashboardsConfig['models'];
type UserWidgetConfig = DashboardsConfig['widgets'][number];
type UserWidgetMetric = UserWidgetConfig['metrics'][number];

const DEFAULT_DASHBOARDS_CONFIG: DashboardsConfig = dashboardsSchema.parse(undefined);

/**
 * Validates `dashboards:`; every problem is returned with its path.
 * @example validateDashboardsConfig({ services: { list: ['rxvision-api'] }, gpu: { enabled: false } })
 */
const validateDashboardsConfig = (
  raw: unknown,
  path = 'dashboards',
): { config: DashboardsConfig; issues: ConfigIssue[] } =>
  runSchema(dashboardsSchema, raw, path, () => DEFAULT_DASHBOARDS_CONFIG as never);

export type {
  DashboardsConfig,
  ModelsDashboardConfig,
  ServicesDashboardConfig,
  UserWidgetConfig,
  UserWidgetMetric,
};
export {
  DASHBOARD_NAME_RE,
  DEFAULT_DASHBOARDS_CONFIG,
  dashboardsSchema,
  GRID_COLUMNS,
  MAX_METRICS_PER_WIDGET,
  STAT_RE,
  validateDashboardsConfig,
};
