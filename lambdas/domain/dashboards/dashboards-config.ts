/**
 * `dashboards:` in vigil.config.yaml: which CloudWatch dashboards `cdk deploy` creates, the metric
 * names they chart (defaults are the example services' names) and the user's own widgets.
 */
import type { ConfigIssue } from '../config/validate';
import { parseDurationMs } from '../promql/lexical';
import { compileRegex } from '../regex/re2';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../series/labels';
import { checkMetricsInsightsQuery, isMetricsInsightsQuery } from './metrics-insights';

/** Per-service widgets: request rate, latency quantiles, error ratio. */
interface ServicesDashboardConfig {
  readonly enabled: boolean;
  /** Counter of requests with a status label. @default 'http_requests_total' */
  readonly requests: string;
  /** Label of {@link requests} holding the HTTP status. @default 'status' */
  readonly statusLabel: string;
  /** RE2 regex of the error statuses. @default '5..' */
  readonly errorStatus: string;
  /** Histogram of request durations, seconds. @default 'http_request_duration_seconds' */
  readonly duration: string;
  /** Quantiles of {@link duration} charted. @default [0.5, 0.95, 0.99] */
  readonly quantiles: readonly number[];
  /** Labels that tell services apart (CloudWatch dimensions). @default ['job'] */
  readonly by: readonly string[];
  /**
   * Values of the first {@link by} label that get a row of their own; empty = one row showing
   * every service (SEARCH). @default []
   */
  readonly list: readonly string[];
}

/** Per-model widgets: predictions by result, confidence, inference time, accuracy, drift. */
interface ModelsDashboardConfig {
  readonly enabled: boolean;
  /** Counter of predictions. @default 'model_predictions_total' */
  readonly predictions: string;
  /** Label of {@link predictions} holding the outcome. @default 'result' */
  readonly resultLabel: string;
  /** Histogram of prediction confidence (0–1). @default 'prediction_confidence' */
  readonly confidence: string;
  /** Quantiles of {@link confidence} charted. @default [0.1, 0.5, 0.9] */
  readonly confidenceQuantiles: readonly number[];
  /** Histogram or summary of inference time, seconds (its `_sum`/`_count` give the mean). @default 'ml_inference_duration_seconds' */
  readonly inferenceDuration: string;
  /** Gauge of model accuracy, where reported. @default 'ml_model_accuracy' */
  readonly accuracy: string;
  /** Labels that tell models apart. @default ['model_version'] */
  readonly by: readonly string[];
  /** Values of the first {@link by} label with a row of their own; empty = one row for all. @default [] */
  readonly list: readonly string[];
  /** Drift score gauge written by Vigil's drift monitors. @default 'vigil_drift_score' */
  readonly drift: string;
  /** Labels of {@link drift}. @default ['monitor', 'feature', 'method'] */
  readonly driftBy: readonly string[];
}

/** One metric of a user widget. */
interface UserWidgetMetric {
  /** Metric name: a mirrored Prometheus metric, or any CloudWatch metric with `namespace`. */
  readonly metric: string;
  /** CloudWatch namespace. @default the mirror namespace (`cloudwatch.namespace`) */
  readonly namespace?: string;
  /** Dimension (label) name → value. @default {} */
  readonly dimensions: Readonly<Record<string, string>>;
  /** CloudWatch statistic. @default 'Average' */
  readonly stat: string;
  readonly label?: string;
}

/** A widget of the user's, on the main dashboard's "Custom" section. */
interface UserWidgetConfig {
  readonly title: string;
  /** Metrics charted (at least one of metrics / expressions). */
  readonly metrics: readonly UserWidgetMetric[];
  /** Metric math, `SEARCH(...)` or Metrics Insights (`SELECT …`) expressions charted. */
  readonly expressions: readonly string[];
  /** @default 8 (of 24 grid columns) */
  readonly width: number;
  /** @default 6 */
  readonly height: number;
}

/** `dashboards:` of vigil.config.yaml. */
interface DashboardsConfig {
  /** Create the dashboards. @default true */
  readonly enabled: boolean;
  /** Name of the main dashboard; others get suffixes (`-2`, `-vigil-health`). @default the project */
  readonly name?: string;
  /** Period of every graph, seconds. @default 60 */
  readonly periodSeconds: number;
  /** Range of the `rate()` behind rates, ratios and quantiles (PromQL duration). @default '5m' */
  readonly rateWindow: string;
  /**
   * How often the `vigil-dashboards` recording rules run, ms (`interval`, a PromQL duration): each
   * run queries the store, so a longer interval costs less and draws coarser graphs.
   * @default - the global `evaluation.interval`
   */
  readonly intervalMs?: number;
  readonly services: ServicesDashboardConfig;
  readonly models: ModelsDashboardConfig;
  /** GPU section from the CloudWatch agent's `nvidia_gpu` metrics (namespace CWAgent). @default true */
  readonly gpu: { readonly enabled: boolean };
  /** Firing alerts by severity and the alarm-status widget. @default true */
  readonly alerts: { readonly enabled: boolean };
  /** Widgets of the user's own. @default [] */
  readonly widgets: readonly UserWidgetConfig[];
}

const DEFAULT_DASHBOARDS_CONFIG: DashboardsConfig = {
  enabled: true,
  periodSeconds: 60,
  rateWindow: '5m',
  services: {
    enabled: true,
    requests: 'http_requests_total',
    statusLabel: 'status',
    errorStatus: '5..',
    duration: 'http_request_duration_seconds',
    quantiles: [0.5, 0.95, 0.99],
    by: ['job'],
    list: [],
  },
  models: {
    enabled: true,
    predictions: 'model_predictions_total',
    resultLabel: 'result',
    confidence: 'prediction_confidence',
    confidenceQuantiles: [0.1, 0.5, 0.9],
    inferenceDuration: 'ml_inference_duration_seconds',
    accuracy: 'ml_model_accuracy',
    by: ['model_version'],
    list: [],
    drift: 'vigil_drift_score',
    driftBy: ['monitor', 'feature', 'method'],
  },
  gpu: { enabled: true },
  alerts: { enabled: true },
  widgets: [],
};

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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly issues: ConfigIssue[] = [];
  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  keys(o: Obj, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.fail(`${path}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }
  section(o: Obj, key: string, path: string): Obj {
    const v = o[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.fail(path, 'must be a mapping');
      return {};
    }
    return v;
  }
  bool(o: Obj, key: string, path: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.fail(path, 'must be true or false');
      return def;
    }
    return v;
  }
  int(o: Obj, key: string, path: string, def: number, min: number, max: number): number {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
  name(
    o: Obj,
    key: string,
    path: string,
    def: string,
    re: Pick<RegExp, 'test'>,
    what: string,
  ): string {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string' || !re.test(v)) {
      this.fail(path, `must be ${what}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
  names(o: Obj, key: string, path: string, def: readonly string[], re: RegExp, what: string) {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !re.test(x))) {
      this.fail(path, `must be a list of ${what}`);
      return def;
    }
    return v as string[];
  }
  quantiles(o: Obj, key: string, path: string, def: readonly number[]): readonly number[] {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (
      !Array.isArray(v) ||
      v.length === 0 ||
      v.some((q) => typeof q !== 'number' || !(q > 0 && q < 1))
    ) {
      this.fail(path, 'must be a non-empty list of numbers between 0 and 1 (exclusive)');
      return def;
    }
    return v as number[];
  }
}

/** A regex matcher value RE2 compiles, up to 1024 characters. */
const RE2_PATTERN: Pick<RegExp, 'test'> = {
  test: (v: string): boolean => {
    if (v.length === 0 || v.length > 1024) return false;
    try {
      compileRegex(v);
      return true;
    } catch {
      return false;
    }
  },
};
/** Label values shown in SEARCH terms: no quotes, which the search string cannot carry. */
const SEARCH_VALUE_RE = /^[^'"]{1,1024}$/;

const readServices = (r: Reader, raw: Obj, path: string): ServicesDashboardConfig => {
  const d = DEFAULT_DASHBOARDS_CONFIG.services;
  r.keys(raw, Object.keys(d), path);
  const metric = (k: keyof ServicesDashboardConfig) =>
    r.name(raw, k, `${path}.${k}`, d[k] as string, METRIC_NAME_RE, 'a Prometheus metric name');
  const by = r.names(raw, 'by', `${path}.by`, d.by, LABEL_NAME_RE, 'label names');
  if (by.length === 0) r.fail(`${path}.by`, 'must name at least one label');
  return {
    enabled: r.bool(raw, 'enabled', `${path}.enabled`, d.enabled),
    requests: metric('requests'),
    statusLabel: r.name(
      raw,
      'statusLabel',
      `${path}.statusLabel`,
      d.statusLabel,
      LABEL_NAME_RE,
      'a label name',
    ),
    errorStatus: r.name(
      raw,
      'errorStatus',
      `${path}.errorStatus`,
      d.errorStatus,
      RE2_PATTERN,
      'an RE2 regex',
    ),
    duration: metric('duration'),
    quantiles: r.quantiles(raw, 'quantiles', `${path}.quantiles`, d.quantiles),
    by,
    list: r.names(
      raw,
      'list',
      `${path}.list`,
      d.list,
      SEARCH_VALUE_RE,
      'label values without quotes',
    ),
  };
};

const readModels = (r: Reader, raw: Obj, path: string): ModelsDashboardConfig => {
  const d = DEFAULT_DASHBOARDS_CONFIG.models;
  r.keys(raw, Object.keys(d), path);
  const metric = (k: keyof ModelsDashboardConfig) =>
    r.name(raw, k, `${path}.${k}`, d[k] as string, METRIC_NAME_RE, 'a Prometheus metric name');
  const by = r.names(raw, 'by', `${path}.by`, d.by, LABEL_NAME_RE, 'label names');
  if (by.length === 0) r.fail(`${path}.by`, 'must name at least one label');
  return {
    enabled: r.bool(raw, 'enabled', `${path}.enabled`, d.enabled),
    predictions: metric('predictions'),
    resultLabel: r.name(
      raw,
      'resultLabel',
      `${path}.resultLabel`,
      d.resultLabel,
      LABEL_NAME_RE,
      'a label name',
    ),
    confidence: metric('confidence'),
    confidenceQuantiles: r.quantiles(
      raw,
      'confidenceQuantiles',
      `${path}.confidenceQuantiles`,
      d.confidenceQuantiles,
    ),
    inferenceDuration: metric('inferenceDuration'),
    accuracy: metric('accuracy'),
    by,
    list: r.names(
      raw,
      'list',
      `${path}.list`,
      d.list,
      SEARCH_VALUE_RE,
      'label values without quotes',
    ),
    drift: metric('drift'),
    driftBy: r.names(raw, 'driftBy', `${path}.driftBy`, d.driftBy, LABEL_NAME_RE, 'label names'),
  };
};

const readWidgetMetric = (r: Reader, raw: unknown, path: string): UserWidgetMetric | undefined => {
  if (!isObj(raw)) {
    r.fail(path, 'must be a mapping with metric, dimensions, stat');
    return undefined;
  }
  r.keys(raw, ['metric', 'namespace', 'dimensions', 'stat', 'label'], path);
  const namespace = raw.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace === '')) {
    r.fail(`${path}.namespace`, 'must be a CloudWatch namespace');
  }
  const metric = r.name(
    raw,
    'metric',
    `${path}.metric`,
    '',
    // Other namespaces (AWS/Lambda, CWAgent) use CloudWatch names, not Prometheus names.
    typeof namespace === 'string' ? /^.{1,255}$/s : METRIC_NAME_RE,
    typeof namespace === 'string' ? 'a CloudWatch metric name' : 'a Prometheus metric name',
  );
  if (raw.metric === undefined) r.fail(`${path}.metric`, 'is required');
  const dimensions: Record<string, string> = {};
  if (raw.dimensions !== undefined && raw.dimensions !== null) {
    if (!isObj(raw.dimensions)) r.fail(`${path}.dimensions`, 'must map dimension names to values');
    else {
      for (const [k, v] of Object.entries(raw.dimensions)) {
        if (typeof v !== 'string' || v === '')
          r.fail(`${path}.dimensions.${k}`, 'must be a non-empty string');
        else dimensions[k] = v;
      }
      if (Object.keys(dimensions).length > 30)
        r.fail(`${path}.dimensions`, 'at most 30 dimensions (CloudWatch limit)');
    }
  }
  const stat = r.name(
    raw,
    'stat',
    `${path}.stat`,
    'Average',
    STAT_RE,
    'a CloudWatch statistic (Average, Sum, Maximum, p99, …)',
  );
  const label = typeof raw.label === 'string' ? raw.label : undefined;
  return {
    metric,
    ...(typeof namespace === 'string' && namespace !== '' ? { namespace } : {}),
    dimensions,
    stat,
    ...(label === undefined ? {} : { label }),
  };
};

const readWidgets = (r: Reader, raw: unknown, path: string): UserWidgetConfig[] => {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    r.fail(path, 'must be a list of widgets');
    return [];
  }
  const out: UserWidgetConfig[] = [];
  raw.forEach((w, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(w)) {
      r.fail(p, 'must be a mapping with title and metrics or expressions');
      return;
    }
    r.keys(w, ['title', 'metrics', 'expressions', 'width', 'height'], p);
    const title = r.name(
      w,
      'title',
      `${p}.title`,
      '',
      /^.{1,200}$/s,
      'a title of 1-200 characters',
    );
    if (w.title === undefined) r.fail(`${p}.title`, 'is required');
    const metricsRaw = w.metrics ?? [];
    const exprRaw = w.expressions ?? [];
    if (!Array.isArray(metricsRaw)) r.fail(`${p}.metrics`, 'must be a list');
    if (!Array.isArray(exprRaw) || exprRaw.some((e) => typeof e !== 'string' || e.trim() === '')) {
      r.fail(
        `${p}.expressions`,
        'must be a list of metric math, SEARCH or Metrics Insights (SELECT) expressions',
      );
    }
    const metrics = (Array.isArray(metricsRaw) ? metricsRaw : [])
      .map((m, j) => readWidgetMetric(r, m, `${p}.metrics[${j}]`))
      .filter((m): m is UserWidgetMetric => m !== undefined);
    const expressions = Array.isArray(exprRaw)
      ? exprRaw.filter((e): e is string => typeof e === 'string')
      : [];
    // A Metrics Insights query in a graph is checked like the ones Vigil writes itself.
    expressions.forEach((e, j) => {
      if (!isMetricsInsightsQuery(e)) return;
      for (const problem of checkMetricsInsightsQuery(e)) {
        r.fail(`${p}.expressions[${j}]`, `Metrics Insights query: ${problem}`);
      }
    });
    if (metrics.length + expressions.length === 0)
      r.fail(p, 'needs at least one of metrics or expressions');
    if (metrics.length + expressions.length > MAX_METRICS_PER_WIDGET) {
      r.fail(
        p,
        `${metrics.length + expressions.length} metrics and expressions; a CloudWatch graph holds at most ${MAX_METRICS_PER_WIDGET}`,
      );
    }
    out.push({
      title,
      metrics,
      expressions,
      width: r.int(w, 'width', `${p}.width`, 8, 1, GRID_COLUMNS),
      height: r.int(w, 'height', `${p}.height`, 6, 1, MAX_WIDGET_HEIGHT),
    });
  });
  return out;
};

/**
 * Validates `dashboards:`; every problem is returned with its path.
 * @example validateDashboardsConfig({ services: { list: ['rxvision-api'] }, gpu: { enabled: false } })
 */
const validateDashboardsConfig = (
  raw: unknown,
  path = 'dashboards',
): { config: DashboardsConfig; issues: ConfigIssue[] } => {
  const r = new Reader();
  if (raw === undefined || raw === null) return { config: DEFAULT_DASHBOARDS_CONFIG, issues: [] };
  if (!isObj(raw)) {
    r.fail(path, 'must be a mapping');
    return { config: DEFAULT_DASHBOARDS_CONFIG, issues: r.issues };
  }
  const d = DEFAULT_DASHBOARDS_CONFIG;
  r.keys(raw, [...Object.keys(d), 'name', 'interval'], path);
  let intervalMs: number | undefined;
  if (raw.interval !== undefined && raw.interval !== null) {
    intervalMs = typeof raw.interval === 'string' ? parseDurationMs(raw.interval) : undefined;
    if (!(intervalMs !== undefined && intervalMs >= 60_000 && intervalMs % 60_000 === 0)) {
      r.fail(
        `${path}.interval`,
        `must be whole minutes like 5m (the evaluator runs every minute), got ${JSON.stringify(raw.interval)}`,
      );
      intervalMs = undefined;
    }
  }
  const rateWindow = r.name(
    raw,
    'rateWindow',
    `${path}.rateWindow`,
    d.rateWindow,
    /^.+$/,
    'a PromQL duration',
  );
  if (!((parseDurationMs(rateWindow) ?? 0) > 0)) {
    r.fail(
      `${path}.rateWindow`,
      `must be a positive Prometheus duration like 5m, got ${JSON.stringify(rateWindow)}`,
    );
  }
  const gpu = r.section(raw, 'gpu', `${path}.gpu`);
  r.keys(gpu, ['enabled'], `${path}.gpu`);
  const alerts = r.section(raw, 'alerts', `${path}.alerts`);
  r.keys(alerts, ['enabled'], `${path}.alerts`);
  const name =
    raw.name === undefined || raw.name === null
      ? undefined
      : r.name(
          raw,
          'name',
          `${path}.name`,
          '',
          DASHBOARD_NAME_RE,
          'letters, digits, - and _ (at most 200)',
        );
  const config: DashboardsConfig = {
    enabled: r.bool(raw, 'enabled', `${path}.enabled`, d.enabled),
    ...(name ? { name } : {}),
    ...(intervalMs === undefined ? {} : { intervalMs }),
    // CloudWatch graph periods: 1, 5, 10, 30 or a multiple of 60 seconds.
    periodSeconds: r.int(
      raw,
      'periodSeconds',
      `${path}.periodSeconds`,
      d.periodSeconds,
      60,
      86_400,
    ),
    rateWindow,
    services: readServices(r, r.section(raw, 'services', `${path}.services`), `${path}.services`),
    models: readModels(r, r.section(raw, 'models', `${path}.models`), `${path}.models`),
    gpu: { enabled: r.bool(gpu, 'enabled', `${path}.gpu.enabled`, d.gpu.enabled) },
    alerts: { enabled: r.bool(alerts, 'enabled', `${path}.alerts.enabled`, d.alerts.enabled) },
    widgets: readWidgets(r, raw.widgets, `${path}.widgets`),
  };
  if (config.periodSeconds % 60 !== 0) {
    r.fail(
      `${path}.periodSeconds`,
      'must be a multiple of 60 (mirrored metrics have 1-minute resolution)',
    );
  }
  return { config, issues: r.issues };
};

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
  GRID_COLUMNS,
  MAX_METRICS_PER_WIDGET,
  STAT_RE,
  validateDashboardsConfig,
};
