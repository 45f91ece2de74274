import { DEFAULT_DASHBOARDS_CONFIG } from '../../lambdas/domain/dashboards/dashboards-config';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { DEFAULT_GPU_CONFIG } from '../../lambdas/domain/gpu/gpu-config';
import { DEFAULT_CHANNELS_CONFIG } from '../../lambdas/domain/notifications/channels-config';
import { ENV } from '../../lambdas/shared/env';
import { type BodyJson, referencedMetrics } from '../unit/domain/dashboards/body-metrics';
import { type CfnJson, buildTestStack, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const WITH_DASHBOARDS: VigilConfig = { ...TEST_CONFIG, dashboards: DEFAULT_DASHBOARDS_CONFIG };

/**
 * A DashboardBody as JSON: `Fn::Join` parts joined, each token (Ref, Fn::GetAtt) replaced by a
 * placeholder naming it, so the body parses like CloudWatch will see it.
 */
const bodyOf = (dashboard: CfnJson): BodyJson & CfnJson => {
  const raw = dashboard.Properties.DashboardBody;
  if (typeof raw === 'string') return JSON.parse(raw);
  const parts = raw['Fn::Join'][1] as unknown[];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as CfnJson;
      if (o.Ref) return `{{ref:${o.Ref}}}`;
      if (o['Fn::GetAtt']) return `{{${o['Fn::GetAtt'].join('.')}}}`;
      return `{{${JSON.stringify(o).replace(/"/g, "'")}}}`;
    })
    .join('');
  return JSON.parse(text);
};

const dashboardsOf = (template: ReturnType<typeof buildTestStack>['template']) =>
  Object.fromEntries(
    Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard')).map((d) => [
      d.Properties.DashboardName as string,
      bodyOf(d),
    ]),
  );

const envOf = (fn: CfnJson): Record<string, unknown> => fn.Properties.Environment?.Variables ?? {};

describe('Feature: CloudWatch dashboards as code', () => {
  // Prepare
  const { template } = buildTestStack({ config: WITH_DASHBOARDS });
  const dashboards = dashboardsOf(template);
  const functions = vigilFunctionsOf(template);

  it('creates the main dashboard and the Vigil health dashboard', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    expect(Object.keys(dashboards).sort()).toEqual([
      'test-eu-west-1',
      'test-eu-west-1-vigil-health',
    ]);
  });

  it('keeps every dashboard within 500 widgets on the 24-column grid', () => {
    // Assess
    for (const body of Object.values(dashboards)) {
      expect(body.widgets.length).toBeGreaterThan(0);
      expect(body.widgets.length).toBeLessThanOrEqual(500);
      for (const w of body.widgets as unknown as CfnJson[]) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        expect(['metric', 'text', 'alarm']).toContain(w.type);
        if (w.type === 'metric') {
          expect(w.properties.region).toBe('eu-west-1');
          expect(w.properties.metrics.length).toBeLessThanOrEqual(500);
        }
      }
    }
  });

  it('mirrors every custom metric a dashboard charts, in every function that mirrors', () => {
    // Prepare
    const custom = Object.values(dashboards)
      .flatMap((b) => referencedMetrics(b))
      .filter((r) => r.namespace === TEST_CONFIG.cloudwatch.namespace);
    const ingest = Object.values(functions).find(
      (f) => f.Properties.Description === 'Vigil: POST /ingest/metrics',
    ) as CfnJson;
    const evaluator = Object.values(functions).find((f) =>
      String(f.Properties.Description).startsWith('Vigil: rule evaluator'),
    ) as CfnJson;

    // Act
    const allowed = (fn: CfnJson) =>
      new Set(
        (
          JSON.parse(String(envOf(fn)[ENV.RUNTIME_CONFIG])).cloudwatch.mirror as {
            metric: string;
            dimensions: string[];
          }[]
        ).map((r) => JSON.stringify([r.metric, [...r.dimensions].sort()])),
      );

    // Assess
    expect(custom.length).toBeGreaterThanOrEqual(9);
    for (const fn of [ingest, evaluator]) {
      const allow = allowed(fn);
      expect(allow).toContain(JSON.stringify(['inference_latency_seconds', ['model']]));
      for (const r of custom) expect(allow).toContain(JSON.stringify([r.metric, r.dimensions]));
    }
  });

  it('runs the rule evaluator for the dashboards recording rules even without rule files', () => {
    // Prepare
    const evaluators = Object.values(functions).filter((f) =>
      String(f.Properties.Description).startsWith('Vigil: rule evaluator'),
    );

    // Assess
    expect(TEST_CONFIG.rules).toEqual([]);
    expect(evaluators).toHaveLength(1);
    expect(evaluators[0]?.Properties.Description).toBe(
      'Vigil: rule evaluator (1 group), every minute',
    );
  });

  it('shows every Vigil alarm in the alarm-status widgets', () => {
    // Prepare
    const alarmIds = Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const listed = (body: CfnJson) =>
      (body.widgets as CfnJson[])
        .filter((w) => w.type === 'alarm')
        .flatMap((w) => w.properties.alarms as string[]);

    // Assess
    for (const body of Object.values(dashboards)) {
      expect(listed(body).sort()).toEqual(alarmIds.map((id) => `{{${id}.Arn}}`).sort());
    }
  });

  it('shows the GPU alarms (L1 CfnAlarms) with the others in the alarm-status widgets', () => {
    // Prepare
    const { template: withGpu } = buildTestStack({
      config: { ...WITH_DASHBOARDS, gpu: { ...DEFAULT_GPU_CONFIG, enabled: true } },
    });
    const alarms = resourcesOf(withGpu, 'AWS::CloudWatch::Alarm');
    const gpuIds = Object.keys(alarms).filter((id) =>
      String(alarms[id]?.Properties.AlarmName).includes('-gpu-'),
    );

    // Act
    const listed = Object.values(dashboardsOf(withGpu)).map((body: CfnJson) =>
      (body.widgets as CfnJson[])
        .filter((w) => w.type === 'alarm')
        .flatMap((w) => w.properties.alarms as string[])
        .sort(),
    );

    // Assess
    expect(gpuIds).toHaveLength(3);
    for (const arns of listed) {
      expect(arns).toEqual(
        Object.keys(alarms)
          .map((id) => `{{${id}.Arn}}`)
          .sort(),
      );
    }
  });

  describe('Metrics Insights queries in widgets', () => {
    const widgetWith = (query: string): VigilConfig => ({
      ...WITH_DASHBOARDS,
      dashboards: {
        ...DEFAULT_DASHBOARDS_CONFIG,
        widgets: [{ title: 'Hot GPUs', metrics: [], expressions: [query], width: 8, height: 6 }],
      },
    });

    it('are checked and kept in the dashboard body', () => {
      // Prepare
      const query =
        'SELECT MAX(nvidia_smi_temperature_gpu) FROM CWAgent GROUP BY InstanceId, "index" ORDER BY MAX() DESC LIMIT 5';

      // Act
      const { stack } = buildTestStack({ config: widgetWith(query) });

      // Assess
      expect(stack.vigil.dashboards.metricsInsightsQueries).toEqual([query]);
    });

    it('fail the synth with the dashboard, the widget and the reason when CloudWatch would refuse them', () => {
      // Act: a config built in code skips the YAML validation; the construct checks again
      const synth = () =>
        buildTestStack({ config: widgetWith('SELECT MAX(temp) FROM CWAgent GROUP BY index') });

      // Assess
      expect(synth).toThrow(
        'dashboard test-eu-west-1, widget "Hot GPUs": invalid Metrics Insights query: GROUP BY: index is a reserved keyword of Metrics Insights at 40: write "index"',
      );
    });
  });

  it('charts errors, throttles and duration of every Vigil function on the health dashboard', () => {
    // Prepare
    const health = dashboards['test-eu-west-1-vigil-health'] as CfnJson;
    const errors = (health.widgets as CfnJson[]).find((w) => w.properties.title === 'Errors');

    // Assess
    expect(errors?.properties.metrics.map((m: unknown[]) => m[3]).sort()).toEqual(
      Object.keys(functions)
        .map((id) => `{{ref:${id}}}`)
        .sort(),
    );
  });

  it('charts the evaluator’s dropped events on the health dashboard, not the API functions’', () => {
    // Prepare
    const health = dashboards['test-eu-west-1-vigil-health'] as CfnJson;

    // Act
    const dropped = (health.widgets as CfnJson[]).find(
      (w) => w.properties.title === 'Asynchronous events dropped',
    );

    // Assess
    expect(dropped?.properties.metrics.map((row: CfnJson[]) => row.at(-1)?.label)).toEqual([
      'evaluateRules',
    ]);
  });

  it('creates only the health dashboard, and no evaluator, when dashboards are off', () => {
    // Act
    const { template: off } = buildTestStack();

    // Assess
    expect(Object.keys(dashboardsOf(off))).toEqual(['test-eu-west-1-vigil-health']);
    expect(
      Object.values(vigilFunctionsOf(off)).filter((f) =>
        String(f.Properties.Description).startsWith('Vigil: rule evaluator'),
      ),
    ).toEqual([]);
  });
});

describe('Feature: Slack messages link to the main dashboard', () => {
  const slackEnv = (config: VigilConfig) => {
    const { template } = buildTestStack({ config });
    const slack = Object.values(vigilFunctionsOf(template)).find((f) =>
      /slack/i.test(String(f.Properties.Description)),
    ) as CfnJson;
    return JSON.parse(String(envOf(slack)[ENV.CHANNELS]));
  };
  const withSlack = (slack: VigilConfig['channels']['slack']): VigilConfig => ({
    ...WITH_DASHBOARDS,
    channels: {
      ...DEFAULT_CHANNELS_CONFIG,
      severities: {
        ...DEFAULT_CHANNELS_CONFIG.severities,
        critical: { email: [], slack: true, pagerduty: false },
      },
      slack,
    },
  });

  it('defaults channels.slack.dashboardUrl to the console URL of the main dashboard', () => {
    // Act
    const env = slackEnv(withSlack({}));

    // Assess
    expect(env.slack.dashboardUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/test-eu-west-1',
    );
  });

  it('keeps a configured dashboardUrl', () => {
    // Act
    const env = slackEnv(withSlack({ dashboardUrl: 'https://grafana.example.com/d/vigil' }));

    // Assess
    expect(env.slack.dashboardUrl).toBe('https://grafana.example.com/d/vigil');
  });
});
