/**
 * The dead-letter queue of Vigil's EventBridge schedules, and the Lambda target that sends a tick
 * there when it cannot be delivered. A tick that failed is not run again (the next one follows).
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The queue (construct id `ScheduleDeadLetterQueue`) that keeps 14 days of ticks the schedules
 * named by `of` (e.g. "the scrape schedule") could not deliver.
 */
const scheduleDeadLetterQueue = (
  scope: Construct,
  props: { readonly of: string; readonly removalPolicy: RemovalPolicy },
): Queue => {
  const queue = new Queue(scope, 'ScheduleDeadLetterQueue', {
    // SQS-managed SSE: EventBridge can send to it without a key policy; a tick carries no data.
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: props.removalPolicy,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${props.of}; it has no consumer that could fail, so it needs no DLQ of its own.`,
  });
  return queue;
};

/**
 * `fn` as a schedule's target, its undeliverable ticks in `deadLetterQueue`. By default a tick is
 * not retried and is dropped after a minute (the next tick follows).
 */
const scheduledLambdaTarget = (
  fn: IFunction,
  deadLetterQueue: Queue,
  options: {
    readonly event?: RuleTargetInput;
    readonly retryAttempts?: number;
    readonly maxEventAge?: Duration;
  } = {},
): LambdaFunction =>
  new LambdaFunction(fn, {
    ...(options.event ? { event: options.event } : {}),
    retryAttempts: options.retryAttempts ?? 0,
    maxEventAge: options.maxEventAge ?? Duration.seconds(60),
    deadLetterQueue,
  });

export { scheduledLambdaTarget, scheduleDeadLetterQueue };
