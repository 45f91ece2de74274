/**
 * Grafana dashboards (JSON model, `schemaVersion` {@link GRAFANA_SCHEMA_VERSION}) from the same
 * `dashboards:` config as the CloudWatch dashboards: one dashboard per section (services, models,
 * drift, GPU, alerts), each panel a PromQL query on the Vigil data source. The services and models
 * panels query the very expressions the `vigil-dashboards` recording rules evaluate
 * (`dashboardExpressions`), so both show the same numbers, locally as well as deployed.
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
import { DATASET_FEATURE, DRIFT_SERIES } from '../drift/monitor-series';
import { PROM_GPU_METRIC } from '../gpu/cwagent-metrics';
import type { DashboardsConfig } from './dashboards-config';
import {
  type DashboardExpressions,
  dashboardExpressions,
  firingAlertExpressions,
  type QuantileExpression,
  type SeverityRouting,
} from './dashboard-series';

/**
 * The dashboard JSON schema version the models declare: Grafana 11.6's. Later Grafana versions
 * migrate a dashboard of an earlier schema version when they load it.
 */
const GRAFANA_SCHEMA_VERSION = 41;
/** Grafana dashboard and data source uids: at most 40 characters. */
const MAX_UID_LENGTH = 40;
/** The grid is 24 columns wide. */
const GRID_COLUMNS = 24;
const PANEL_HEIGHT = 8;

/** Reference to the Prometheus data source the panels query. */
interface DataSourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** One Prometheus query of a panel (Grafana's Prometheus `dataquery`). */
interface PromTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: boolean;
  readonly instant: boolean;
  readonly format?: 'time_series' | 'table';
  readonly editorMode: 'code';
  readonly datasource: DataSourceRef;
}

interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A panel of the JSON model (timeseries, stat or table). */
interface GrafanaPanel {
  readonly type: 'timeseries' | 'stat' | 'table';
  readonly id: number;
  readonly title: string;
  readonly description?: string;
  readonly datasource: DataSourceRef;
  readonly gridPos: GridPos;
  readonly targets: readonly PromTarget[];
  readonly fieldConfig: {
    readonly defaults: Readonly<Record<string, unknown>>;
    readonly overrides: readonly never[];
  };
  readonly options: Readonly<Record<string, unknown>>;
}

/** A row: a section header over the panels that follow it. */
interface GrafanaRow {
  readonly type: 'row';
  readonly id: number;
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GridPos;
  readonly panels: readonly never[];
}

/** A dashboard JSON model as Grafana's file provisioning reads it. */
interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: 'browser';
  readonly editable: boolean;
  readonly graphTooltip: 1;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly schemaVersion: number;
  readonly panels: readonly (GrafanaPanel | GrafanaRow)[];
  readonly templating: { readonly list: readonly never[] };
  readonly annotations: { readonly list: readonly never[] };
}

/** The sections, in the order the CloudWatch dashboard shows them. */
type GrafanaSection = 'services' | 'models' | 'drift' | 'gpu' | 'alerts';

/** One dashboard file to write. */
interface BuiltGrafanaDashboard {
  readonly section: GrafanaSection;
  /** File name in the dashboards folder, `<section>.json`. */
  readonly file: string;
  readonly dashboard: GrafanaDashboard;
}

/** What the dashboards need besides the config. */
interface GrafanaDashboardsInput {
  readonly config: DashboardsConfig;
  /** Project name, the default dashboard name. */
  readonly project: string;
  readonly routing: SeverityRouting;
  /** uid of the Prometheus data source pointing at Vigil ({@link grafanaDataSourceUid}). */
  readonly dataSourceUid: string;
}

/** What a panel shows, before it is placed. */
interface PanelSpec {
  readonly type: GrafanaPanel['type'];
  readonly title: string;
  readonly description?: string;
  readonly targets: readonly { expr: string; legend: string; table?: boolean }[];
  /** Grafana unit id (`reqps`, `s`, `percentunit`, `bytes`, …). */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly width?: number;
}

/** `name` cut so that `name` + `-` + `suffix` fits a uid. */
const uidOf = (name: string, suffix: string): string =>
  `${name.slice(0, MAX_UID_LENGTH - suffix.length - 1)}-${suffix}`;

/**
 * uid of the Vigil data source of a project: the dashboards refer to it, the data source file
 * declares it.
 * @example grafanaDataSourceUid('rxvision') // 'rxvision-vigil'
 */
const grafanaDataSourceUid = (project: string): string => uidOf(project, 'vigil');

/** `{{job}} {{result}}`: the legend naming a series by its labels. */
const legendOf = (labels: readonly string[]): string => labels.map((l) => `{{${l}}}`).join(' ');

const quantileName = (q: string): string => `p${Number(q) * 100}`;

const quantileTargets = (qs: readonly QuantileExpression[], by: readonly string[]) =>
  qs.map(({ quantile, expr }) => ({ expr, legend: `${quantileName(quantile)} ${legendOf(by)}` }));

const timeseriesOptions = {
  legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
  tooltip: { mode: 'multi', sort: 'desc' },
};

const statOptions = {
  graphMode: 'area',
  colorMode: 'value',
  justifyMode: 'auto',
  textMode: 'auto',
  wideLayout: true,
  showPercentChange: false,
  reduceOptions: { calcs: ['lastNotNull'], values: false },
  percentChangeColorMode: 'standard',
  orientation: 'auto',
};

const tableOptions = { frameIndex: 0, showHeader: true, cellHeight: 'sm' };

/** Places `specs` left to right, 8 columns each unless a width is given, wrapping at 24. */
class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 0;
  readonly panels: (GrafanaPanel | GrafanaRow)[] = [];

  constructor(private readonly dataSource: DataSourceRef) {}

  row(title: string): void {
    this.newLine();
    this.panels.push({
      type: 'row',
      id: ++this.id,
      title,
      collapsed: false,
      gridPos: { x: 0, y: this.y, w: GRID_COLUMNS, h: 1 },
      panels: [],
    });
    this.y += 1;
  }

  panel(spec: PanelSpec): void {
    const w = spec.width ?? 8;
    if (this.x + w > GRID_COLUMNS) this.newLine();
    const ds = this.dataSource;
    this.panels.push({
      type: spec.type,
      id: ++this.id,
      title: spec.title,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      datasource: ds,
      gridPos: { x: this.x, y: this.y, w, h: PANEL_HEIGHT },
      targets: spec.targets.map((t, i) => ({
        refId: String.fromCharCode(65 + i),
        expr: t.expr,
        legendFormat: t.legend,
        range: t.table !== true,
        instant: t.table === true,
        ...(t.table === true ? { format: 'table' as const } : {}),
        editorMode: 'code',
        datasource: ds,
      })),
      fieldConfig: {
        defaults: {
          ...(spec.unit === undefined ? {} : { unit: spec.unit }),
          ...(spec.min === undefined ? {} : { min: spec.min }),
          ...(spec.max === undefined ? {} : { max: spec.max }),
        },
        overrides: [],
      },
      options:
        spec.type === 'timeseries'
          ? timeseriesOptions
          : spec.type === 'stat'
            ? statOptions
            : tableOptions,
    });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, PANEL_HEIGHT);
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/**
 * The rows of a per-service or per-model section: one per value of `list` (its first `by` label
 * filtered to it), else one row over every service or model.
 */
const rowsOf = (
  config: DashboardsConfig,
  section: { readonly by: readonly string[]; readonly list: readonly string[] },
): { title: string; e: DashboardExpressions }[] => {
  const by = section.by[0] as string;
  return section.list.length === 0
    ? [{ title: `by ${section.by.join(', ')}`, e: dashboardExpressions(config) }]
    : section.list.map((value) => ({
        title: `${by}="${value}"`,
        e: dashboardExpressions(config, { [by]: value }),
      }));
};

const servicesPanels = (config: DashboardsConfig, layout: Layout): void => {
  const c = config.services;
  for (const { title, e } of rowsOf(config, c)) {
    layout.row(title);
    layout.panel({
      type: 'timeseries',
      title: 'Request rate (req/s)',
      targets: [{ expr: e.requestRate, legend: legendOf(c.by) }],
      unit: 'reqps',
      min: 0,
    });
    layout.panel({
      type: 'timeseries',
      title: `Latency ${c.quantiles.map((q) => `p${q * 100}`).join('/')} (s)`,
      targets: quantileTargets(e.latency, c.by),
      unit: 's',
      min: 0,
    });
    layout.panel({
      type: 'timeseries',
      title: `Error ratio (${c.statusLabel}=~"${c.errorStatus}")`,
      targets: [{ expr: e.errorRatio, legend: legendOf(c.by) }],
      unit: 'percentunit',
      min: 0,
      max: 1,
    });
  }
};

const modelsPanels = (config: DashboardsConfig, layout: Layout): void => {
  const c = config.models;
  for (const { title, e } of rowsOf(config, c)) {
    layout.row(title);
    layout.panel({
      type: 'timeseries',
      title: `Predictions/s by ${c.resultLabel}`,
      targets: [{ expr: e.predictionRate, legend: legendOf([...c.by, c.resultLabel]) }],
      unit: 'ops',
      min: 0,
      width: 6,
    });
    layout.panel({
      type: 'timeseries',
      title: `Confidence ${c.confidenceQuantiles.map((q) => `p${q * 100}`).join('/')}`,
      targets: quantileTargets(e.confidence, c.by),
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 6,
    });
    layout.panel({
      type: 'timeseries',
      title: 'Mean inference time (s)',
      targets: [{ expr: e.inferenceMean, legend: legendOf(c.by) }],
      unit: 's',
      min: 0,
      width: 6,
    });
    layout.panel({
      type: 'timeseries',
      title: 'Accuracy (where reported)',
      targets: [{ expr: e.accuracy, legend: legendOf(c.by) }],
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 6,
    });
  }
};

const driftPanels = (config: DashboardsConfig, layout: Layout): void => {
  const c = config.models;
  const e = dashboardExpressions(config);
  const perFeature = ['monitor', 'feature', 'method'];
  layout.row('Drift monitors');
  layout.panel({
    type: 'stat',
    title: 'Columns drifting now',
    description: 'Columns whose last drift run found drift, across every monitor.',
    targets: [
      {
        expr: `count(${DRIFT_SERIES.Detected}{feature!="${DATASET_FEATURE}"} == 1) or vector(0)`,
        legend: 'drifting',
      },
    ],
    unit: 'none',
    width: 6,
  });
  layout.panel({
    type: 'timeseries',
    title: 'Share of drifted columns by monitor',
    targets: [
      {
        expr: `max by (monitor) (${DRIFT_SERIES.Score}{feature="${DATASET_FEATURE}"})`,
        legend: '{{monitor}}',
      },
    ],
    unit: 'percentunit',
    min: 0,
    max: 1,
    width: 18,
  });
  layout.panel({
    type: 'timeseries',
    title: `Drift scores by ${c.driftBy.join(', ')}`,
    targets: [{ expr: e.drift, legend: legendOf(c.driftBy) }],
    min: 0,
    width: 12,
  });
  layout.panel({
    type: 'timeseries',
    title: 'p-values (ks, chisquare, z)',
    targets: [
      {
        expr: `max by (monitor, feature, method) (${DRIFT_SERIES.PValue})`,
        legend: legendOf(perFeature),
      },
    ],
    min: 0,
    max: 1,
    width: 12,
  });
  layout.panel({
    type: 'timeseries',
    title: 'Values compared (reference / current)',
    targets: [
      {
        expr: `max by (monitor, feature, window) (${DRIFT_SERIES.SampleSize})`,
        legend: '{{monitor}} {{feature}} {{window}}',
      },
    ],
    unit: 'short',
    min: 0,
    width: 24,
  });
};

const gpuPanels = (layout: Layout): void => {
  const byGpu = (metric: string) => `max by (instance_id, gpu_index) (${metric})`;
  // The imported series carry instance_id; a service's own gpu_memory_used_bytes{device} does not.
  const imported = (metric: string) => `${metric}{instance_id!=""}`;
  const legend = '{{instance_id}} GPU {{gpu_index}}';
  layout.row('GPUs (CloudWatch agent, imported as gpu_* series)');
  layout.panel({
    type: 'timeseries',
    title: 'GPU utilization (%)',
    targets: [{ expr: byGpu(PROM_GPU_METRIC.utilizationGpu), legend }],
    unit: 'percent',
    min: 0,
    max: 100,
    width: 12,
  });
  layout.panel({
    type: 'timeseries',
    title: 'GPU memory used / total',
    targets: [
      { expr: byGpu(imported(PROM_GPU_METRIC.memoryUsed)), legend: `used ${legend}` },
      { expr: byGpu(imported(PROM_GPU_METRIC.memoryTotal)), legend: `total ${legend}` },
    ],
    unit: 'bytes',
    min: 0,
    width: 12,
  });
  layout.panel({
    type: 'timeseries',
    title: 'GPU temperature (°C)',
    targets: [{ expr: byGpu(PROM_GPU_METRIC.temperatureGpu), legend }],
    unit: 'celsius',
    width: 12,
  });
  layout.panel({
    type: 'timeseries',
    title: 'GPU power draw (W)',
    targets: [{ expr: byGpu(PROM_GPU_METRIC.powerDraw), legend }],
    unit: 'watt',
    min: 0,
    width: 12,
  });
};

const alertPanels = (routing: SeverityRouting, layout: Layout): void => {
  layout.row('Alerts (ALERTS series of the rule evaluator)');
  layout.panel({
    type: 'stat',
    title: 'Firing now',
    targets: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)', legend: 'firing' }],
    unit: 'none',
    width: 6,
  });
  layout.panel({
    type: 'stat',
    title: 'Pending now',
    targets: [{ expr: 'count(ALERTS{alertstate="pending"}) or vector(0)', legend: 'pending' }],
    unit: 'none',
    width: 6,
  });
  layout.panel({
    type: 'timeseries',
    title: 'Firing alerts by severity',
    description:
      'Per alert topic: alerts whose severity label routes to it (aliases included); unlabelled alerts count for the default topic.',
    targets: firingAlertExpressions(routing).map(({ severity, expr }) => ({
      expr,
      legend: severity,
    })),
    unit: 'none',
    min: 0,
    width: 12,
  });
  layout.panel({
    type: 'table',
    title: 'Firing alerts',
    targets: [{ expr: 'ALERTS{alertstate="firing"}', legend: '{{alertname}}', table: true }],
    width: 24,
  });
};

const SECTION_TITLES: Readonly<Record<GrafanaSection, string>> = {
  services: 'Services',
  models: 'Models',
  drift: 'Drift',
  gpu: 'GPU',
  alerts: 'Alerts',
};

const SECTION_DESCRIPTIONS: Readonly<Record<GrafanaSection, string>> = {
  services: 'Request rate, latency quantiles and error ratio per service.',
  models:
    'Predictions by result, confidence quantiles, mean inference time and accuracy per model.',
  drift: "Vigil's drift monitors: scores, p-values, drifted columns and sample sizes.",
  gpu: 'GPU utilization, memory, temperature and power per instance and GPU index.',
  alerts: "Firing and pending alerts of Vigil's rule evaluator.",
};

/**
 * The Grafana dashboards of the enabled sections (none when `dashboards.enabled` is false). Drift
 * is its own dashboard here; it follows `models.enabled`, as on the CloudWatch dashboard. The
 * user's `widgets` are CloudWatch queries and have no Grafana counterpart.
 */
const buildGrafanaDashboards = (input: GrafanaDashboardsInput): BuiltGrafanaDashboard[] => {
  const c = input.config;
  if (!c.enabled) return [];
  const name = c.name ?? input.project;
  const dataSource: DataSourceRef = { type: 'prometheus', uid: input.dataSourceUid };
  const sections: [GrafanaSection, boolean, (layout: Layout) => void][] = [
    ['services', c.services.enabled, (l) => servicesPanels(c, l)],
    ['models', c.models.enabled, (l) => modelsPanels(c, l)],
    ['drift', c.models.enabled, (l) => driftPanels(c, l)],
    ['gpu', c.gpu.enabled, (l) => gpuPanels(l)],
    ['alerts', c.alerts.enabled, (l) => alertPanels(input.routing, l)],
  ];
  return sections
    .filter(([, enabled]) => enabled)
    .map(([section, , fill]) => {
      const layout = new Layout(dataSource);
      fill(layout);
      return {
        section,
        file: `${section}.json`,
        dashboard: {
          uid: uidOf(name, section),
          title: `${name} · ${SECTION_TITLES[section]}`,
          description: `${SECTION_DESCRIPTIONS[section]} Written by \`vigil grafana\` from dashboards: in vigil.config.yaml.`,
          tags: ['vigil', name],
          timezone: 'browser',
          editable: true,
          graphTooltip: 1,
          time: { from: 'now-6h', to: 'now' },
          refresh: '1m',
          schemaVersion: GRAFANA_SCHEMA_VERSION,
          panels: layout.panels,
          templating: { list: [] },
          annotations: { list: [] },
        },
      };
    });
};

/** Every PromQL expression of a dashboard, with its panel's title (tests, checks). */
const grafanaQueriesOf = (
  dashboard: GrafanaDashboard,
): { readonly panel: string; readonly expr: string; readonly instant: boolean }[] =>
  dashboard.panels.flatMap((p) =>
    p.type === 'row'
      ? []
      : p.targets.map((t) => ({ panel: p.title, expr: t.expr, instant: t.instant })),
  );

export type {
  BuiltGrafanaDashboard,
  GrafanaDashboard,
  GrafanaDashboardsInput,
  GrafanaPanel,
  GrafanaRow,
  GrafanaSection,
};
export { buildGrafanaDashboards, GRAFANA_SCHEMA_VERSION, grafanaDataSourceUid, grafanaQueriesOf };
