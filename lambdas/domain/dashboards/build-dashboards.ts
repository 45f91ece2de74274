/**
 * Builds the CloudWatch dashboard bodies from the config: the main dashboard (services, models,
 * GPU, alerts, the user's widgets; split into `<name>`, `<name>-2`, … when CloudWatch's limits
 * require) and the "Vigil health" dashboard. Pure: region, alarm ARNs and resource names come in
 * as strings (CDK tokens at synth), so the bodies are testable as plain JSON.
 */
import { CW_GPU_METRIC, CWAGENT_NAMESPACE, GPU_DIMENSIONS } from '../gpu/cwagent-metrics';
import type { DashboardsConfig } from './dashboards-config';
import { type DashboardSeries, dashboardSeries, type SeverityRouting } from './dashboard-series';
import {
  alarmStatus,
  type DashboardBody,
  dashboardBody,
  expressionRow,
  graph,
  type MetricRow,
  metricRow,
  paginate,
  searchExpression,
  text,
  type Widget,
} from './widgets';

/** What the main dashboards need besides the config. */
interface MainDashboardInput {
  readonly config: DashboardsConfig;
  /** Project name, the default dashboard name. */
  readonly project: string;
  /** Namespace of mirrored metrics (`cloudwatch.namespace`). */
  readonly namespace: string;
  readonly region: string;
  readonly routing: SeverityRouting;
  /** ARNs of Vigil's alarms, for the alarm-status widget. */
  readonly alarmArns: readonly string[];
}

/** One dashboard to create. */
interface BuiltDashboard {
  readonly name: string;
  readonly body: DashboardBody;
}

/** The GPU metrics' dimension set as the agent publishes it (see cwagent-metrics.ts). */
const GPU_SCHEMA = [
  GPU_DIMENSIONS.instanceId,
  GPU_DIMENSIONS.instanceType,
  GPU_DIMENSIONS.host,
  GPU_DIMENSIONS.index,
  GPU_DIMENSIONS.name,
];

/** The main dashboard's name (`dashboards.name`, else the project). */
const mainDashboardName = (config: DashboardsConfig, project: string): string =>
  config.name ?? project;

/** The "Vigil health" dashboard's name. */
const healthDashboardName = (config: DashboardsConfig, project: string): string =>
  `${mainDashboardName(config, project)}-vigil-health`;

const serviceWidgets = (i: MainDashboardInput, s: ReturnType<typeof dashboardSeries>): Widget[] => {
  const c = i.config.services;
  const p = i.config.periodSeconds;
  const search = (series: DashboardSeries, filter: Record<string, string>) =>
    searchExpression(i.namespace, series.dimensions, series.record, 'Average', p, filter);
  const rows = c.list.length === 0 ? [undefined] : c.list;
  const by = c.by[0] as string;
  return rows.flatMap((value) => {
    const filter: Record<string, string> = value === undefined ? {} : { [by]: value };
    const suffix = value === undefined ? `by ${c.by.join(', ')}` : `${by}="${value}"`;
    return [
      graph({
        title: `Request rate (req/s), ${suffix}`,
        region: i.region,
        stat: 'Average',
        periodSeconds: p,
        metrics: [expressionRow(search(s.requestRate, filter), 'rate')],
        yMin: 0,
      }),
      graph({
        title: `Latency p${c.quantiles.map((q) => q * 100).join('/p')} (s), ${suffix}`,
        region: i.region,
        stat: 'Average',
        periodSeconds: p,
        metrics: [expressionRow(search(s.latency, filter), 'latency')],
        yMin: 0,
      }),
      graph({
        title: `Error ratio (${c.statusLabel}=~"${c.errorStatus}"), ${suffix}`,
        region: i.region,
        stat: 'Average',
        periodSeconds: p,
        metrics: [expressionRow(search(s.errorRatio, filter), 'errors')],
        yMin: 0,
        yMax: 1,
      }),
    ];
  });
};

const modelWidgets = (i: MainDashboardInput, s: ReturnType<typeof dashboardSeries>): Widget[] => {
  const c = i.config.models;
  const p = i.config.periodSeconds;
  const search = (series: DashboardSeries, filter: Record<string, string>) =>
    searchExpression(i.namespace, series.dimensions, series.record, 'Average', p, filter);
  const rows = c.list.length === 0 ? [undefined] : c.list;
  const by = c.by[0] as string;
  const g = (
    title: string,
    series: DashboardSeries,
    filter: Record<string, string>,
    id: string,
    extra: { yMin?: number; yMax?: number } = {},
  ) =>
    graph({
      title,
      region: i.region,
      stat: 'Average',
      periodSeconds: p,
      metrics: [expressionRow(search(series, filter), id)],
      ...extra,
    });
  const perModel = rows.flatMap((value) => {
    const filter: Record<string, string> = value === undefined ? {} : { [by]: value };
    const suffix = value === undefined ? `by ${c.by.join(', ')}` : `${by}="${value}"`;
    return [
      g(`Predictions/s by ${c.resultLabel}, ${suffix}`, s.predictionRate, filter, 'predictions', {
        yMin: 0,
      }),
      g(
        `Confidence p${c.confidenceQuantiles.map((q) => q * 100).join('/p')}, ${suffix}`,
        s.confidence,
        filter,
        'confidence',
        { yMin: 0, yMax: 1 },
      ),
      g(`Mean inference time (s), ${suffix}`, s.inferenceMean, filter, 'inference', { yMin: 0 }),
      g(`Accuracy (where reported), ${suffix}`, s.accuracy, filter, 'accuracy', {
        yMin: 0,
        yMax: 1,
      }),
    ];
  });
  return [
    ...perModel,
    g(`Drift scores by ${c.driftBy.join(', ')}`, s.drift, {}, 'drift', { yMin: 0 }),
  ];
};

const gpuWidgets = (i: MainDashboardInput): Widget[] => {
  const p = i.config.periodSeconds;
  const search = (metric: string, stat = 'Average') =>
    searchExpression(CWAGENT_NAMESPACE, GPU_SCHEMA, metric, stat, p);
  const g = (title: string, rows: MetricRow[], extra: { yMin?: number; yMax?: number } = {}) =>
    graph({
      title,
      region: i.region,
      stat: 'Average',
      periodSeconds: p,
      metrics: rows,
      width: 12,
      ...extra,
    });
  return [
    g(
      'GPU utilization (%) per instance and GPU index',
      [expressionRow(search(CW_GPU_METRIC.utilizationGpu), 'util')],
      { yMin: 0, yMax: 100 },
    ),
    g(
      'GPU memory used / total (MiB)',
      [
        expressionRow(search(CW_GPU_METRIC.memoryUsed), 'used'),
        expressionRow(search(CW_GPU_METRIC.memoryTotal), 'total'),
      ],
      { yMin: 0 },
    ),
    g('GPU temperature (°C)', [
      expressionRow(search(CW_GPU_METRIC.temperatureGpu, 'Maximum'), 'temp'),
    ]),
    g('GPU power draw (W)', [expressionRow(search(CW_GPU_METRIC.powerDraw), 'power')], { yMin: 0 }),
  ];
};

const alertWidgets = (i: MainDashboardInput, s: ReturnType<typeof dashboardSeries>): Widget[] => [
  graph({
    title: 'Firing alerts by severity',
    region: i.region,
    stat: 'Maximum',
    periodSeconds: i.config.periodSeconds,
    metrics: [
      expressionRow(
        searchExpression(
          i.namespace,
          s.firingAlerts.dimensions,
          s.firingAlerts.record,
          'Maximum',
          i.config.periodSeconds,
        ),
        'firing',
      ),
    ],
    width: 24,
    yMin: 0,
  }),
  ...alarmStatus('Vigil alarms', i.alarmArns),
];

const customWidgets = (i: MainDashboardInput): Widget[] =>
  i.config.widgets.map((w, n) =>
    graph({
      title: w.title,
      region: i.region,
      stat: 'Average',
      periodSeconds: i.config.periodSeconds,
      width: w.width,
      height: w.height,
      metrics: [
        ...w.metrics.map((m) =>
          metricRow(m.namespace ?? i.namespace, m.metric, m.dimensions, {
            stat: m.stat,
            ...(m.label === undefined ? {} : { label: m.label }),
          }),
        ),
        ...w.expressions.map((e, k) => expressionRow(e, `c${n}_${k}`)),
      ],
    }),
  );

/**
 * The main dashboard(s): one page when everything fits CloudWatch's limits, else `<name>`,
 * `<name>-2`, … (each ≤ 500 widgets and ≤ 2,500 metrics). Empty when `dashboards.enabled` is
 * false.
 */
const buildMainDashboards = (input: MainDashboardInput): BuiltDashboard[] => {
  const c = input.config;
  if (!c.enabled) return [];
  const s = dashboardSeries(c, input.routing);
  const widgets: Widget[] = [
    text(
      `# Vigil: ${input.project}\nRates, quantiles and ratios are recording rules of the \`vigil-dashboards\` group (window ${c.rateWindow}), mirrored to the \`${input.namespace}\` namespace every evaluation.`,
      2,
    ),
  ];
  if (c.services.enabled) widgets.push(text('## Services'), ...serviceWidgets(input, s));
  if (c.models.enabled) widgets.push(text('## Models'), ...modelWidgets(input, s));
  if (c.gpu.enabled)
    widgets.push(text('## GPU (CloudWatch agent, namespace CWAgent)'), ...gpuWidgets(input));
  if (c.alerts.enabled) widgets.push(text('## Alerts'), ...alertWidgets(input, s));
  if (c.widgets.length > 0) widgets.push(text('## Custom'), ...customWidgets(input));
  const name = mainDashboardName(c, input.project);
  return paginate(widgets).map((page, n) => ({
    name: n === 0 ? name : `${name}-${n + 1}`,
    body: dashboardBody(page),
  }));
};

/** A function Vigil runs, for the health dashboard. */
interface HealthFunction {
  /** Role in `Vigil.functions` (`ingestMetrics`). */
  readonly role: string;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /**
   * Invoked asynchronously (schedule, alert topic): alarmed on late and dropped events rather
   * than on throttles, which its queue expects.
   */
  readonly asynchronous?: boolean;
}

/** What the "Vigil health" dashboard shows. */
interface HealthDashboardInput {
  readonly name: string;
  readonly region: string;
  readonly periodSeconds: number;
  readonly functions: readonly HealthFunction[];
  /** The REST API (metrics dimension `ApiName`, all stages). */
  readonly api?: { readonly apiName: string };
  /** Dead-letter queues by title. */
  readonly queues: readonly { readonly title: string; readonly queueName: string }[];
  /** Vigil's own metrics (vigil-metrics.ts): namespace, dimensions, names. */
  readonly selfMetrics: {
    readonly namespace: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly groups: readonly { readonly title: string; readonly names: readonly string[] }[];
  };
  readonly alarmArns: readonly string[];
  /** Duration threshold as a share of the timeout, drawn on the duration graph. */
  readonly durationRatio: number;
  /** Event-age alarm threshold of the asynchronous functions (ms). @default 300000 */
  readonly asyncEventAgeAlarmMs?: number;
}

/** The "Vigil health" dashboard: Lambda, API Gateway, DLQs, Vigil's own metrics, alarms. */
const buildHealthDashboard = (i: HealthDashboardInput): BuiltDashboard => {
  const p = i.periodSeconds;
  const lambda = (metric: string, stat: string) =>
    i.functions.map((f) =>
      metricRow('AWS/Lambda', metric, { FunctionName: f.functionName }, { stat, label: f.role }),
    );
  const widgets: Widget[] = [
    text(
      "# Vigil health\nVigil's own functions, API, dead-letter queues and metrics; every alarm here notifies the critical topic.",
      2,
    ),
    text('## Functions'),
    graph({
      title: 'Errors',
      region: i.region,
      stat: 'Sum',
      periodSeconds: p,
      metrics: lambda('Errors', 'Sum'),
      yMin: 0,
    }),
    graph({
      title: 'Throttles',
      region: i.region,
      stat: 'Sum',
      periodSeconds: p,
      metrics: lambda('Throttles', 'Sum'),
      yMin: 0,
    }),
    graph({
      title: 'Duration p99, % of timeout',
      region: i.region,
      stat: 'p99',
      periodSeconds: p,
      metrics: i.functions.flatMap((f, n) => [
        metricRow(
          'AWS/Lambda',
          'Duration',
          { FunctionName: f.functionName },
          { stat: 'p99', id: `d${n}`, visible: false },
        ),
        expressionRow(`100 * d${n} / ${f.timeoutSeconds * 1000}`, `pct${n}`, f.role),
      ]),
      yMin: 0,
      thresholds: [{ value: Math.round(i.durationRatio * 100), label: 'alarm' }],
    }),
  ];
  // Lambda's asynchronous invocation metrics of the scheduled functions and notifiers.
  const asynchronous = i.functions.filter((f) => f.asynchronous);
  if (asynchronous.length > 0) {
    const asyncRows = (metric: string, stat: string) =>
      asynchronous.map((f) =>
        metricRow('AWS/Lambda', metric, { FunctionName: f.functionName }, { stat, label: f.role }),
      );
    widgets.push(
      graph({
        title: 'Asynchronous events dropped',
        region: i.region,
        stat: 'Sum',
        periodSeconds: p,
        metrics: asyncRows('AsyncEventsDropped', 'Sum'),
        yMin: 0,
      }),
      graph({
        title: 'Asynchronous event age, max (ms)',
        region: i.region,
        stat: 'Maximum',
        periodSeconds: p,
        metrics: asyncRows('AsyncEventAge', 'Maximum'),
        yMin: 0,
        thresholds: [{ value: i.asyncEventAgeAlarmMs ?? 300_000, label: 'alarm' }],
      }),
    );
  }
  if (i.api) {
    const dims = { ApiName: i.api.apiName };
    widgets.push(
      text('## API Gateway'),
      graph({
        title: 'Requests',
        region: i.region,
        stat: 'Sum',
        periodSeconds: p,
        metrics: [metricRow('AWS/ApiGateway', 'Count', dims, { stat: 'Sum' })],
        yMin: 0,
      }),
      graph({
        title: '4xx / 5xx ratio',
        region: i.region,
        stat: 'Average',
        periodSeconds: p,
        metrics: [
          metricRow('AWS/ApiGateway', '4XXError', dims, { stat: 'Average', label: '4xx' }),
          metricRow('AWS/ApiGateway', '5XXError', dims, { stat: 'Average', label: '5xx' }),
        ],
        yMin: 0,
        yMax: 1,
      }),
      graph({
        title: 'Latency (ms)',
        region: i.region,
        stat: 'p99',
        periodSeconds: p,
        metrics: ['p50', 'p99'].map((stat) =>
          metricRow('AWS/ApiGateway', 'Latency', dims, { stat, label: stat }),
        ),
        yMin: 0,
      }),
    );
  }
  if (i.queues.length > 0) {
    widgets.push(
      text('## Dead-letter queues'),
      graph({
        title: 'Messages waiting',
        region: i.region,
        stat: 'Maximum',
        periodSeconds: p,
        metrics: i.queues.map((q) =>
          metricRow(
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            { QueueName: q.queueName },
            { stat: 'Maximum', label: q.title },
          ),
        ),
        width: 24,
        yMin: 0,
      }),
    );
  }
  widgets.push(
    text('## Vigil metrics'),
    ...i.selfMetrics.groups.map((g) =>
      graph({
        title: g.title,
        region: i.region,
        stat: 'Sum',
        periodSeconds: p,
        metrics: g.names.map((n) =>
          metricRow(i.selfMetrics.namespace, n, i.selfMetrics.dimensions, { stat: 'Sum' }),
        ),
        yMin: 0,
      }),
    ),
    ...alarmStatus('Vigil alarms', i.alarmArns),
  );
  const pages = paginate(widgets);
  // Vigil's own dashboard is small by construction: one page per 500 widgets is never reached.
  return { name: i.name, body: dashboardBody(pages[0] as Widget[]) };
};

export type { BuiltDashboard, HealthDashboardInput, HealthFunction, MainDashboardInput };
export {
  buildHealthDashboard,
  buildMainDashboards,
  GPU_SCHEMA,
  healthDashboardName,
  mainDashboardName,
};
