/**
 * The series behind the dashboards, and how each reaches CloudWatch.
 *
 * The CloudWatch mirror copies each sample value as it arrives (EMF). That suits gauges, but not
 * what a dashboard shows of counters and histograms: a mirrored counter is a cumulative value (and
 * CloudWatch merges the series that differ only in unmirrored labels), and a mirrored
 * `_bucket{le}` series gives CloudWatch cumulative bucket counts it cannot turn into a quantile.
 * So every dashboard series is a **recording rule** evaluated by Vigil's rule evaluator with
 * Prometheus's own semantics (`rate`, `histogram_quantile` over `sum by (…, le)`), and the
 * evaluator mirrors its recorded samples: one value per series and evaluation, charted with the
 * `Average` statistic. The rules form one group, `vigil-dashboards`, that `/api/v1/rules` lists,
 * and the recorded series are queryable with PromQL like any other.
 * @see https://prometheus.io/docs/practices/histograms/#quantiles
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
import type { MirrorRule } from '../config/types';
import type { RecordingRuleDefinition, RuleGroupDefinition } from '../rules/alert-state';
import type { RulesDocument } from '../rules/rules-document';
import type { EvaluationConfig } from '../config/types';
import type { AlertingConfig } from '../alerting/config';
import type { DashboardsConfig } from './dashboards-config';

/**
 * Prefix of every recorded dashboard series (Prometheus `level:metric:operations` style). The
 * colons are fine as CloudWatch metric names: 1–255 characters, no pattern
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Metric.html).
 */
const DASHBOARD_RECORD_PREFIX = 'vigil_dashboard';
/** Name of the recording-rule group evaluated for the dashboards. */
const DASHBOARD_RULE_GROUP = 'vigil-dashboards';
/** The `file` the rules document shows for {@link DASHBOARD_RULE_GROUP}. */
const DASHBOARD_RULE_FILE = '(vigil.config.yaml dashboards)';

/** Which severity label values land on each alert topic (`channels:` aliases and default). */
interface SeverityRouting {
  /** Topic severity → the `severity` label values routed to it (itself and its aliases). */
  readonly severities: Readonly<Record<string, readonly string[]>>;
  /** Topic of alerts without a severity label. */
  readonly default: string;
}

/** One recorded series family on a dashboard: its rules and its CloudWatch dimensions. */
interface DashboardSeries {
  /** Recorded metric name, also the CloudWatch metric name. */
  readonly record: string;
  /** Label names kept as CloudWatch dimensions, in order. */
  readonly dimensions: readonly string[];
  readonly rules: readonly RecordingRuleDefinition[];
}

/** The dashboard series of one section. */
interface DashboardSeriesSet {
  readonly requestRate: DashboardSeries;
  readonly errorRatio: DashboardSeries;
  readonly latency: DashboardSeries;
  readonly predictionRate: DashboardSeries;
  readonly confidence: DashboardSeries;
  readonly inferenceMean: DashboardSeries;
  readonly accuracy: DashboardSeries;
  readonly drift: DashboardSeries;
  readonly firingAlerts: DashboardSeries;
}

/** `http_requests_total` → `http_requests` (Prometheus: counters end in `_total`). */
const base = (metric: string): string => metric.replace(/_total$/, '');

/** A PromQL double-quoted string literal. */
const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A regex matching exactly one of `values` (RE2 metacharacters escaped). */
const alternation = (values: readonly string[]): string =>
  values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/** Prometheus formats quantile labels as Go's `%g`-like shortest float text. */
const quantileLabel = (q: number): string => String(q);

/** One quantile of a histogram panel: `quantile` label value and its expression. */
interface QuantileExpression {
  readonly quantile: string;
  readonly expr: string;
}

/** The PromQL behind each dashboard series, before it is recorded. */
interface DashboardExpressions {
  readonly requestRate: string;
  readonly errorRatio: string;
  readonly latency: readonly QuantileExpression[];
  readonly predictionRate: string;
  readonly confidence: readonly QuantileExpression[];
  readonly inferenceMean: string;
  readonly accuracy: string;
  readonly drift: string;
}

/**
 * The PromQL of every dashboard series for `config`: what the `vigil-dashboards` recording rules
 * evaluate, and what the Grafana dashboards query directly.
 *
 * @param filter - label values every service and model selector keeps (a row of one service or
 *   model), added as `name="value"` matchers; drift is never filtered
 * @example dashboardExpressions(config, { job: 'rxvision-api' }).requestRate
 * // 'sum by (job) (rate(http_requests_total{job="rxvision-api"}[5m]))'
 */
const dashboardExpressions = (
  config: DashboardsConfig,
  filter: Readonly<Record<string, string>> = {},
): DashboardExpressions => {
  const w = config.rateWindow;
  const s = config.services;
  const m = config.models;
  const sBy = s.by.join(', ');
  const mBy = m.by.join(', ');
  const extra = Object.entries(filter).map(([k, v]) => `${k}=${quote(v)}`);
  /** `metric{matchers…, filter…}`, or the bare name without any. */
  const sel = (metric: string, matchers: readonly string[] = []) => {
    const all = [...matchers, ...extra];
    return all.length === 0 ? metric : `${metric}{${all.join(', ')}}`;
  };
  const rate = (selector: string, by: string) => `sum by (${by}) (rate(${selector}[${w}]))`;
  const requests = rate(sel(s.requests), sBy);
  const errors = rate(sel(s.requests, [`${s.statusLabel}=~${quote(s.errorStatus)}`]), sBy);
  const quantiles = (metric: string, by: string, qs: readonly number[]) =>
    qs.map((q) => ({
      quantile: quantileLabel(q),
      expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${sel(`${metric}_bucket`)}[${w}])))`,
    }));
  return {
    requestRate: requests,
    // `or … * 0`: a service without errors has no error series; its ratio is 0, not absent.
    errorRatio: `(${errors} or ${requests} * 0) / ${requests}`,
    latency: quantiles(s.duration, sBy, s.quantiles),
    predictionRate: rate(sel(m.predictions), `${mBy}, ${m.resultLabel}`),
    confidence: quantiles(m.confidence, mBy, m.confidenceQuantiles),
    // `_sum / _count`: the mean of a histogram or a summary alike.
    inferenceMean: `${rate(sel(`${m.inferenceDuration}_sum`), mBy)} / ${rate(sel(`${m.inferenceDuration}_count`), mBy)}`,
    accuracy: `avg by (${mBy}) (${sel(m.accuracy)})`,
    drift: `max by (${m.driftBy.join(', ')}) (${m.drift})`,
  };
};

/**
 * Per topic severity, the expression counting its firing alerts (0 when none fire): the
 * `severity` values routed to the topic, and unlabelled alerts for the default topic.
 */
const firingAlertExpressions = (
  routing: SeverityRouting,
): { readonly severity: string; readonly expr: string }[] => {
  const severityValues = (sev: string): string[] => [
    ...(routing.severities[sev] ?? [sev]),
    ...(sev === routing.default ? [''] : []),
  ];
  return Object.keys(routing.severities).map((sev) => ({
    severity: sev,
    expr: `count(ALERTS{alertstate="firing", severity=~${quote(alternation(severityValues(sev)))}}) or vector(0)`,
  }));
};

/**
 * The series of every dashboard section for `config`.
 *
 * @param config - `dashboards:`
 * @param routing - how `severity` values map to topics, for the firing-alerts series
 */
const dashboardSeries = (
  config: DashboardsConfig,
  routing: SeverityRouting,
): DashboardSeriesSet => {
  const w = config.rateWindow;
  const s = config.services;
  const m = config.models;
  const e = dashboardExpressions(config);
  const rec = (metric: string, op: string) => `${DASHBOARD_RECORD_PREFIX}:${metric}:${op}`;
  const quantileRules = (qs: readonly QuantileExpression[], record: string) =>
    qs.map(({ quantile, expr }) => ({ record, expr, labels: { quantile } }));

  const latencyRecord = rec(s.duration, `histogram_quantile_rate${w}`);
  const confidenceRecord = rec(m.confidence, `histogram_quantile_rate${w}`);
  const alertsRecord = rec('alerts_firing', 'count');
  return {
    requestRate: {
      record: rec(base(s.requests), `rate${w}`),
      dimensions: s.by,
      rules: [{ record: rec(base(s.requests), `rate${w}`), expr: e.requestRate }],
    },
    errorRatio: {
      record: rec(`${base(s.requests)}_errors`, `ratio_rate${w}`),
      dimensions: s.by,
      rules: [{ record: rec(`${base(s.requests)}_errors`, `ratio_rate${w}`), expr: e.errorRatio }],
    },
    latency: {
      record: latencyRecord,
      dimensions: [...s.by, 'quantile'],
      rules: quantileRules(e.latency, latencyRecord),
    },
    predictionRate: {
      record: rec(base(m.predictions), `rate${w}`),
      dimensions: [...m.by, m.resultLabel],
      rules: [{ record: rec(base(m.predictions), `rate${w}`), expr: e.predictionRate }],
    },
    confidence: {
      record: confidenceRecord,
      dimensions: [...m.by, 'quantile'],
      rules: quantileRules(e.confidence, confidenceRecord),
    },
    inferenceMean: {
      record: rec(m.inferenceDuration, `mean_rate${w}`),
      dimensions: m.by,
      rules: [{ record: rec(m.inferenceDuration, `mean_rate${w}`), expr: e.inferenceMean }],
    },
    accuracy: {
      record: rec(m.accuracy, 'avg'),
      dimensions: m.by,
      rules: [{ record: rec(m.accuracy, 'avg'), expr: e.accuracy }],
    },
    drift: {
      record: rec(m.drift, 'max'),
      dimensions: m.driftBy,
      rules: [{ record: rec(m.drift, 'max'), expr: e.drift }],
    },
    firingAlerts: {
      record: alertsRecord,
      dimensions: ['severity'],
      // One series per topic severity, 0 when nothing fires, so the graph shows a flat 0.
      rules: firingAlertExpressions(routing).map(({ severity, expr }) => ({
        record: alertsRecord,
        expr,
        labels: { severity },
      })),
    },
  };
};

/** The series of the enabled sections only. */
const enabledSeries = (config: DashboardsConfig, routing: SeverityRouting): DashboardSeries[] => {
  if (!config.enabled) return [];
  const all = dashboardSeries(config, routing);
  return [
    ...(config.services.enabled ? [all.requestRate, all.errorRatio, all.latency] : []),
    ...(config.models.enabled
      ? [all.predictionRate, all.confidence, all.inferenceMean, all.accuracy, all.drift]
      : []),
    ...(config.alerts.enabled ? [all.firingAlerts] : []),
  ];
};

/**
 * The recording-rule group the evaluator runs for the dashboards, or undefined when no dashboard
 * section needs one.
 *
 * @param intervalMs - the group's evaluation interval (the global `evaluation.interval`)
 */
const dashboardRuleGroup = (
  config: DashboardsConfig,
  routing: SeverityRouting,
  intervalMs: number,
): (RuleGroupDefinition & { readonly file: string }) | undefined => {
  const rules = enabledSeries(config, routing).flatMap((s) => s.rules);
  if (rules.length === 0) return undefined;
  return { file: DASHBOARD_RULE_FILE, name: DASHBOARD_RULE_GROUP, intervalMs, rules };
};

/** The mirror rules of the recorded dashboard series. */
const recordedMirrorRules = (config: DashboardsConfig, routing: SeverityRouting): MirrorRule[] =>
  enabledSeries(config, routing).map((s) => ({ metric: s.record, dimensions: s.dimensions }));

/**
 * The rules document with the dashboards' recording-rule group added (replacing a user group of
 * the same name and file, which cannot exist as the file name is not a path). Without rule files
 * a document holding only that group is made, so the evaluator runs for the dashboards alone;
 * undefined when neither exists.
 */
const withDashboardRules = (
  document: RulesDocument | undefined,
  config: DashboardsConfig,
  routing: SeverityRouting,
  settings: { readonly evaluation: EvaluationConfig; readonly alerting: AlertingConfig },
): RulesDocument | undefined => {
  const group = dashboardRuleGroup(
    config,
    routing,
    config.intervalMs ?? settings.evaluation.intervalMs,
  );
  if (!group) return document;
  const base = document ?? { groups: [], ...settings };
  return { ...base, groups: [...base.groups, group] };
};

export type {
  DashboardExpressions,
  DashboardSeries,
  DashboardSeriesSet,
  QuantileExpression,
  SeverityRouting,
};
export {
  DASHBOARD_RECORD_PREFIX,
  DASHBOARD_RULE_FILE,
  DASHBOARD_RULE_GROUP,
  dashboardExpressions,
  dashboardRuleGroup,
  dashboardSeries,
  enabledSeries,
  firingAlertExpressions,
  recordedMirrorRules,
  withDashboardRules,
};
