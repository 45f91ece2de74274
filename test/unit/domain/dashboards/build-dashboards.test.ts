import {
  buildHealthDashboard,
  buildMainDashboards,
  healthDashboardName,
  type MainDashboardInput,
  mainDashboardName,
} from '../../../../lambdas/domain/dashboards/build-dashboards';
import {
  DEFAULT_DASHBOARDS_CONFIG,
  validateDashboardsConfig,
} from '../../../../lambdas/domain/dashboards/dashboards-config';
import {
  dashboardMirrorRules,
  severityRoutingOf,
} from '../../../../lambdas/domain/dashboards/mirror-rules';
import type { MetricWidget, Widget } from '../../../../lambdas/domain/dashboards/widgets';
import { CW_GPU_METRIC } from '../../../../lambdas/domain/gpu/cwagent-metrics';
import { DEFAULT_CHANNELS_CONFIG } from '../../../../lambdas/domain/notifications/channels-config';
import { referencedMetrics } from './body-metrics';

const INPUT: MainDashboardInput = {
  config: DEFAULT_DASHBOARDS_CONFIG,
  project: 'rxvision',
  namespace: 'Vigil',
  region: 'eu-west-1',
  routing: severityRoutingOf(DEFAULT_CHANNELS_CONFIG),
  alarmArns: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a'],
};

const titles = (widgets: readonly Widget[]) =>
  widgets.map((w) => (w.type === 'text' ? w.properties.markdown : w.properties.title));
const metricWidget = (widgets: readonly Widget[], title: RegExp): MetricWidget => {
  const found = widgets.find((w) => w.type === 'metric' && title.test(w.properties.title));
  if (!found) throw new Error(`no widget ${title}`);
  return found as MetricWidget;
};
const expressionOf = (w: MetricWidget, i = 0) =>
  ((w.properties.metrics[i] ?? [])[0] as { expression: string }).expression;

describe('Function: buildMainDashboards', () => {
  it('builds one dashboard named after the project with every section of the example services', () => {
    // Act
    const [main, ...rest] = buildMainDashboards(INPUT);

    // Assess
    expect(rest).toEqual([]);
    expect(main?.name).toBe('rxvision');
    expect(main?.body).toMatchObject({ start: '-PT6H', periodOverride: 'inherit' });
    expect(titles(main?.body.widgets ?? [])).toEqual([
      expect.stringContaining('# Vigil: rxvision'),
      '## Services',
      'Request rate (req/s), by job',
      'Latency p50/p95/p99 (s), by job',
      'Error ratio (status=~"5.."), by job',
      '## Models',
      'Predictions/s by result, by model_version',
      'Confidence p10/p50/p90, by model_version',
      'Mean inference time (s), by model_version',
      'Accuracy (where reported), by model_version',
      'Drift scores by monitor, feature, method',
      '## GPU (CloudWatch agent, namespace CWAgent)',
      'GPU utilization (%) per instance and GPU index',
      'GPU memory used / total (MiB)',
      'GPU temperature (°C)',
      'GPU power draw (W)',
      '## Alerts',
      'Firing alerts by severity',
      'Vigil alarms',
    ]);
  });

  it('charts dynamic dimensions with SEARCH over the recorded series', () => {
    // Act
    const widgets = buildMainDashboards(INPUT)[0]?.body.widgets ?? [];

    // Assess
    expect(expressionOf(metricWidget(widgets, /^Latency/))).toBe(
      `SEARCH('{Vigil,job,quantile} MetricName="vigil_dashboard:http_request_duration_seconds:histogram_quantile_rate5m"', 'Average', 60)`,
    );
    expect(expressionOf(metricWidget(widgets, /^Firing alerts/))).toBe(
      `SEARCH('{Vigil,severity} MetricName="vigil_dashboard:alerts_firing:count"', 'Maximum', 60)`,
    );
    expect(metricWidget(widgets, /^Error ratio/).properties).toMatchObject({
      region: 'eu-west-1',
      stat: 'Average',
      period: 60,
      yAxis: { left: { min: 0, max: 1 } },
    });
  });

  it('reads GPU metrics from the CloudWatch agent namespace with its dimension set', () => {
    // Act
    const widgets = buildMainDashboards(INPUT)[0]?.body.widgets ?? [];
    const memory = metricWidget(widgets, /^GPU memory/);

    // Assess
    expect(expressionOf(metricWidget(widgets, /^GPU utilization/))).toBe(
      `SEARCH('{CWAgent,InstanceId,InstanceType,host,index,name} MetricName="${CW_GPU_METRIC.utilizationGpu}"', 'Average', 60)`,
    );
    expect([expressionOf(memory, 0), expressionOf(memory, 1)]).toEqual([
      expect.stringContaining(`MetricName="${CW_GPU_METRIC.memoryUsed}"`),
      expect.stringContaining(`MetricName="${CW_GPU_METRIC.memoryTotal}"`),
    ]);
  });

  it('gives each listed service and model a row of its own, filtered by the label value', () => {
    // Prepare
    const { config } = validateDashboardsConfig({
      services: { list: ['rxvision-api', 'rxvision-inference'] },
      models: { list: ['v2'] },
      gpu: { enabled: false },
      alerts: { enabled: false },
    });

    // Act
    const widgets = buildMainDashboards({ ...INPUT, config })[0]?.body.widgets ?? [];

    // Assess
    expect(titles(widgets).filter((t) => t.startsWith('Request rate'))).toEqual([
      'Request rate (req/s), job="rxvision-api"',
      'Request rate (req/s), job="rxvision-inference"',
    ]);
    expect(expressionOf(metricWidget(widgets, /inference"$/))).toContain(
      'job="rxvision-inference"',
    );
    expect(expressionOf(metricWidget(widgets, /^Accuracy/))).toContain('model_version="v2"');
    expect(titles(widgets)).not.toContain('## GPU (CloudWatch agent, namespace CWAgent)');
  });

  it('adds user widgets under Custom with their metrics and expressions', () => {
    // Prepare
    const { config } = validateDashboardsConfig({
      widgets: [
        {
          title: 'Active users',
          width: 12,
          metrics: [{ metric: 'active_users_total', dimensions: { job: 'api' }, label: 'users' }],
          expressions: ['SUM(METRICS())'],
        },
      ],
    });

    // Act
    const widgets = buildMainDashboards({ ...INPUT, config })[0]?.body.widgets ?? [];
    const custom = metricWidget(widgets, /^Active users$/);

    // Assess
    expect(titles(widgets)).toContain('## Custom');
    expect(custom.width).toBe(12);
    expect(custom.properties.metrics).toEqual([
      ['Vigil', 'active_users_total', 'job', 'api', { stat: 'Average', label: 'users' }],
      [{ expression: 'SUM(METRICS())', id: 'c0_0' }],
    ]);
  });

  it('splits into name, name-2 … when the widgets exceed 500', () => {
    // Prepare
    const widgets = Array.from({ length: 600 }, (_, i) => ({
      title: `w${i}`,
      metrics: [{ metric: `m${i}` }],
    }));
    const { config, issues } = validateDashboardsConfig({ name: 'big', widgets });

    // Act
    const built = buildMainDashboards({ ...INPUT, config });

    // Assess
    expect(issues).toEqual([]);
    expect(built.map((d) => d.name)).toEqual(['big', 'big-2']);
    expect(built.map((d) => d.body.widgets.length)).toEqual([500, 600 + 20 - 500]);
  });

  it('builds nothing when dashboards are disabled', () => {
    // Assess
    expect(
      buildMainDashboards({ ...INPUT, config: { ...DEFAULT_DASHBOARDS_CONFIG, enabled: false } }),
    ).toEqual([]);
  });

  it('references only custom metrics the mirror allow-list holds, with their dimensions', () => {
    // Prepare
    const { config } = validateDashboardsConfig({
      services: { list: ['api'] },
      widgets: [
        {
          title: 'custom',
          metrics: [
            { metric: 'active_users_total', dimensions: { job: 'api' } },
            { namespace: 'AWS/Lambda', metric: 'Errors', dimensions: { FunctionName: 'f' } },
          ],
          expressions: [`SEARCH('{Vigil,instance} MetricName="training_loss"', 'Average', 60)`],
        },
      ],
    });
    const allow = new Set(
      dashboardMirrorRules(config, 'Vigil', INPUT.routing).map((r) =>
        JSON.stringify([r.metric, [...r.dimensions].sort()]),
      ),
    );

    // Act
    const refs = buildMainDashboards({ ...INPUT, config }).flatMap((d) =>
      referencedMetrics(d.body),
    );
    const custom = refs.filter((r) => r.namespace === 'Vigil');

    // Assess
    expect(custom.length).toBeGreaterThan(10);
    for (const r of custom) expect(allow).toContain(JSON.stringify([r.metric, r.dimensions]));
    expect(refs.map((r) => r.namespace)).toEqual(expect.arrayContaining(['CWAgent', 'AWS/Lambda']));
  });
});

describe('Function: buildHealthDashboard', () => {
  const health = buildHealthDashboard({
    name: 'rxvision-vigil-health',
    region: 'eu-west-1',
    periodSeconds: 60,
    functions: [
      { role: 'ingestMetrics', functionName: 'fn-ingest', timeoutSeconds: 29 },
      { role: 'evaluateRules', functionName: 'fn-rules', timeoutSeconds: 60 },
    ],
    api: { apiName: 'vigil-rxvision' },
    queues: [{ title: 'RuleEvaluator/ScheduleDeadLetterQueue', queueName: 'q1' }],
    selfMetrics: {
      namespace: 'Vigil',
      dimensions: { service: 'vigil' },
      groups: [
        { title: 'Timestream', names: ['TimestreamRejectedRecords', 'TimestreamThrottled'] },
      ],
    },
    alarmArns: ['arn:a', 'arn:b'],
    durationRatio: 0.85,
  });
  const widgets = health.body.widgets;

  it('shows every function, the API, the dead-letter queues, Vigil metrics and the alarms', () => {
    // Assess
    expect(health.name).toBe('rxvision-vigil-health');
    expect(titles(widgets)).toEqual([
      expect.stringContaining('# Vigil health'),
      '## Functions',
      'Errors',
      'Throttles',
      'Duration p99, % of timeout',
      '## API Gateway',
      'Requests',
      '4xx / 5xx ratio',
      'Latency (ms)',
      '## Dead-letter queues',
      'Messages waiting',
      '## Vigil metrics',
      'Timestream',
      'Vigil alarms',
    ]);
    expect(metricWidget(widgets, /^Errors$/).properties.metrics).toEqual([
      [
        'AWS/Lambda',
        'Errors',
        'FunctionName',
        'fn-ingest',
        { stat: 'Sum', label: 'ingestMetrics' },
      ],
      ['AWS/Lambda', 'Errors', 'FunctionName', 'fn-rules', { stat: 'Sum', label: 'evaluateRules' }],
    ]);
    expect(metricWidget(widgets, /^Timestream$/).properties.metrics).toEqual([
      ['Vigil', 'TimestreamRejectedRecords', 'service', 'vigil', { stat: 'Sum' }],
      ['Vigil', 'TimestreamThrottled', 'service', 'vigil', { stat: 'Sum' }],
    ]);
  });

  it('draws duration as a share of each function timeout, with the alarm threshold', () => {
    // Prepare
    const duration = metricWidget(widgets, /^Duration/);

    // Assess
    expect(duration.properties.metrics[1]).toEqual([
      { expression: '100 * d0 / 29000', id: 'pct0', label: 'ingestMetrics' },
    ]);
    expect(duration.properties.metrics[3]).toEqual([
      { expression: '100 * d1 / 60000', id: 'pct1', label: 'evaluateRules' },
    ]);
    expect(duration.properties.annotations).toEqual({
      horizontal: [{ value: 85, label: 'alarm' }],
    });
  });

  it('charts late and dropped events of the asynchronous functions, with the alarm line', () => {
    // Act
    const { body } = buildHealthDashboard({
      name: 'h',
      region: 'eu-west-1',
      periodSeconds: 60,
      functions: [
        { role: 'ingestMetrics', functionName: 'fn-ingest', timeoutSeconds: 29 },
        { role: 'evaluateRules', functionName: 'fn-rules', timeoutSeconds: 60, asynchronous: true },
      ],
      queues: [],
      selfMetrics: { namespace: 'Vigil', dimensions: {}, groups: [] },
      alarmArns: [],
      durationRatio: 0.85,
      asyncEventAgeAlarmMs: 300_000,
    });
    const dropped = metricWidget(body.widgets, /^Asynchronous events dropped$/);
    const age = metricWidget(body.widgets, /^Asynchronous event age/);

    // Assess
    expect(dropped.properties.metrics).toEqual([
      [
        'AWS/Lambda',
        'AsyncEventsDropped',
        'FunctionName',
        'fn-rules',
        { stat: 'Sum', label: 'evaluateRules' },
      ],
    ]);
    expect(age.properties.metrics).toEqual([
      [
        'AWS/Lambda',
        'AsyncEventAge',
        'FunctionName',
        'fn-rules',
        { stat: 'Maximum', label: 'evaluateRules' },
      ],
    ]);
    expect(age.properties.annotations).toEqual({
      horizontal: [{ value: 300_000, label: 'alarm' }],
    });
  });

  it('names dashboards after the config name or the project', () => {
    // Assess
    expect(mainDashboardName(DEFAULT_DASHBOARDS_CONFIG, 'p')).toBe('p');
    expect(healthDashboardName({ ...DEFAULT_DASHBOARDS_CONFIG, name: 'ml' }, 'p')).toBe(
      'ml-vigil-health',
    );
  });
});
