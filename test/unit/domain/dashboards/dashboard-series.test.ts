import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import {
  DASHBOARD_RULE_FILE,
  DASHBOARD_RULE_GROUP,
  dashboardExpressions,
  dashboardRuleGroup,
  dashboardSeries,
  withDashboardRules,
} from '../../../../lambdas/domain/dashboards/dashboard-series';
import {
  DEFAULT_DASHBOARDS_CONFIG,
  type DashboardsConfig,
} from '../../../../lambdas/domain/dashboards/dashboards-config';
import { severityRoutingOf } from '../../../../lambdas/domain/dashboards/mirror-rules';
import { DEFAULT_ALERTING_CONFIG } from '../../../../lambdas/domain/alerting/config';
import { DEFAULT_CHANNELS_CONFIG } from '../../../../lambdas/domain/notifications/channels-config';
import { parseExpr } from '../../../../lambdas/domain/promql';
import type { RecordingRuleDefinition } from '../../../../lambdas/domain/rules/alert-state';
import { ruleQuery } from '../../../../lambdas/domain/rules/rule-query';
import type { Series } from '../../../../lambdas/domain/series/sample';

const ROUTING = severityRoutingOf(DEFAULT_CHANNELS_CONFIG);
const SERIES = dashboardSeries(DEFAULT_DASHBOARDS_CONFIG, ROUTING);
const AT = 600_000;
const EVALUATION = { intervalMs: 60_000, externalLabels: {}, externalUrl: '' };

/** A counter growing by `perSecond` every second from 0 to `AT`, sampled every 15 s. */
const counter = (labels: Record<string, string>, perSecond: number): Series => ({
  labels,
  samples: Array.from({ length: AT / 15_000 + 1 }, (_, i) => ({
    t: i * 15_000,
    v: i * 15 * perSecond,
  })),
});

const gauge = (labels: Record<string, string>, v: number): Series => ({
  labels,
  samples: [{ t: AT - 30_000, v }],
});

/** Evaluates every rule of a series family at `AT` like the evaluator does. */
const evaluate = async (store: MemorySeriesStore, rules: readonly RecordingRuleDefinition[]) => {
  const query = ruleQuery(store, 60_000);
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const rule of rules) {
    for (const s of await query(rule.expr, AT)) {
      out.push({ labels: { ...s.labels, ...rule.labels }, value: s.value });
    }
  }
  return out.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
};

describe('Feature: recorded dashboard series', () => {
  it('names the default series in Prometheus level:metric:operations style', () => {
    // Assess
    expect(SERIES.requestRate).toMatchObject({
      record: 'vigil_dashboard:http_requests:rate5m',
      dimensions: ['job'],
    });
    expect(SERIES.errorRatio.record).toBe('vigil_dashboard:http_requests_errors:ratio_rate5m');
    expect(SERIES.latency).toMatchObject({
      record: 'vigil_dashboard:http_request_duration_seconds:histogram_quantile_rate5m',
      dimensions: ['job', 'quantile'],
    });
    expect(SERIES.predictionRate.dimensions).toEqual(['model_version', 'result']);
    expect(SERIES.drift).toMatchObject({
      record: 'vigil_dashboard:vigil_drift_score:max',
      dimensions: ['monitor', 'feature', 'method'],
    });
    expect(SERIES.firingAlerts.dimensions).toEqual(['severity']);
  });

  it('writes expressions that parse as PromQL', () => {
    // Prepare
    const rules = Object.values(SERIES).flatMap((s) => s.rules);

    // Assess
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) expect(() => parseExpr(r.expr)).not.toThrow();
  });

  it('computes request rate per job and an error ratio that is 0, not absent, without errors', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    await store.write([
      counter({ __name__: 'http_requests_total', job: 'api', status: '200' }, 9),
      counter({ __name__: 'http_requests_total', job: 'api', status: '500' }, 1),
      counter({ __name__: 'http_requests_total', job: 'inference', status: '200' }, 4),
    ]);

    // Act
    const rate = await evaluate(store, SERIES.requestRate.rules);
    const ratio = await evaluate(store, SERIES.errorRatio.rules);

    // Assess
    expect(rate.map((s) => [s.labels.job, Math.round(s.value * 1000) / 1000])).toEqual([
      ['api', 10],
      ['inference', 4],
    ]);
    expect(ratio.map((s) => [s.labels.job, Math.round(s.value * 1000) / 1000])).toEqual([
      ['api', 0.1],
      ['inference', 0],
    ]);
  });

  it('keeps one service to itself when filtered, in every selector of the error ratio', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    await store.write([
      counter({ __name__: 'http_requests_total', job: 'api', status: '200' }, 9),
      counter({ __name__: 'http_requests_total', job: 'api', status: '500' }, 1),
      counter({ __name__: 'http_requests_total', job: 'inference', status: '500' }, 4),
    ]);
    const e = dashboardExpressions(DEFAULT_DASHBOARDS_CONFIG, { job: 'api' });

    // Act
    const ratio = await evaluate(store, [{ record: 'r', expr: e.errorRatio }]);

    // Assess
    expect(e.errorRatio).toBe(
      '(sum by (job) (rate(http_requests_total{status=~"5..", job="api"}[5m])) or sum by (job) (rate(http_requests_total{job="api"}[5m])) * 0) / sum by (job) (rate(http_requests_total{job="api"}[5m]))',
    );
    expect(ratio.map((s) => [s.labels.job, Math.round(s.value * 1000) / 1000])).toEqual([
      ['api', 0.1],
    ]);
    expect(dashboardExpressions(DEFAULT_DASHBOARDS_CONFIG).errorRatio).toBe(
      SERIES.errorRatio.rules[0]?.expr,
    );
  });

  it('computes latency quantiles from the histogram buckets, one series per quantile label', async () => {
    // Prepare: per second, 1 request ≤ 0.1 s and 1 request in (0.1, 1] s
    const store = new MemorySeriesStore();
    const bucket = (le: string, perSecond: number) =>
      counter({ __name__: 'http_request_duration_seconds_bucket', job: 'api', le }, perSecond);
    await store.write([bucket('0.1', 1), bucket('1', 2), bucket('+Inf', 2)]);

    // Act
    const latency = await evaluate(store, SERIES.latency.rules);

    // Assess: Prometheus's linear interpolation inside the bucket
    expect(latency.map((s) => [s.labels.quantile, Math.round(s.value * 1000) / 1000])).toEqual([
      ['0.5', 0.1],
      ['0.95', 0.91],
      ['0.99', 0.982],
    ]);
    expect(latency.every((s) => s.labels.job === 'api')).toBe(true);
  });

  it('averages accuracy per model and keeps drift scores by monitor, feature and method', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    await store.write([
      gauge({ __name__: 'ml_model_accuracy', model_version: 'v1', instance: 'a' }, 0.9),
      gauge({ __name__: 'ml_model_accuracy', model_version: 'v1', instance: 'b' }, 0.8),
      gauge(
        { __name__: 'vigil_drift_score', monitor: 'm', feature: 'age', method: 'psi', x: '1' },
        0.3,
      ),
    ]);

    // Act
    const accuracy = await evaluate(store, SERIES.accuracy.rules);
    const drift = await evaluate(store, SERIES.drift.rules);

    // Assess
    expect(accuracy).toHaveLength(1);
    expect(accuracy[0]?.labels).toEqual({ model_version: 'v1' });
    expect(accuracy[0]?.value).toBeCloseTo(0.85, 10);
    expect(drift).toEqual([
      { labels: { monitor: 'm', feature: 'age', method: 'psi' }, value: 0.3 },
    ]);
  });

  it('counts firing alerts per topic severity, aliases and unlabelled alerts included, 0 when none', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    const alert = (labels: Record<string, string>) =>
      gauge({ __name__: 'ALERTS', alertstate: 'firing', ...labels }, 1);
    await store.write([
      alert({ alertname: 'A', severity: 'critical' }),
      alert({ alertname: 'B', severity: 'page' }),
      alert({ alertname: 'C' }),
      gauge({ __name__: 'ALERTS', alertstate: 'pending', alertname: 'D', severity: 'info' }, 1),
    ]);

    // Act
    const firing = await evaluate(store, SERIES.firingAlerts.rules);

    // Assess: no severity → channels.default (warning); pending alerts do not count
    expect(firing.map((s) => [s.labels.severity, s.value])).toEqual([
      ['critical', 2],
      ['info', 0],
      ['warning', 1],
    ]);
  });

  it('follows configured metric names, labels, window and quantiles', () => {
    // Prepare
    const config: DashboardsConfig = {
      ...DEFAULT_DASHBOARDS_CONFIG,
      rateWindow: '2m',
      services: {
        ...DEFAULT_DASHBOARDS_CONFIG.services,
        requests: 'api_calls_total',
        statusLabel: 'code',
        errorStatus: '5..|429',
        by: ['service', 'env'],
        quantiles: [0.9],
      },
    };

    // Act
    const s = dashboardSeries(config, ROUTING);

    // Assess
    expect(s.errorRatio.rules[0]?.expr).toBe(
      '(sum by (service, env) (rate(api_calls_total{code=~"5..|429"}[2m])) or sum by (service, env) (rate(api_calls_total[2m])) * 0) / sum by (service, env) (rate(api_calls_total[2m]))',
    );
    expect(s.latency.rules).toEqual([
      {
        record: 'vigil_dashboard:http_request_duration_seconds:histogram_quantile_rate2m',
        expr: 'histogram_quantile(0.9, sum by (service, env, le) (rate(http_request_duration_seconds_bucket[2m])))',
        labels: { quantile: '0.9' },
      },
    ]);
  });
});

describe('Feature: the vigil-dashboards rule group', () => {
  it('holds the rules of the enabled sections only', () => {
    // Prepare
    const config = {
      ...DEFAULT_DASHBOARDS_CONFIG,
      models: { ...DEFAULT_DASHBOARDS_CONFIG.models, enabled: false },
      alerts: { enabled: false },
    };

    // Act
    const group = dashboardRuleGroup(config, ROUTING, 30_000);

    // Assess
    expect(group).toMatchObject({
      name: DASHBOARD_RULE_GROUP,
      file: DASHBOARD_RULE_FILE,
      intervalMs: 30_000,
    });
    expect(new Set(group?.rules.map((r) => (r as RecordingRuleDefinition).record))).toEqual(
      new Set([SERIES.requestRate.record, SERIES.errorRatio.record, SERIES.latency.record]),
    );
  });

  it('is absent when dashboards are off, and then leaves the rules document as it was', () => {
    // Prepare
    const off = { ...DEFAULT_DASHBOARDS_CONFIG, enabled: false };
    const settings = { evaluation: EVALUATION, alerting: DEFAULT_ALERTING_CONFIG };

    // Act
    const group = dashboardRuleGroup(off, ROUTING, 60_000);
    const doc = withDashboardRules(undefined, off, ROUTING, settings);

    // Assess
    expect(group).toBeUndefined();
    expect(doc).toBeUndefined();
  });

  it('makes a document of its own without rule files, and appends itself to one with them', () => {
    // Prepare
    const settings = { evaluation: EVALUATION, alerting: DEFAULT_ALERTING_CONFIG };
    const user = {
      groups: [{ file: 'rules/a.yml', name: 'a', rules: [{ record: 'x', expr: 'up' }] }],
      ...settings,
    };

    // Act
    const alone = withDashboardRules(undefined, DEFAULT_DASHBOARDS_CONFIG, ROUTING, settings);
    const joined = withDashboardRules(user, DEFAULT_DASHBOARDS_CONFIG, ROUTING, settings);

    // Assess
    expect(alone?.groups.map((g) => g.name)).toEqual([DASHBOARD_RULE_GROUP]);
    expect(alone?.groups[0]?.intervalMs).toBe(60_000);
    expect(alone?.evaluation).toBe(EVALUATION);
    expect(joined?.groups.map((g) => g.name)).toEqual(['a', DASHBOARD_RULE_GROUP]);
  });

  it('runs at dashboards.interval when set', () => {
    // Prepare
    const settings = { evaluation: EVALUATION, alerting: DEFAULT_ALERTING_CONFIG };
    const config = { ...DEFAULT_DASHBOARDS_CONFIG, intervalMs: 300_000 };

    // Act
    const doc = withDashboardRules(undefined, config, ROUTING, settings);

    // Assess
    expect(doc?.groups[0]?.intervalMs).toBe(300_000);
  });
});
