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
  const sBy = s.by.join(', ');
  const mBy = m.by.join(', ');
  const rec = (metric: string, op: string) => `${DASHBOARD_RECORD_PREFIX}:${metric}:${op}`;
  const rate = (sel: string, by: string) => `sum by (${by}) (rate(${sel}[${w}]))`;
  const requests = rate(s.requests, sBy);
  const errors = rate(`${s.requests}{${s.statusLabel}=~${quote(s.errorStatus)}}`, sBy);
  const quantileRules = (metric: string, by: string, qs: readonly number[], record: string) =>
    qs.map((q) => ({
      record,
      expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric}_bucket[${w}])))`,
      labels: { quantile: quantileLabel(q) },
    }));

  const latencyRecord = rec(s.duration, `histogram_quantile_rate${w}`);
  const confidenceRecord = rec(m.confidence, `histogram_quantile_rate${w}`);
  const alertsRecord = rec('alerts_firing', 'count');
  const severityValues = (sev: string): string[] => [
    ...(routing.severities[sev] ?? [sev]),
    ...(sev === routing.default ? [''] : []),
  ];
  return {
    requestRate: {
      record: rec(base(s.requests), `rate${w}`),
      dimensions: s.by,
      rules: [{ record: rec(base(s.requests), `rate${w}`), expr: requests }],
    },
    errorRatio: {
      record: rec(`${base(s.requests)}_errors`, `ratio_rate${w}`),
      dimensions: s.by,
      rules: [
        {
          record: rec(`${base(s.requests)}_errors`, `ratio_rate${w}`),
          // `or … * 0`: a service without errors has no error series; its ratio is 0, not absent.
          expr: `(${errors} or ${requests} * 0) / ${requests}`,
        },
      ],
    },
    latency: {
      record: latencyRecord,
      dimensions: [...s.by, 'quantile'],
      rules: quantileRules(s.duration, sBy, s.quantiles, latencyRecord),
    },
    predictionRate: {
      record: rec(base(m.predictions), `rate${w}`),
      dimensions: [...m.by, m.resultLabel],
      rules: [
        {
          record: rec(base(m.predictions), `rate${w}`),
          expr: rate(m.predictions, `${mBy}, ${m.resultLabel}`),
        },
      ],
    },
    confidence: {
      record: confidenceRecord,
      dimensions: [...m.by, 'quantile'],
      rules: quantileRules(m.confidence, mBy, m.confidenceQuantiles, confidenceRecord),
    },
    inferenceMean: {
      record: rec(m.inferenceDuration, `mean_rate${w}`),
      dimensions: m.by,
      rules: [
        {
          record: rec(m.inferenceDuration, `mean_rate${w}`),
          // `_sum / _count`: the mean of a histogram or a summary alike.
          expr: `${rate(`${m.inferenceDuration}_sum`, mBy)} / ${rate(`${m.inferenceDuration}_count`, mBy)}`,
        },
      ],
    },
    accuracy: {
      record: rec(m.accuracy, 'avg'),
      dimensions: m.by,
      rules: [{ record: rec(m.accuracy, 'avg'), expr: `avg by (${mBy}) (${m.accuracy})` }],
    },
    drift: {
      record: rec(m.drift, 'max'),
      dimensions: m.driftBy,
      rules: [
        {
          record: rec(m.drift, 'max'),
          expr: `max by (${m.driftBy.join(', ')}) (${m.drift})`,
        },
      ],
    },
    firingAlerts: {
      record: alertsRecord,
      dimensions: ['severity'],
      // One series per topic severity, 0 when nothing fires, so the graph shows a flat 0.
      rules: Object.keys(routing.severities).map((sev) => ({
        record: alertsRecord,
        expr: `count(ALERTS{alertstate="firing", severity=~${quote(alternation(severityValues(sev)))}}) or vector(0)`,
        labels: { severity: sev },
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

export type { DashboardSeries, DashboardSeriesSet, SeverityRouting };
export {
  DASHBOARD_RECORD_PREFIX,
  DASHBOARD_RULE_FILE,
  DASHBOARD_RULE_GROUP,
  dashboardRuleGroup,
  dashboardSeries,
  enabledSeries,
  recordedMirrorRules,
  withDashboardRules,
};
