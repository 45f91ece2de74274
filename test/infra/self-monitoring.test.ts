import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_DASHBOARDS_CONFIG } from '../../lambdas/domain/dashboards/dashboards-config';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { DEFAULT_CHANNELS_CONFIG } from '../../lambdas/domain/notifications/channels-config';
import {
  VIGIL_METRIC_DIMENSIONS,
  VIGIL_METRICS_NAMESPACE,
  VigilMetric,
} from '../../lambdas/shared/vigil-metrics';
import { SelfMonitoring } from '../../lib/constructs/self-monitoring';
import { bareStack, buildTestStack, type CfnJson, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

/** Dashboards on (so the evaluator exists) and Slack + PagerDuty notifiers with their DLQs. */
const FULL: VigilConfig = {
  ...TEST_CONFIG,
  dashboards: DEFAULT_DASHBOARDS_CONFIG,
  channels: {
    ...DEFAULT_CHANNELS_CONFIG,
    severities: {
      ...DEFAULT_CHANNELS_CONFIG.severities,
      critical: { email: [], slack: true, pagerduty: true },
    },
  },
};

const criticalTopicId = (template: Template): string => {
  const [id] = Object.entries(resourcesOf(template, 'AWS::SNS::Topic')).find(([, t]) =>
    String(t.Properties.DisplayName).endsWith('critical alerts'),
  ) as [string, CfnJson];
  return id;
};

const alarmsOn = (template: Template, functionId: string) =>
  Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter(
    (a) =>
      a.Properties.Namespace === 'AWS/Lambda' &&
      a.Properties.Dimensions?.[0]?.Value?.Ref === functionId,
  );

describe('Feature: Vigil monitors itself', () => {
  // Prepare
  const { stack, template } = buildTestStack({ config: FULL });
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
  const functions = vigilFunctionsOf(template);
  const critical = criticalTopicId(template);

  const logicalIdOf = (fn: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(fn.node.defaultChild as never);
  const asynchronousIds = () => {
    const { evaluateRules, notifySlack, notifyPagerduty } = stack.vigil.functions;
    const ids = [evaluateRules, notifySlack, notifyPagerduty].map((f) => {
      if (!f) throw new Error('FULL has an evaluator and both notifiers');
      return logicalIdOf(f);
    });
    return ids;
  };

  it('alarms on errors and p99 duration at 85% of the timeout of every function', () => {
    // Assess
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(10);
    for (const [id, fn] of Object.entries(functions)) {
      const own = alarmsOn(template, id);
      const duration = own.find((a) => a.Properties.MetricName === 'Duration') as CfnJson;
      expect(duration.Properties).toMatchObject({
        ExtendedStatistic: 'p99',
        Threshold: Math.round(fn.Properties.Timeout * 1000 * 0.85),
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const errors = own.find((a) => a.Properties.MetricName === 'Errors') as CfnJson;
      expect(errors.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1, Period: 300 });
    }
  });

  it('alarms on throttles of the functions that answer API callers', () => {
    // Prepare
    const asynchronous = asynchronousIds();

    // Assess
    const synchronous = Object.keys(functions).filter((id) => !asynchronous.includes(id));
    expect(synchronous.length).toBeGreaterThanOrEqual(10);
    for (const id of synchronous) {
      expect(
        alarmsOn(template, id)
          .map((a) => a.Properties.MetricName)
          .sort(),
      ).toEqual(['Duration', 'Errors', 'Throttles']);
    }
  });

  it('does not alarm on the expected throttles of the evaluator and notifiers, but on late and dropped events', () => {
    // Prepare
    const asynchronous = asynchronousIds();

    // Assess: a tick arriving during the previous run is throttled, then dropped when stale
    for (const id of asynchronous) {
      const own = alarmsOn(template, id);
      expect(own.map((a) => a.Properties.MetricName).sort()).toEqual([
        'AsyncEventAge',
        'AsyncEventsDropped',
        'Duration',
        'Errors',
      ]);
      expect(
        own.find((a) => a.Properties.MetricName === 'AsyncEventsDropped')?.Properties,
      ).toMatchObject({
        Statistic: 'Sum',
        Threshold: 1,
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
      expect(
        own.find((a) => a.Properties.MetricName === 'AsyncEventAge')?.Properties,
      ).toMatchObject({
        Statistic: 'Maximum',
        Threshold: 300_000,
        EvaluationPeriods: 1,
      });
    }
  });

  it('alarms on the API 5xx share and p99 latency', () => {
    // Prepare
    const api = alarms.filter((a) => a.Properties.Namespace === 'AWS/ApiGateway');

    // Assess
    expect(
      api.map((a) => [
        a.Properties.MetricName,
        a.Properties.Statistic ?? a.Properties.ExtendedStatistic,
        a.Properties.Threshold,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['5XXError', 'Average', 0.05],
        ['Latency', 'p99', 10_000],
      ]),
    );
    expect(api).toHaveLength(2);
  });

  it('alarms once on the depth of every dead-letter queue, the notifiers included', () => {
    // Prepare
    const queues = Object.keys(resourcesOf(template, 'AWS::SQS::Queue'));
    const depth = alarms.filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    const alarmedQueues = depth.map(
      (a) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] as string,
    );

    // Assess: the evaluator's schedule DLQ, the Slack and PagerDuty DLQs
    expect(queues).toHaveLength(3);
    expect(alarmedQueues.sort()).toEqual([...queues].sort());
  });

  it('alarms on rule-evaluation failures and Timestream rejected records and throttling', () => {
    // Prepare
    const vigil = alarms.filter((a) => a.Properties.Namespace === VIGIL_METRICS_NAMESPACE);

    // Assess
    expect(vigil.map((a) => a.Properties.MetricName).sort()).toEqual(
      [
        VigilMetric.RuleEvaluationFailures,
        VigilMetric.RuleEvaluationRunFailures,
        VigilMetric.TimestreamRejectedRecords,
        VigilMetric.TimestreamThrottled,
      ].sort(),
    );
    for (const a of vigil) {
      expect(a.Properties).toMatchObject({
        Dimensions: Object.entries(VIGIL_METRIC_DIMENSIONS).map(([Name, Value]) => ({
          Name,
          Value,
        })),
        Statistic: 'Sum',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('sends every alarm to the critical topic', () => {
    // Assess
    expect(alarms.length).toBeGreaterThan(30);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: critical }]);
  });

  it('is cdk-nag clean', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('Construct: SelfMonitoring', () => {
  const fn = (scope: ReturnType<typeof bareStack>, id: string, timeout?: Duration) =>
    new LambdaFunction(scope, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => 1;'),
      ...(timeout ? { timeout } : {}),
    });

  it('alarms on scrape failures when a scrape function exists, and honours the duration ratio', () => {
    // Prepare
    const stack = bareStack();
    const topic = new Topic(stack, 'Critical');

    // Act
    new SelfMonitoring(stack, 'Self', {
      functions: { scrapeTargets: fn(stack, 'Scrape', Duration.seconds(100)) },
      criticalTopic: topic,
      durationRatio: 0.9,
    });
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: VIGIL_METRICS_NAMESPACE,
      MetricName: VigilMetric.ScrapeFailures,
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Threshold: 90_000,
    });
    expect(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties.MetricName,
      ),
    ).not.toContain(VigilMetric.RuleEvaluationFailures);
  });

  it('chooses the throttle alarm by the function role, not by its reserved concurrency', () => {
    // Prepare: a scheduled function without reserved concurrency, an API one with it
    const stack = bareStack();
    const scheduled = fn(stack, 'Scheduled');
    const api = new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => 1;'),
      reservedConcurrentExecutions: 1,
    });

    // Act
    new SelfMonitoring(stack, 'Self', {
      functions: { importGpuMetrics: scheduled, query: api },
      asynchronousRoles: ['importGpuMetrics'],
      criticalTopic: new Topic(stack, 'Critical'),
    });
    const template = Template.fromStack(stack);
    const metricsOf = (id: string) =>
      alarmsOn(
        template,
        stack.getLogicalId(
          id === 'Api' ? (api.node.defaultChild as never) : (scheduled.node.defaultChild as never),
        ),
      )
        .map((a) => a.Properties.MetricName)
        .sort();

    // Assess
    expect(metricsOf('Scheduled')).toEqual([
      'AsyncEventAge',
      'AsyncEventsDropped',
      'Duration',
      'Errors',
    ]);
    expect(metricsOf('Api')).toEqual(['Duration', 'Errors', 'Throttles']);
  });

  it('uses Lambda default 3 s timeout when a function sets none, and skips scrape alarms without a scraper', () => {
    // Prepare
    const stack = bareStack();

    // Act
    new SelfMonitoring(stack, 'Self', {
      functions: { health: fn(stack, 'Health') },
      criticalTopic: new Topic(stack, 'Critical'),
    });
    const template = Template.fromStack(stack);
    const names = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.MetricName,
    );

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Threshold: 2550,
    });
    expect(names).not.toContain(VigilMetric.ScrapeFailures);
    expect(names).not.toContain('5XXError');
  });
});
