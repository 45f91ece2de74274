import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Access } from './access';
import type { Storage } from './storage';
import { VigilFunction, type VigilFunctionProps } from './vigil-function';
import { scheduledLambdaTarget, scheduleDeadLetterQueue } from './schedule-dead-letter-queue';

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

    this.deadLetterQueue = scheduleDeadLetterQueue(this, {
      of: 'the re-emission schedule (EventBridge target)',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Vigil: re-emits pushed Pushgateway series',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [scheduledLambdaTarget(this.function, this.deadLetterQueue)],
    });
  }
}

export { PushRescrape };
