import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  DEFAULT_DASHBOARDS_CONFIG,
  validateDashboardsConfig,
} from '../../../../lambdas/domain/dashboards/dashboards-config';
import { validateConfig } from '../../../../lambdas/domain/config/validate';

describe('Function: validateDashboardsConfig', () => {
  it('gives the default config for an absent section', () => {
    // Act
    const { config, issues } = validateDashboardsConfig(undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config).toBe(DEFAULT_DASHBOARDS_CONFIG);
    expect(config.services).toMatchObject({
      requests: 'http_requests_total',
      duration: 'http_request_duration_seconds',
      statusLabel: 'status',
      quantiles: [0.5, 0.95, 0.99],
    });
    expect(config.models).toMatchObject({
      predictions: 'model_predictions_total',
      resultLabel: 'result',
      accuracy: 'ml_model_accuracy',
      inferenceDuration: 'ml_inference_duration_seconds',
      drift: 'vigil_drift_score',
    });
  });

  it('reads overrides and user widgets with metrics and expressions', () => {
    // Act
    const { config, issues } = validateDashboardsConfig({
      name: 'ml-prod',
      interval: '5m',
      periodSeconds: 300,
      rateWindow: '10m',
      services: { list: ['rxvision-api', 'rxvision-inference'], quantiles: [0.9] },
      models: { predictions: 'ml_predictions_total', by: ['model_version'] },
      gpu: { enabled: false },
      widgets: [
        {
          title: 'Active users',
          metrics: [{ metric: 'active_users_total', dimensions: { job: 'api' }, stat: 'Maximum' }],
        },
        {
          title: 'Lambda errors',
          width: 12,
          expressions: [`SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors"', 'Sum', 300)`],
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config).toMatchObject({
      name: 'ml-prod',
      intervalMs: 300_000,
      periodSeconds: 300,
      rateWindow: '10m',
    });
    expect(config.services.list).toEqual(['rxvision-api', 'rxvision-inference']);
    expect(config.models.predictions).toBe('ml_predictions_total');
    expect(config.gpu.enabled).toBe(false);
    expect(config.widgets).toEqual([
      {
        title: 'Active users',
        metrics: [{ metric: 'active_users_total', dimensions: { job: 'api' }, stat: 'Maximum' }],
        expressions: [],
        width: 8,
        height: 6,
      },
      {
        title: 'Lambda errors',
        metrics: [],
        expressions: [`SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors"', 'Sum', 300)`],
        width: 12,
        height: 6,
      },
    ]);
  });

  it.each([
    [{ colour: 'red' }, 'dashboards.colour', 'unknown key'],
    [{ enabled: 'yes' }, 'dashboards.enabled', 'true or false'],
    [{ name: 'has space' }, 'dashboards.name', 'letters, digits'],
    [{ periodSeconds: 90 }, 'dashboards.periodSeconds', 'multiple of 60'],
    [{ periodSeconds: 30 }, 'dashboards.periodSeconds', 'between 60 and 86400'],
    [{ rateWindow: 'soon' }, 'dashboards.rateWindow', 'Prometheus duration'],
    [{ interval: '90s' }, 'dashboards.interval', 'whole minutes'],
    [{ interval: 5 }, 'dashboards.interval', 'whole minutes'],
    [{ services: { requests: 'http-requests' } }, 'dashboards.services.requests', 'metric name'],
    [{ services: { errorStatus: '5(?!00)..' } }, 'dashboards.services.errorStatus', 'RE2 regex'],
    [{ services: { quantiles: [0.5, 1] } }, 'dashboards.services.quantiles', 'between 0 and 1'],
    [{ services: { by: [] } }, 'dashboards.services.by', 'at least one label'],
    [{ services: { list: [`it's`] } }, 'dashboards.services.list', 'without quotes'],
    [{ models: { resultLabel: '1x' } }, 'dashboards.models.resultLabel', 'label name'],
    [{ gpu: { enabled: 1 } }, 'dashboards.gpu.enabled', 'true or false'],
    [{ widgets: {} }, 'dashboards.widgets', 'list of widgets'],
    [{ widgets: [{ title: 'x' }] }, 'dashboards.widgets[0]', 'at least one of metrics'],
    [{ widgets: [{ metrics: [{ metric: 'up' }] }] }, 'dashboards.widgets[0].title', 'required'],
    [
      { widgets: [{ title: 't', metrics: [{ metric: 'up', stat: 'Median' }] }] },
      'dashboards.widgets[0].metrics[0].stat',
      'CloudWatch statistic',
    ],
    [
      { widgets: [{ title: 't', metrics: [{ metric: 'up', dimensions: { job: 3 } }] }] },
      'dashboards.widgets[0].metrics[0].dimensions.job',
      'non-empty string',
    ],
    [
      { widgets: [{ title: 't', expressions: [''] }] },
      'dashboards.widgets[0].expressions',
      'SEARCH',
    ],
    [
      {
        widgets: [
          { title: 't', expressions: ['SELECT AVG(GPUUtilization) FROM CWAgent GROUP BY index'] },
        ],
      },
      'dashboards.widgets[0].expressions[0]',
      'Metrics Insights query: GROUP BY: index is a reserved keyword of Metrics Insights at 50: write "index"',
    ],
    [
      { widgets: [{ title: 't', metrics: [{ metric: 'up' }], width: 25 }] },
      'dashboards.widgets[0].width',
      'between 1 and 24',
    ],
  ])('refuses %j at %s', (raw, path, message) => {
    // Act
    const { issues } = validateDashboardsConfig(raw);

    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([{ path, message: expect.stringContaining(message) }]),
    );
  });

  it('accepts a valid Metrics Insights query in a widget', () => {
    // Act
    const { config, issues } = validateDashboardsConfig({
      widgets: [
        {
          title: 'GPU utilization by instance',
          expressions: [
            'SELECT AVG(nvidia_smi_utilization_gpu) FROM CWAgent GROUP BY InstanceId, "index" ORDER BY AVG() DESC LIMIT 10',
          ],
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.widgets[0]?.expressions).toHaveLength(1);
  });

  it('refuses a widget with more metrics than a CloudWatch graph holds (500)', () => {
    // Prepare
    const metrics = Array.from({ length: 501 }, (_, i) => ({ metric: `m${i}` }));

    // Act
    const { issues } = validateDashboardsConfig({ widgets: [{ title: 'big', metrics }] });

    // Assess
    expect(issues).toEqual([
      { path: 'dashboards.widgets[0]', message: expect.stringContaining('at most 500') },
    ]);
  });

  it('accepts CloudWatch names for metrics of another namespace', () => {
    // Act
    const { issues, config } = validateDashboardsConfig({
      widgets: [
        {
          title: 'GPU',
          metrics: [{ namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu', stat: 'p99' }],
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.widgets[0]?.metrics[0]?.namespace).toBe('CWAgent');
  });

  it('is read by validateConfig as the dashboards section', () => {
    // Act
    const { config, issues } = validateConfig({ dashboards: { gpu: { enabled: false } } });
    const bad = validateConfig({ dashboards: 'yes' });

    // Assess
    expect(issues).toEqual([]);
    expect(config.dashboards.gpu.enabled).toBe(false);
    expect(bad.issues).toEqual([{ path: 'dashboards', message: 'must be a mapping' }]);
  });

  it('accepts the dashboards section of the shipped vigil.config.yaml', () => {
    // Prepare
    const file = parse(
      readFileSync(new URL('../../../../vigil.config.yaml', import.meta.url), 'utf8'),
    );

    // Act
    const { config, issues } = validateDashboardsConfig(file.dashboards);

    // Assess
    expect(issues).toEqual([]);
    expect(config.services.list).toEqual(['rxvision-api', 'rxvision-inference']);
    expect(config.widgets.map((w) => w.title)).toEqual(['Training loss']);
  });
});
