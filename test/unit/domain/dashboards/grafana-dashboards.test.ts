import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import {
  DEFAULT_DASHBOARDS_CONFIG,
  validateDashboardsConfig,
} from '../../../../lambdas/domain/dashboards/dashboards-config';
import {
  type BuiltGrafanaDashboard,
  buildGrafanaDashboards,
  GRAFANA_SCHEMA_VERSION,
  type GrafanaDashboard,
  type GrafanaPanel,
  grafanaDataSourceUid,
  grafanaQueriesOf,
} from '../../../../lambdas/domain/dashboards/grafana-dashboards';
import {
  grafanaDashboardProviderFile,
  grafanaDataSourceFile,
} from '../../../../lambdas/domain/dashboards/grafana-provisioning';
import { severityRoutingOf } from '../../../../lambdas/domain/dashboards/mirror-rules';
import { DEFAULT_CHANNELS_CONFIG } from '../../../../lambdas/domain/notifications/channels-config';
import { parseExpr } from '../../../../lambdas/domain/promql/parser';

const SCHEMAS = join(process.cwd(), 'test', 'fixtures', 'grafana-schema');
const schema = (name: string) =>
  JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), 'utf8')) as {
    definitions: Record<string, unknown>;
  };

// Grafana's schemas as published; `date-time` formats only occur in fields the models never set.
const ajv = new Ajv({ allErrors: true, validateFormats: false });
const dashboardSchema = schema('dashboard');
const validateDashboard = ajv.compile(dashboardSchema);
const definition = (file: string, name: string): ValidateFunction => {
  const s = schema(file);
  return ajv.compile({ ...s, $ref: `#/definitions/${name}` });
};
const validateOptions: Record<GrafanaPanel['type'], ValidateFunction> = {
  timeseries: definition('timeseries', 'Options'),
  stat: definition('stat', 'Options'),
  table: definition('table', 'Options'),
};
const validateTarget = ajv.compile(schema('prometheus'));

/** Every schema error of a dashboard: the model, then each panel's options and targets. */
const schemaErrors = (d: GrafanaDashboard): string[] => {
  const errors: string[] = [];
  const note = (where: string, v: ValidateFunction, value: unknown) => {
    if (!v(value)) errors.push(`${where}: ${ajv.errorsText(v.errors)}`);
  };
  note(d.uid, validateDashboard, d);
  for (const p of d.panels) {
    if (p.type === 'row') continue;
    note(`${d.uid} ${p.title} options`, validateOptions[p.type], p.options);
    for (const t of p.targets) note(`${d.uid} ${p.title} ${t.refId}`, validateTarget, t);
  }
  return errors;
};

const EXAMPLE = validateDashboardsConfig(
  (parse(readFileSync(join(process.cwd(), 'vigil.config.yaml'), 'utf8')) as { dashboards: unknown })
    .dashboards,
).config;
const INPUT = {
  config: DEFAULT_DASHBOARDS_CONFIG,
  project: 'rxvision',
  routing: severityRoutingOf(DEFAULT_CHANNELS_CONFIG),
  dataSourceUid: grafanaDataSourceUid('rxvision'),
};

const bySection = (built: readonly BuiltGrafanaDashboard[], section: string) => {
  const found = built.find((b) => b.section === section);
  if (!found) throw new Error(`no ${section} dashboard`);
  return found.dashboard;
};
const panelTitles = (d: GrafanaDashboard) => d.panels.map((p) => p.title);
const panel = (d: GrafanaDashboard, title: string): GrafanaPanel => {
  const found = d.panels.find((p) => p.title === title);
  if (!found || found.type === 'row') throw new Error(`no panel ${title}`);
  return found;
};

describe('Function: buildGrafanaDashboards', () => {
  it('builds one dashboard per section, each valid against Grafana 11.6 dashboard and panel schemas', () => {
    // Act
    const built = [
      ...buildGrafanaDashboards(INPUT),
      ...buildGrafanaDashboards({ ...INPUT, config: EXAMPLE }),
    ];

    // Assess
    expect(built.map((b) => b.file)).toEqual([
      'services.json',
      'models.json',
      'drift.json',
      'gpu.json',
      'alerts.json',
      'services.json',
      'models.json',
      'drift.json',
      'gpu.json',
      'alerts.json',
    ]);
    expect(built.flatMap((b) => schemaErrors(b.dashboard))).toEqual([]);
    expect(built.every((b) => b.dashboard.schemaVersion === GRAFANA_SCHEMA_VERSION)).toBe(true);
  });

  it('declares the schema version the vendored Grafana schema defaults to', () => {
    // Assess
    const props = (dashboardSchema.definitions.Dashboard as { properties: Record<string, unknown> })
      .properties;
    expect(props.schemaVersion).toMatchObject({ type: 'integer', default: GRAFANA_SCHEMA_VERSION });
  });

  it('is caught by the schema when a panel leaves the 24-column grid or a query has no refId', () => {
    // Prepare
    const [services] = buildGrafanaDashboards(INPUT);
    const d = services?.dashboard as GrafanaDashboard;
    const [row, first, ...rest] = d.panels as [GrafanaPanel, GrafanaPanel, ...GrafanaPanel[]];
    const broken = {
      ...d,
      panels: [
        row,
        {
          ...first,
          gridPos: { ...first.gridPos, w: 25 },
          targets: [{ ...first.targets[0], refId: undefined }],
        },
        ...rest,
      ],
    } as unknown as GrafanaDashboard;

    // Act
    const errors = schemaErrors(broken);

    // Assess
    expect(errors.join('\n')).toMatch(/w must be <= 24/);
    expect(errors.join('\n')).toMatch(/must have required property 'refId'/);
  });

  it('writes only PromQL that Vigil parses, in every section', () => {
    // Act
    const queries = [
      ...buildGrafanaDashboards(INPUT),
      ...buildGrafanaDashboards({ ...INPUT, config: EXAMPLE }),
    ].flatMap((b) => grafanaQueriesOf(b.dashboard));

    // Assess
    expect(queries.length).toBeGreaterThan(40);
    const unparsed = queries.filter(({ expr }) => {
      try {
        parseExpr(expr);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparsed).toEqual([]);
  });

  it('gives each listed service a row whose queries keep its job only, as the CloudWatch rows do', () => {
    // Act
    const services = bySection(buildGrafanaDashboards({ ...INPUT, config: EXAMPLE }), 'services');

    // Assess
    expect(panelTitles(services)).toEqual([
      'job="rxvision-api"',
      'Request rate (req/s)',
      'Latency p50/p95/p99 (s)',
      'Error ratio (status=~"5..")',
      'job="rxvision-inference"',
      'Request rate (req/s)',
      'Latency p50/p95/p99 (s)',
      'Error ratio (status=~"5..")',
    ]);
    const rate = services.panels[1] as GrafanaPanel;
    expect(rate.targets.map((t) => t.expr)).toEqual([
      'sum by (job) (rate(http_requests_total{job="rxvision-api"}[5m]))',
    ]);
    expect(rate.gridPos).toEqual({ x: 0, y: 1, w: 8, h: 8 });
    const latency = services.panels[6] as GrafanaPanel;
    expect(latency.targets.map((t) => [t.refId, t.legendFormat, t.expr])).toEqual([
      [
        'A',
        'p50 {{job}}',
        'histogram_quantile(0.5, sum by (job, le) (rate(http_request_duration_seconds_bucket{job="rxvision-inference"}[5m])))',
      ],
      [
        'B',
        'p95 {{job}}',
        'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{job="rxvision-inference"}[5m])))',
      ],
      [
        'C',
        'p99 {{job}}',
        'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{job="rxvision-inference"}[5m])))',
      ],
    ]);
    expect(latency.gridPos).toEqual({ x: 8, y: 10, w: 8, h: 8 });
  });

  it('queries the same expressions the vigil-dashboards recording rules evaluate when nothing is listed', () => {
    // Act
    const models = bySection(buildGrafanaDashboards(INPUT), 'models');

    // Assess
    expect(panel(models, 'Mean inference time (s)').targets[0]?.expr).toBe(
      'sum by (model_version) (rate(ml_inference_duration_seconds_sum[5m])) / sum by (model_version) (rate(ml_inference_duration_seconds_count[5m]))',
    );
    expect(panel(models, 'Predictions/s by result').targets[0]?.legendFormat).toBe(
      '{{model_version}} {{result}}',
    );
  });

  it('counts firing alerts per alert topic, aliases included, and lists them in a table', () => {
    // Act
    const alerts = bySection(
      buildGrafanaDashboards({
        ...INPUT,
        routing: severityRoutingOf({ aliases: { page: 'critical' }, default: 'warning' }),
      }),
      'alerts',
    );

    // Assess
    expect(
      panel(alerts, 'Firing alerts by severity').targets.map((t) => [t.legendFormat, t.expr]),
    ).toEqual([
      ['critical', 'count(ALERTS{alertstate="firing", severity=~"critical|page"}) or vector(0)'],
      ['warning', 'count(ALERTS{alertstate="firing", severity=~"warning|"}) or vector(0)'],
      ['info', 'count(ALERTS{alertstate="firing", severity=~"info"}) or vector(0)'],
    ]);
    expect(panel(alerts, 'Firing alerts').targets[0]).toMatchObject({
      expr: 'ALERTS{alertstate="firing"}',
      instant: true,
      range: false,
      format: 'table',
    });
  });

  it('leaves out disabled sections (drift goes with models) and everything when dashboards are off', () => {
    // Prepare
    const config = validateDashboardsConfig({
      models: { enabled: false },
      gpu: { enabled: false },
    }).config;

    // Act
    const some = buildGrafanaDashboards({ ...INPUT, config });
    const none = buildGrafanaDashboards({
      ...INPUT,
      config: validateDashboardsConfig({ enabled: false }).config,
    });

    // Assess
    expect(some.map((b) => b.section)).toEqual(['services', 'alerts']);
    expect(none).toEqual([]);
  });

  it('names dashboards after dashboards.name and keeps uids within 40 characters', () => {
    // Prepare
    const long = 'a'.repeat(31);

    // Act
    const named = buildGrafanaDashboards({
      ...INPUT,
      config: validateDashboardsConfig({ name: 'ml-prod' }).config,
    });
    const longProject = buildGrafanaDashboards({
      ...INPUT,
      project: long,
      dataSourceUid: grafanaDataSourceUid(long),
    });

    // Assess
    expect(named.map((b) => [b.dashboard.uid, b.dashboard.title])).toContainEqual([
      'ml-prod-services',
      'ml-prod · Services',
    ]);
    expect(grafanaDataSourceUid(long)).toBe(`${long}-vigil`);
    expect(longProject.map((b) => b.dashboard.uid)).toContain(`${long}-services`);
    expect(
      longProject.every(
        (b) =>
          b.dashboard.uid.length <= 40 &&
          new Set(b.dashboard.panels.map((p) => p.id)).size === b.dashboard.panels.length,
      ),
    ).toBe(true);
    expect(grafanaDataSourceUid('b'.repeat(40))).toBe(`${'b'.repeat(34)}-vigil`);
  });
});

describe('Function: grafanaDataSourceFile', () => {
  it('points a Prometheus data source at Vigil with the key header read from $VIGIL_API_KEY', () => {
    // Act
    const file = grafanaDataSourceFile({
      project: 'rxvision',
      uid: 'rxvision-vigil',
      url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
    });

    // Assess
    expect(file).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: 'Vigil (rxvision)',
          uid: 'rxvision-vigil',
          type: 'prometheus',
          access: 'proxy',
          url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
          editable: false,
          jsonData: {
            httpMethod: 'POST',
            prometheusType: 'Prometheus',
            httpHeaderName1: 'x-api-key',
          },
          secureJsonData: { httpHeaderValue1: '$VIGIL_API_KEY' },
        },
      ],
    });
  });
});

describe('Function: grafanaDashboardProviderFile', () => {
  it('loads the folder of JSON models into a folder of the project', () => {
    // Act
    const file = grafanaDashboardProviderFile({ project: 'rxvision', path: '/etc/grafana/vigil' });

    // Assess
    expect(file.providers[0]).toMatchObject({
      name: 'vigil-rxvision',
      folder: 'Vigil (rxvision)',
      type: 'file',
      options: { path: '/etc/grafana/vigil', foldersFromFilesStructure: false },
    });
  });
});
