import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Access } from './access';
import type { Storage } from './storage';
import { VigilFunction, type VigilFunctionProps } from './vigil-function';

export interface PushRescrapeProps {
  /** Pushgateway groups (read) and the sample store (written). */
  readonly storage: Storage;
  /** House defaults shared by every Vigil function. @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
  /** What happens to the dead-letter queue when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Pushgateway semantics on a store that runs PromQL itself (`store: amp`): an EventBridge rule
 * every minute runs `rescrape-pushed-groups`, which writes each current pushed series' value at
 * every `pushgateway.scrapeIntervalSeconds` of the past minute (`domain/pushgateway/push-rescrape.ts`),
 * as a Prometheus scraping a Pushgateway would. The tick's window is the whole previous minute,
 * so a late tick still covers it; ticks EventBridge cannot deliver go to a dead-letter queue.
 */
class PushRescrape extends Construct {
  readonly function: VigilFunction;
  readonly schedule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PushRescrapeProps) {
    super(scope, id);
    this.function = new VigilFunction(this, 'Function', {
      ...props.functionProps,
      handlerName: 'rescrape-pushed-groups',
      description: 'Vigil: re-emits pushed Pushgateway series every scrape interval, every minute',
      timeout: Duration.seconds(60),
    });
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    props.storage.bindPushGroupsTable(this.function, { access: Access.ReadOnly });
    props.storage.bindSamples(this.function, { access: Access.WriteOnly });

    this.deadLetterQueue = new Queue(this, 'ScheduleDeadLetterQueue', {
      // SQS-managed SSE: EventBridge can send to it without a key policy; a tick carries no data.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the re-emission schedule (EventBridge target); it has no consumer that could fail, so it needs no DLQ of its own.',
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Vigil: re-emits pushed Pushgateway series',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(this.function, {
          retryAttempts: 0,
          maxEventAge: Duration.seconds(60),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}

export { PushRescrape };
