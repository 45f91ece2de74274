import { Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StoreKind } from '../../lambdas/domain/config/types';
import { Construct } from 'constructs';
import { ASYNC_EVENT_AGE_LIMIT } from './self-monitoring';
import {
  type BuiltDashboard,
  buildHealthDashboard,
  buildMainDashboards,
  healthDashboardName,
  mainDashboardName,
} from '../../lambdas/domain/dashboards/build-dashboards';
import type { DashboardsConfig } from '../../lambdas/domain/dashboards/dashboards-config';
import {
  assertMetricsInsights,
  checkMetricsInsightsQuery,
} from '../../lambdas/domain/dashboards/metrics-insights';
import { severityRoutingOf } from '../../lambdas/domain/dashboards/mirror-rules';
import { metricsInsightsQueriesOf } from '../../lambdas/domain/dashboards/widgets';
import type { ChannelsConfig } from '../../lambdas/domain/notifications/channels-config';
import {
  VIGIL_METRIC_DIMENSIONS,
  VIGIL_METRICS_NAMESPACE,
  VigilMetric,
} from '../../lambdas/shared/vigil-metrics';

export interface DashboardsProps {
  readonly project: string;
  readonly dashboards: DashboardsConfig;
  /** Namespace of mirrored metrics (`cloudwatch.namespace`). */
  readonly namespace: string;
  /** `channels:` (severity aliases and default, for the firing-alerts series). */
  readonly channels: ChannelsConfig;
  /** ARNs of the alarms the alarm-status widgets show. */
  readonly alarmArns: readonly string[];
  /** Vigil's functions by role, for the health dashboard. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** @default - no API section */
  readonly api?: RestApi;
  /** @default [] */
  readonly deadLetterQueues?: readonly { readonly title: string; readonly queue: Queue }[];
  /** Roles of the asynchronously invoked functions (see `SelfMonitoringProps`). @default [] */
  readonly asynchronousRoles?: readonly string[];
  /** Duration alarm ratio drawn on the health dashboard. @default 0.85 */
  readonly durationRatio?: number;
  /** The sample store, whose writer's metrics the health dashboard charts. @default 'timestream' */
  readonly store?: StoreKind;
}

/**
 * Console URL of a dashboard (dashboards are global; the region only picks the console's).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/create_dashboard.html
 */
const dashboardConsoleUrl = (name: string, region: string): string =>
  `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;

/**
 * `dashboards:` with the region appended to the dashboard name (`dashboards.name`, else the
 * project): CloudWatch dashboards are global to the account, not regional, so the same project
 * deployed to two regions would otherwise fight over one dashboard. Names become
 * `<name>-<region>` (pages `<name>-<region>-2`, …) and `<name>-<region>-vigil-health`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html
 */
const regionalDashboards = (
  dashboards: DashboardsConfig,
  project: string,
  region: string,
): DashboardsConfig => ({
  ...dashboards,
  name: `${mainDashboardName(dashboards, project)}-${region}`,
});

/**
 * `channels` with `slack.dashboardUrl` defaulted to the main dashboard's console URL, so Slack
 * messages link to it (an explicit `channels.slack.dashboardUrl` wins).
 */
const withDefaultDashboardUrl = (
  channels: ChannelsConfig,
  dashboards: DashboardsConfig,
  project: string,
  region: string,
): ChannelsConfig =>
  channels.slack.dashboardUrl || !dashboards.enabled
    ? channels
    : {
        ...channels,
        slack: {
          ...channels.slack,
          dashboardUrl: dashboardConsoleUrl(
            mainDashboardName(regionalDashboards(dashboards, project, region), project),
            region,
          ),
        },
      };

/**
 * The CloudWatch dashboards: the main one(s) from `dashboards:` (services, models, GPU, alerts,
 * the user's widgets) and "Vigil health". One `AWS::CloudWatch::Dashboard` each, whose body the
 * domain builder makes (build-dashboards.ts), serialized with `Stack.toJsonString` so the tokens
 * in it (region, alarm ARNs, function names) resolve.
 */
class Dashboards extends Construct {
  /** The dashboards built, by name, as JSON before token resolution. */
  readonly built: readonly BuiltDashboard[];
  readonly dashboards: readonly CfnDashboard[];
  /** The Metrics Insights queries of the widgets, each checked at synth. */
  readonly metricsInsightsQueries: readonly string[];

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    const dashboards = regionalDashboards(props.dashboards, props.project, region);
    const main = buildMainDashboards({
      config: dashboards,
      project: props.project,
      namespace: props.namespace,
      region,
      routing: severityRoutingOf(props.channels),
      alarmArns: props.alarmArns,
    });
    const health = buildHealthDashboard({
      name: healthDashboardName(dashboards, props.project),
      region,
      periodSeconds: props.dashboards.periodSeconds,
      functions: Object.entries(props.functions).map(([role, fn]) => ({
        role,
        functionName: fn.functionName,
        timeoutSeconds: fn.timeout?.toSeconds() ?? 3,
        ...(props.asynchronousRoles?.includes(role) ? { asynchronous: true } : {}),
      })),
      asyncEventAgeAlarmMs: ASYNC_EVENT_AGE_LIMIT.toMilliseconds(),
      ...(props.api ? { api: { apiName: props.api.restApiName } } : {}),
      queues: (props.deadLetterQueues ?? []).map((q) => ({
        title: q.title,
        queueName: q.queue.queueName,
      })),
      selfMetrics: {
        namespace: VIGIL_METRICS_NAMESPACE,
        dimensions: VIGIL_METRIC_DIMENSIONS,
        groups: [
          {
            title: 'Ingest: samples',
            names: [VigilMetric.SamplesAccepted, VigilMetric.SamplesRejected],
          },
          (props.store ?? 'timestream') === 'amp'
            ? {
                title: 'AMP remote write: refused samples, throttled and failed requests',
                names: [
                  VigilMetric.AmpRejectedSamples,
                  VigilMetric.AmpRemoteWriteThrottled,
                  VigilMetric.AmpRemoteWriteFailures,
                ],
              }
            : {
                title: 'Timestream: rejected records, throttled requests',
                names: [VigilMetric.TimestreamRejectedRecords, VigilMetric.TimestreamThrottled],
              },
          {
            title: 'Rule evaluation',
            names: [
              VigilMetric.RuleEvaluations,
              VigilMetric.RuleEvaluationFailures,
              VigilMetric.RuleEvaluationRunFailures,
              VigilMetric.AlertNotificationsSent,
              VigilMetric.AlertmanagerAlertsSent,
              VigilMetric.AlertmanagerAlertsFailed,
            ],
          },
          { title: 'Scrapes', names: [VigilMetric.ScrapeTargets, VigilMetric.ScrapeFailures] },
        ],
      },
      alarmArns: props.alarmArns,
      durationRatio: props.durationRatio ?? 0.85,
    });
    this.built = [...main, health];
    // A Metrics Insights query CloudWatch would refuse fails the synth, with its widget.
    this.metricsInsightsQueries = this.built.flatMap((d) =>
      metricsInsightsQueriesOf(d.body).map((q) => {
        assertMetricsInsights(
          `dashboard ${d.name}, widget "${q.title}"`,
          checkMetricsInsightsQuery(q.query),
        );
        return q.query;
      }),
    );
    this.dashboards = this.built.map(
      (d, n) =>
        new CfnDashboard(this, n === this.built.length - 1 ? 'Health' : `Main${n + 1}`, {
          dashboardName: d.name,
          dashboardBody: stack.toJsonString(d.body),
        }),
    );
  }
}

export { Dashboards, dashboardConsoleUrl, regionalDashboards, withDefaultDashboardUrl };
