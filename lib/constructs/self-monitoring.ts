import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  CfnAlarm,
  ComparisonOperator,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { StoreKind } from '../../lambdas/domain/config/types';
import {
  VIGIL_METRIC_DIMENSIONS,
  VIGIL_METRICS_NAMESPACE,
  VigilMetric,
} from '../../lambdas/shared/vigil-metrics';

/**
 * How long an asynchronous event may wait in Lambda's queue before it is a fault. A schedule's
 * stale ticks are dropped sooner (its maximum event age); a notifier's throttled notification
 * older than this reaches on-call late.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#async-invocation-metrics
 */
const ASYNC_EVENT_AGE_LIMIT = Duration.minutes(5);

/** Queues whose construct id says they are dead-letter queues. */
const DEAD_LETTER_ID_RE = /dead.?letter|dlq/i;

export interface SelfMonitoringProps {
  /** Every Vigil function, by role (`Vigil.functions`). */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /**
   * Roles (keys of `functions`) invoked asynchronously: by an EventBridge schedule or an SNS
   * topic. Lambda queues their events, so throttling is expected there rather than a fault: a
   * single-concurrency schedule's tick that arrives during the previous run is throttled, waits,
   * and is dropped once stale, by design; a notifier's throttled event is retried. These get no
   * Throttles alarm but alarms on events that wait too long or are dropped period after period.
   * Every other function answers a caller (API Gateway) that sees the throttle as a 429.
   * @default [] - every function is alarmed on Throttles
   */
  readonly asynchronousRoles?: readonly string[];
  /** Topic every alarm notifies (the critical alert topic). */
  readonly criticalTopic: ITopic;
  /** The REST API. @default - no API alarms */
  readonly api?: RestApi;
  /**
   * Where to look for dead-letter queues (SQS queues whose id contains `DeadLetter` or `Dlq`);
   * a queue that already has an alarm on its depth is left alone.
   * @default - no DLQ alarms
   */
  readonly deadLetterScope?: IConstruct;
  /** Duration alarm threshold as a share of each function's timeout. @default 0.85 */
  readonly durationRatio?: number;
  /** API 5xx share of requests that alarms. @default 0.05 */
  readonly api5xxRatio?: number;
  /** API p99 latency that alarms. @default Duration.seconds(10) */
  readonly apiLatencyP99?: Duration;
  /** The sample store, whose writer's failures and throttling alarm. @default 'timestream' */
  readonly store?: StoreKind;
}

/** Role of a function → PascalCase construct id part. */
const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Values of the `QueueName` dimension of every alarm already under `scope`. */
const alarmedQueueNames = (scope: IConstruct): Set<string> => {
  const names = new Set<string>();
  for (const c of scope.node.findAll()) {
    if (!(c instanceof CfnAlarm) || !Array.isArray(c.dimensions)) continue;
    for (const d of c.dimensions as CfnAlarm.DimensionProperty[]) {
      if (d.name === 'QueueName') names.add(d.value);
    }
  }
  return names;
};

/**
 * Vigil monitors itself: alarms on every function's errors, throttles (synchronous functions) or
 * late and dropped events (asynchronous ones) and duration near its timeout, the API's 5xx share and p99 latency, each dead-letter queue's depth (unless it already
 * has an alarm), rule-evaluation failures, the store writer's rejections and throttling
 * (Timestream records, or AMP remote-write requests), and scrape
 * failures — all notifying the critical topic. Built last in `Vigil` so that it sees every
 * function and queue the other constructs made.
 *
 * Missing data is "not breaching": Vigil's own counters (vigil-metrics.ts) are only emitted when
 * non-zero, and an idle function reports nothing.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 */
class SelfMonitoring extends Construct {
  /** Every alarm created here, by construct id. */
  readonly alarms: Readonly<Record<string, Alarm>>;
  /** The dead-letter queues given an alarm here, by title. */
  readonly deadLetterQueues: readonly { readonly title: string; readonly queue: Queue }[];

  constructor(scope: Construct, id: string, props: SelfMonitoringProps) {
    super(scope, id);
    const alarms: Record<string, Alarm> = {};
    const action = new SnsAction(props.criticalTopic);
    const add = (
      alarmId: string,
      metric: Metric,
      threshold: number,
      description: string,
      periods: { evaluation: number; toAlarm: number } = { evaluation: 1, toAlarm: 1 },
    ) => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: periods.evaluation,
        datapointsToAlarm: periods.toAlarm,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `Vigil self-monitoring: ${description}`,
      });
      alarm.addAlarmAction(action);
      alarms[alarmId] = alarm;
      return alarm;
    };
    const fiveMinutes = Duration.minutes(5);

    const ratio = props.durationRatio ?? 0.85;
    const asynchronous = new Set(props.asynchronousRoles ?? []);
    for (const [role, fn] of Object.entries(props.functions)) {
      const name = pascal(role);
      add(
        `${name}Errors`,
        fn.metricErrors({ period: fiveMinutes, statistic: Stats.SUM }),
        1,
        `function ${role} threw (Lambda Errors ≥ 1 in 5 minutes)`,
      );
      if (asynchronous.has(role)) {
        // Lambda's asynchronous invocation metrics (milliseconds, count).
        add(
          `${name}EventAge`,
          fn.metric('AsyncEventAge', { period: fiveMinutes, statistic: Stats.MAXIMUM }),
          ASYNC_EVENT_AGE_LIMIT.toMilliseconds(),
          `events of function ${role} waited ${ASYNC_EVENT_AGE_LIMIT.toMinutes()} min or more before it ran (Lambda AsyncEventAge): throttled or failing beyond its schedule`,
        );
        add(
          `${name}EventsDropped`,
          fn.metric('AsyncEventsDropped', { period: fiveMinutes, statistic: Stats.SUM }),
          1,
          `function ${role} dropped events in each of 3 five-minute periods (Lambda AsyncEventsDropped): its schedule or topic is not being served (still running, throttled past the maximum event age, or reserved concurrency 0)`,
          { evaluation: 3, toAlarm: 3 },
        );
      } else {
        add(
          `${name}Throttles`,
          fn.metricThrottles({ period: fiveMinutes, statistic: Stats.SUM }),
          1,
          `function ${role} was throttled (Lambda Throttles ≥ 1 in 5 minutes): callers got 429`,
        );
      }
      const timeout = fn.timeout ?? Duration.seconds(3);
      add(
        `${name}Duration`,
        fn.metricDuration({ period: fiveMinutes, statistic: Stats.p(99) }),
        Math.round(timeout.toMilliseconds() * ratio),
        `function ${role} p99 duration reached ${Math.round(ratio * 100)}% of its ${timeout.toSeconds()} s timeout in 2 of 3 five-minute periods`,
        { evaluation: 3, toAlarm: 2 },
      );
    }

    if (props.api) {
      add(
        'Api5xxRatio',
        props.api.metricServerError({ period: fiveMinutes, statistic: Stats.AVERAGE }),
        props.api5xxRatio ?? 0.05,
        `API Gateway 5xx responses reached ${(props.api5xxRatio ?? 0.05) * 100}% of requests in 5 minutes`,
      );
      const latency = props.apiLatencyP99 ?? Duration.seconds(10);
      add(
        'ApiLatencyP99',
        props.api.metricLatency({ period: fiveMinutes, statistic: Stats.p(99) }),
        latency.toMilliseconds(),
        `API Gateway p99 latency reached ${latency.toSeconds()} s in 2 of 3 five-minute periods`,
        { evaluation: 3, toAlarm: 2 },
      );
    }

    const queues: { title: string; queue: Queue }[] = [];
    if (props.deadLetterScope) {
      const alarmed = alarmedQueueNames(props.deadLetterScope);
      for (const c of props.deadLetterScope.node.findAll()) {
        if (!(c instanceof Queue) || !DEAD_LETTER_ID_RE.test(c.node.id)) continue;
        const title = c.node.path.slice(props.deadLetterScope.node.path.length).replace(/^\//, '');
        queues.push({ title, queue: c });
        if (alarmed.has(c.queueName)) continue;
        const queueId = title.replace(/[^A-Za-z0-9]/g, '');
        add(
          `${queueId}Depth`,
          c.metricApproximateNumberOfMessagesVisible({
            period: fiveMinutes,
            statistic: Stats.MAXIMUM,
          }),
          1,
          `dead-letter queue ${title} holds messages that failed every retry`,
        );
      }
    }
    this.deadLetterQueues = queues;

    const vigil = (name: string) =>
      new Metric({
        namespace: VIGIL_METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { ...VIGIL_METRIC_DIMENSIONS },
        period: fiveMinutes,
        statistic: Stats.SUM,
      });
    const roles = Object.keys(props.functions);
    if (roles.some((r) => /evaluat/i.test(r))) {
      add(
        'RuleEvaluationFailures',
        vigil(VigilMetric.RuleEvaluationFailures),
        1,
        'a rule failed to evaluate (health err; see /api/v1/rules lastError)',
      );
      add(
        'RuleEvaluationRunFailures',
        vigil(VigilMetric.RuleEvaluationRunFailures),
        1,
        'a whole rule evaluation run failed (store, state or notifier error)',
      );
    }
    if ((props.store ?? 'timestream') === 'amp') {
      add(
        'AmpRejectedSamples',
        vigil(VigilMetric.AmpRejectedSamples),
        1,
        'the AMP workspace refused samples (400: out of order, too old, invalid; see the ingest response)',
      );
      add(
        'AmpRemoteWriteThrottled',
        vigil(VigilMetric.AmpRemoteWriteThrottled),
        10,
        'AMP throttled ≥ 10 remote-write requests (429: ingestion rate or active series) in each of 3 five-minute periods',
        { evaluation: 3, toAlarm: 3 },
      );
      add(
        'AmpRemoteWriteFailures',
        vigil(VigilMetric.AmpRemoteWriteFailures),
        1,
        'remote writes to the AMP workspace failed after their retries (5xx, network, timeout, or 401/403/404): samples were not stored',
      );
      // AMP's own vended metrics (AWS/Usage, AWS/Prometheus:
      // https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-CW-usage-metrics.html) get no
      // alarm here: their dimensions are not confirmed (docs/amp-remote-write.md).
    } else {
      add(
        'TimestreamRejectedRecords',
        vigil(VigilMetric.TimestreamRejectedRecords),
        1,
        'Timestream rejected records (see the ingest response and the rejected-records bucket)',
      );
      add(
        'TimestreamThrottled',
        vigil(VigilMetric.TimestreamThrottled),
        10,
        'Timestream throttled ≥ 10 requests in each of 3 five-minute periods',
        { evaluation: 3, toAlarm: 3 },
      );
    }
    if (roles.includes('scrapeTargets')) {
      add('ScrapeFailures', vigil(VigilMetric.ScrapeFailures), 1, 'a scrape target failed (up 0)');
    }
    this.alarms = alarms;
  }
}

export { ASYNC_EVENT_AGE_LIMIT, DEAD_LETTER_ID_RE, SelfMonitoring };
