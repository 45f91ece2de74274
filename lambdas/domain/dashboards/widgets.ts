/**
 * CloudWatch dashboard body JSON: widget objects, SEARCH expressions, grid layout and the limits
 * a body must respect.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
 */

import { isMetricsInsightsQuery } from './metrics-insights';

/** "A DashboardBody … can include an array of between 0 and 500 widget objects." */
const MAX_WIDGETS_PER_DASHBOARD = 500;
/** Service quotas, Dashboards: up to 2,500 metrics per dashboard, across all widgets. */
const MAX_METRICS_PER_DASHBOARD = 2500;
/** An alarm status widget lists at most 100 alarms (Dashboard Body Structure, `alarms`). */
const MAX_ALARMS_PER_WIDGET = 100;
/** Dashboards are 24 grid units wide. */
const GRID_WIDTH = 24;

/** Rendering options of one entry of a metric widget's `metrics` array. */
interface MetricRenderOptions {
  readonly id?: string;
  readonly label?: string;
  readonly stat?: string;
  readonly visible?: boolean;
  readonly yAxis?: 'left' | 'right';
}

/**
 * One entry of `metrics`: `[Namespace, MetricName, DimName, DimValue, …, options]` or
 * `[{ expression, id, label }]` for metric math and SEARCH.
 */
type MetricRow = readonly (
  | string
  | MetricRenderOptions
  | { readonly expression: string; readonly id: string; readonly label?: string }
)[];

interface MetricWidget {
  readonly type: 'metric';
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: 'timeSeries' | 'singleValue';
    readonly stacked?: boolean;
    readonly stat: string;
    readonly period: number;
    readonly metrics: readonly MetricRow[];
    readonly yAxis?: {
      readonly left?: { readonly min?: number; readonly max?: number; readonly label?: string };
    };
    readonly annotations?: {
      readonly horizontal: readonly { readonly value: number; readonly label: string }[];
    };
  };
}

interface TextWidget {
  readonly type: 'text';
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly markdown: string };
}

interface AlarmWidget {
  readonly type: 'alarm';
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly alarms: readonly string[];
    readonly sortBy: 'stateUpdatedTimestamp';
    readonly states: readonly string[];
  };
}

type Widget = MetricWidget | TextWidget | AlarmWidget;

/** A dashboard body (the `DashboardBody` JSON before `JSON.stringify`). */
interface DashboardBody {
  readonly start: string;
  readonly periodOverride: 'inherit' | 'auto';
  readonly widgets: readonly Widget[];
}

/** Names in a SEARCH schema need double quotes unless alphanumeric (slashes, dots, _ and - allowed as in `AWS/EC2`). */
const schemaName = (s: string): string =>
  /^[A-Za-z0-9_/.-]+$/.test(s) ? s : `"${s.replace(/"/g, '\\"')}"`;

/**
 * `SEARCH('{Namespace,Dim1,Dim2} MetricName="x" Dim1="v"', 'Stat', period)`: every metric of
 * that exact dimension set, so new label values (a new service, model or GPU) appear by
 * themselves.
 *
 * @param filters - exact dimension values to keep, as `name="value"` search terms
 * @example searchExpression('Vigil', ['job'], 'vigil_dashboard:http_requests:rate5m', 'Average', 60)
 * // "SEARCH('{Vigil,job} MetricName=\"vigil_dashboard:http_requests:rate5m\"', 'Average', 60)"
 */
const searchExpression = (
  namespace: string,
  dimensions: readonly string[],
  metricName: string,
  stat: string,
  periodSeconds: number,
  filters: Readonly<Record<string, string>> = {},
): string => {
  const schema = [namespace, ...dimensions].map(schemaName).join(',');
  const terms = [
    `MetricName="${metricName}"`,
    ...Object.entries(filters).map(([k, v]) => `${schemaName(k)}="${v}"`),
  ].join(' ');
  return `SEARCH('{${schema}} ${terms}', '${stat}', ${periodSeconds})`;
};

/** A metric math or SEARCH row. */
const expressionRow = (expression: string, id: string, label?: string): MetricRow => [
  label === undefined ? { expression, id } : { expression, id, label },
];

/** A metric row: namespace, name, dimension pairs, options. */
const metricRow = (
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  options: MetricRenderOptions = {},
): MetricRow => [
  namespace,
  metricName,
  ...Object.entries(dimensions).flat(),
  ...(Object.keys(options).length > 0 ? [options] : []),
];

interface GraphOptions {
  readonly title: string;
  readonly region: string;
  readonly stat: string;
  readonly periodSeconds: number;
  readonly metrics: readonly MetricRow[];
  readonly width?: number;
  readonly height?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly yLabel?: string;
  readonly thresholds?: readonly { readonly value: number; readonly label: string }[];
}

/** A time-series graph widget (position set by {@link layout}). */
const graph = (o: GraphOptions): MetricWidget => ({
  type: 'metric',
  x: 0,
  y: 0,
  width: o.width ?? 8,
  height: o.height ?? 6,
  properties: {
    title: o.title,
    region: o.region,
    view: 'timeSeries',
    stat: o.stat,
    period: o.periodSeconds,
    metrics: o.metrics,
    ...(o.yMin !== undefined || o.yMax !== undefined || o.yLabel !== undefined
      ? {
          yAxis: {
            left: {
              ...(o.yMin === undefined ? {} : { min: o.yMin }),
              ...(o.yMax === undefined ? {} : { max: o.yMax }),
              ...(o.yLabel === undefined ? {} : { label: o.yLabel }),
            },
          },
        }
      : {}),
    ...(o.thresholds && o.thresholds.length > 0
      ? { annotations: { horizontal: o.thresholds } }
      : {}),
  },
});

/** A full-width markdown widget (section headers). */
const text = (markdown: string, height = 1): TextWidget => ({
  type: 'text',
  x: 0,
  y: 0,
  width: GRID_WIDTH,
  height,
  properties: { markdown },
});

/** Alarm status widgets over `alarmArns`, 100 alarms each. */
const alarmStatus = (title: string, alarmArns: readonly string[]): AlarmWidget[] => {
  const out: AlarmWidget[] = [];
  for (let i = 0; i < alarmArns.length; i += MAX_ALARMS_PER_WIDGET) {
    const part = alarmArns.slice(i, i + MAX_ALARMS_PER_WIDGET);
    out.push({
      type: 'alarm',
      x: 0,
      y: 0,
      width: GRID_WIDTH,
      height: Math.min(2 + Math.ceil(part.length / 4), 12),
      properties: {
        title: alarmArns.length > MAX_ALARMS_PER_WIDGET ? `${title} (${out.length + 1})` : title,
        alarms: part,
        sortBy: 'stateUpdatedTimestamp',
        states: ['ALARM', 'INSUFFICIENT_DATA', 'OK'],
      },
    });
  }
  return out;
};

/** Number of metric rows a widget counts against the per-dashboard metric quota. */
const metricCount = (w: Widget): number => (w.type === 'metric' ? w.properties.metrics.length : 0);

/**
 * Places widgets left to right on the 24-column grid, wrapping to a new row when a widget does
 * not fit; a full-width widget always starts a row. Mutates and returns the widgets.
 */
const layout = <W extends Widget>(widgets: W[]): W[] => {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const w of widgets) {
    if (x + w.width > GRID_WIDTH) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    w.x = x;
    w.y = y;
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
  }
  return widgets;
};

/**
 * Splits widgets into pages that each respect {@link MAX_WIDGETS_PER_DASHBOARD} and
 * {@link MAX_METRICS_PER_DASHBOARD}, then lays each page out.
 */
const paginate = (widgets: readonly Widget[]): Widget[][] => {
  const pages: Widget[][] = [];
  let page: Widget[] = [];
  let metrics = 0;
  for (const w of widgets) {
    const n = metricCount(w);
    if (
      page.length > 0 &&
      (page.length + 1 > MAX_WIDGETS_PER_DASHBOARD || metrics + n > MAX_METRICS_PER_DASHBOARD)
    ) {
      pages.push(page);
      page = [];
      metrics = 0;
    }
    page.push({ ...w });
    metrics += n;
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages.map((p) => layout(p));
};

/**
 * Every Metrics Insights query (`SELECT …` expression row) of a body, with its widget's title, so
 * that the construct checks them at synth.
 */
const metricsInsightsQueriesOf = (
  body: DashboardBody,
): { readonly title: string; readonly query: string }[] =>
  body.widgets.flatMap((w) =>
    w.type !== 'metric'
      ? []
      : w.properties.metrics.flatMap((row) =>
          row.flatMap((cell) =>
            typeof cell === 'object' &&
            'expression' in cell &&
            isMetricsInsightsQuery(cell.expression)
              ? [{ title: w.properties.title, query: cell.expression }]
              : [],
          ),
        ),
  );

/** A body with the default time range (last 6 hours) and each graph's own period. */
const dashboardBody = (widgets: readonly Widget[]): DashboardBody => ({
  start: '-PT6H',
  periodOverride: 'inherit',
  widgets,
});

export type {
  AlarmWidget,
  DashboardBody,
  GraphOptions,
  MetricRenderOptions,
  MetricRow,
  MetricWidget,
  TextWidget,
  Widget,
};
export {
  alarmStatus,
  dashboardBody,
  expressionRow,
  GRID_WIDTH,
  graph,
  layout,
  MAX_ALARMS_PER_WIDGET,
  MAX_METRICS_PER_DASHBOARD,
  MAX_WIDGETS_PER_DASHBOARD,
  metricCount,
  metricRow,
  metricsInsightsQueriesOf,
  paginate,
  searchExpression,
  text,
};
