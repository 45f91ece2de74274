import {
  DEFAULT_DASHBOARDS_CONFIG,
  validateDashboardsConfig,
} from '../../../../lambdas/domain/dashboards/dashboards-config';
import {
  dashboardMirrorRules,
  mergeMirrorRules,
  searchMirrorRules,
  severityRoutingOf,
  withDashboardMirrorRules,
} from '../../../../lambdas/domain/dashboards/mirror-rules';
import { validateConfig, runtimeConfigOf } from '../../../../lambdas/domain/config/validate';
import { DEFAULT_CHANNELS_CONFIG } from '../../../../lambdas/domain/notifications/channels-config';

const ROUTING = severityRoutingOf(DEFAULT_CHANNELS_CONFIG);

describe('Function: severityRoutingOf', () => {
  it('maps each topic severity to itself and its aliases, with the default topic', () => {
    // Assess
    expect(severityRoutingOf(DEFAULT_CHANNELS_CONFIG)).toEqual({
      severities: {
        critical: ['critical', 'high', 'page'],
        warning: ['warning', 'medium'],
        info: ['info', 'low'],
      },
      default: 'warning',
    });
  });
});

describe('Function: dashboardMirrorRules', () => {
  it('allow-lists every recorded dashboard series with its dimensions', () => {
    // Act
    const rules = dashboardMirrorRules(DEFAULT_DASHBOARDS_CONFIG, 'Vigil', ROUTING);

    // Assess
    expect(rules).toEqual([
      { metric: 'vigil_dashboard:http_requests:rate5m', dimensions: ['job'] },
      { metric: 'vigil_dashboard:http_requests_errors:ratio_rate5m', dimensions: ['job'] },
      {
        metric: 'vigil_dashboard:http_request_duration_seconds:histogram_quantile_rate5m',
        dimensions: ['job', 'quantile'],
      },
      {
        metric: 'vigil_dashboard:model_predictions:rate5m',
        dimensions: ['model_version', 'result'],
      },
      {
        metric: 'vigil_dashboard:prediction_confidence:histogram_quantile_rate5m',
        dimensions: ['model_version', 'quantile'],
      },
      {
        metric: 'vigil_dashboard:ml_inference_duration_seconds:mean_rate5m',
        dimensions: ['model_version'],
      },
      { metric: 'vigil_dashboard:ml_model_accuracy:avg', dimensions: ['model_version'] },
      {
        metric: 'vigil_dashboard:vigil_drift_score:max',
        dimensions: ['monitor', 'feature', 'method'],
      },
      { metric: 'vigil_dashboard:alerts_firing:count', dimensions: ['severity'] },
    ]);
  });

  it('adds user widget metrics of the mirror namespace, not those of other namespaces', () => {
    // Prepare
    const { config } = validateDashboardsConfig({
      services: { enabled: false },
      models: { enabled: false },
      alerts: { enabled: false },
      widgets: [
        {
          title: 't',
          metrics: [
            { metric: 'active_users_total', dimensions: { job: 'api', env: 'prod' } },
            { namespace: 'AWS/Lambda', metric: 'Errors' },
            { namespace: 'Vigil', metric: 'training_loss' },
          ],
          expressions: [
            `SEARCH('{Vigil,"instance"} MetricName="gpu_memory_used_bytes"', 'Maximum', 60)`,
            `SEARCH('{AWS/EC2,InstanceId} MetricName="CPUUtilization"', 'Average', 60)`,
          ],
        },
      ],
    });

    // Act
    const rules = dashboardMirrorRules(config, 'Vigil', ROUTING);

    // Assess
    expect(rules).toEqual([
      { metric: 'active_users_total', dimensions: ['job', 'env'] },
      { metric: 'training_loss', dimensions: [] },
      { metric: 'gpu_memory_used_bytes', dimensions: ['instance'] },
    ]);
  });

  it('adds nothing when dashboards are off', () => {
    // Assess
    expect(
      dashboardMirrorRules({ ...DEFAULT_DASHBOARDS_CONFIG, enabled: false }, 'Vigil', ROUTING),
    ).toEqual([]);
  });
});

describe('Function: searchMirrorRules', () => {
  it.each([
    [`SEARCH('{Vigil,job} MetricName=up', 'Sum', 60)`, [{ metric: 'up', dimensions: ['job'] }]],
    [`SEARCH('MetricName="up"', 'Sum', 60)`, []],
    [`SEARCH('{Vigil,job} up', 'Sum', 60)`, []],
    [`SEARCH('{Vigil} MetricName="not-a-prometheus-name"', 'Sum', 60)`, []],
    [
      `SUM(SEARCH('{Vigil} MetricName="a"', 'Sum', 60)) + SUM(SEARCH('{Vigil,x} MetricName="b"', 'Sum', 60))`,
      [
        { metric: 'a', dimensions: [] },
        { metric: 'b', dimensions: ['x'] },
      ],
    ],
  ])('reads %s', (expression, expected) => {
    // Assess
    expect(searchMirrorRules(expression, 'Vigil')).toEqual(expected);
  });
});

describe('Function: mergeMirrorRules', () => {
  it('keeps the configured rules and adds the others once, dimension order aside', () => {
    // Act
    const merged = mergeMirrorRules(
      [{ metric: 'a', dimensions: ['x', 'y'] }],
      [
        { metric: 'a', dimensions: ['y', 'x'] },
        { metric: 'a', dimensions: ['x'] },
        { metric: 'b', dimensions: [] },
        { metric: 'b', dimensions: [] },
      ],
    );

    // Assess
    expect(merged).toEqual([
      { metric: 'a', dimensions: ['x', 'y'] },
      { metric: 'a', dimensions: ['x'] },
      { metric: 'b', dimensions: [] },
    ]);
  });
});

describe('Feature: the runtime config mirrors what the dashboards chart', () => {
  it('unions cloudwatch.mirror with the dashboards rules in runtimeConfigOf', () => {
    // Prepare
    const { config, issues } = validateConfig({
      cloudwatch: {
        namespace: 'ML',
        mirror: [{ metric: 'ml_model_accuracy', dimensions: ['model_version'] }],
      },
    });

    // Act
    const runtime = runtimeConfigOf(config);

    // Assess
    expect(issues).toEqual([]);
    expect(runtime.cloudwatch.namespace).toBe('ML');
    expect(runtime.cloudwatch.mirror[0]).toEqual({
      metric: 'ml_model_accuracy',
      dimensions: ['model_version'],
    });
    expect(runtime.cloudwatch.mirror).toContainEqual({
      metric: 'vigil_dashboard:http_requests:rate5m',
      dimensions: ['job'],
    });
    expect(runtime.cloudwatch.mirror).toEqual(
      withDashboardMirrorRules(config.cloudwatch, config.dashboards, config.channels).mirror,
    );
  });
});
