import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ChannelsConfig,
  TOPIC_SEVERITIES,
  type TopicSeverity,
} from '../../lambdas/domain/notifications/channels-config';
import { ENV } from '../../lambdas/shared/env';
import type { AlertTopics } from './alert-topics';
import { Access, type Storage } from './storage';
import { type VigilFunctionProps, VigilFunction } from './vigil-function';

/** Lambda's asynchronous retries of a failed notifier invocation (the maximum Lambda allows). */
export const NOTIFIER_RETRY_ATTEMPTS = 2;

/**
 * The non-secret part of `channels:` the notifier functions get as `VIGIL_CHANNELS` (JSON), in
 * the shape of `ChannelsConfig` (read by `lambdas/wiring/aws-notify-deps.ts`). The webhook URL
 * and the routing key are never in it: they come from Secrets Manager.
 */
export interface NotifierChannelsEnv {
  /** Dashboard linked from Slack messages. */
  readonly slack: { readonly dashboardUrl?: string };
  /** PagerDuty Events API v2 enqueue URL. */
  readonly pagerduty: { readonly eventsUrl: string };
  /** Log groups of structured logs, for Logs Insights links of correlation ids. */
  readonly logs?: {
    readonly groups: Readonly<Record<string, string>>;
    readonly defaultGroup: string;
  };
}

/** `VIGIL_CHANNELS` of the notifier functions. */
const notifierChannelsEnv = (
  channels: ChannelsConfig,
  logs?: NotifierChannelsEnv['logs'],
): NotifierChannelsEnv => ({
  slack: channels.slack.dashboardUrl ? { dashboardUrl: channels.slack.dashboardUrl } : {},
  pagerduty: { eventsUrl: channels.pagerduty.eventsUrl },
  ...(logs ? { logs } : {}),
});

/** The severities whose channels include `channel`. */
const severitiesWith = (
  channels: ChannelsConfig,
  channel: 'slack' | 'pagerduty',
): TopicSeverity[] => TOPIC_SEVERITIES.filter((s) => channels.severities[s][channel]);

export interface NotificationChannelsProps {
  /** `channels:` of vigil.config.yaml: severity → email addresses, Slack, PagerDuty. */
  readonly channels: ChannelsConfig;
  /**
   * The structured-log groups (service → group, and the group of other services): Slack messages
   * link a Logs Insights query when an alert carries a correlation id.
   * @default - no Logs Insights links
   */
  readonly logGroups?: NotifierChannelsEnv['logs'];
  /** The topics the channels subscribe to; their key also encrypts the secrets and DLQs. */
  readonly alertTopics: AlertTopics;
  /** The alert-state table, where the notifiers record delivered SNS message ids. */
  readonly storage: Storage;
  /** House defaults shared by every Vigil function (logs, code seam, runtime config). @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
  /** What happens to the secrets and queues when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** One notifier function with what makes its deliveries traceable. */
export interface Notifier {
  readonly function: VigilFunction;
  /** Holds the webhook URL or routing key; the function may read exactly this secret. */
  readonly secret: Secret;
  /** SNS → Lambda delivery failures and invocations that failed after every retry. */
  readonly deadLetterQueue: Queue;
  /** Fires on a non-empty dead-letter queue and notifies the critical topic. */
  readonly deadLetterAlarm: Alarm;
}

/**
 * On-failure destination sending to an SQS queue, without the grant `SqsDestination` makes
 * (`queue.grantSendMessages`, whose key grant uses `kms:GenerateDataKey*`/`kms:ReEncrypt*`
 * wildcards): the caller adds explicit statements instead.
 */
const queueDestination = (queue: Queue): IDestination => ({
  bind: () => ({ destination: queue.queueArn }),
});

/**
 * Delivery of the alert topics to people:
 *
 * - **Email**: one SNS `email` subscription per address per severity topic. SNS sends each
 *   address a confirmation message first; nothing is delivered until the user clicks its link
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html).
 * - **Slack / PagerDuty**: a `notify-slack` / `notify-pagerduty` function subscribed to every
 *   topic whose channels have `slack: true` / `pagerduty: true`, created only when at least one
 *   severity uses it. The webhook URL and routing key live only in Secrets Manager: the secret is
 *   created with a random placeholder (never in the template), the stack outputs the
 *   `aws secretsmanager put-secret-value` command that sets it, and the function gets the secret's
 *   ARN (`VIGIL_SLACK_WEBHOOK_SECRET` / `VIGIL_PAGERDUTY_ROUTING_KEY_SECRET`) and may call
 *   `GetSecretValue` on exactly that secret.
 * - **No silent loss**: Lambda retries a failed asynchronous invocation twice, then sends the event
 *   to an SQS dead-letter queue (on-failure destination); SNS sends what it could not deliver to
 *   the function to the same queue (subscription DLQ). An alarm on the queue's visible messages
 *   (> 0) publishes to the critical topic, whose email subscribers hear about it even when Slack or
 *   PagerDuty is the channel that failed. The notifiers are idempotent per SNS message id
 *   (alert-state table), so a retried delivery is not sent twice.
 * - Slack's function asks for reserved concurrency 1 (applied with the config's
 *   `reservedConcurrency: true`): Slack accepts about one message per second per webhook
 *   (https://api.slack.com/apis/rate-limits#incoming-webhooks; the function also paces itself,
 *   and retries a 429 after its Retry-After), and a throttled SNS invocation waits in Lambda's
 *   async queue rather than failing.
 */
class NotificationChannels extends Construct {
  readonly slack?: Notifier;
  readonly pagerduty?: Notifier;
  /** Email subscriptions created, as `severity → addresses`. */
  readonly emails: Readonly<Record<TopicSeverity, readonly string[]>>;

  constructor(scope: Construct, id: string, props: NotificationChannelsProps) {
    super(scope, id);
    const { channels, alertTopics } = props;
    const topicOf = (severity: TopicSeverity) => {
      const topic = alertTopics.topics[severity];
      if (!topic) throw new Error(`Vigil: no alert topic for severity ${severity}`);
      return topic;
    };

    const emails: Record<string, readonly string[]> = {};
    for (const severity of TOPIC_SEVERITIES) {
      const addresses = [...new Set(channels.severities[severity].email)];
      emails[severity] = addresses;
      for (const address of addresses)
        topicOf(severity).addSubscription(new EmailSubscription(address));
    }
    this.emails = emails as Record<TopicSeverity, readonly string[]>;

    const slackSeverities = severitiesWith(channels, 'slack');
    const pagerdutySeverities = severitiesWith(channels, 'pagerduty');
    if (slackSeverities.length > 0 || pagerdutySeverities.length > 0) {
      this.allowSnsToUseKey(alertTopics.encryptionKey);
    }
    const make = (
      name: 'Slack' | 'PagerDuty',
      severities: TopicSeverity[],
      options: {
        handlerName: string;
        secretEnv: string;
        secretDescription: string;
        reservedConcurrentExecutions?: number;
      },
    ): Notifier | undefined =>
      severities.length === 0
        ? undefined
        : this.createNotifier(name, props, {
            ...options,
            topics: severities.map(topicOf),
            criticalTopic: topicOf('critical'),
          });

    this.slack = make('Slack', slackSeverities, {
      handlerName: 'notify-slack',
      secretEnv: ENV.SLACK_WEBHOOK_SECRET,
      secretDescription: 'Slack incoming-webhook URL (https://hooks.slack.com/services/...)',
      reservedConcurrentExecutions: 1,
    });
    this.pagerduty = make('PagerDuty', pagerdutySeverities, {
      handlerName: 'notify-pagerduty',
      secretEnv: ENV.PAGERDUTY_ROUTING_KEY_SECRET,
      secretDescription: 'PagerDuty Events API v2 routing (integration) key',
    });
  }

  /** The notifiers that exist, by name, for monitoring. */
  get notifiers(): Readonly<Record<string, Notifier>> {
    return {
      ...(this.slack ? { notifySlack: this.slack } : {}),
      ...(this.pagerduty ? { notifyPagerduty: this.pagerduty } : {}),
    };
  }

  /**
   * SNS writes a subscription's failed deliveries to its DLQ itself, so the queue's key must let
   * `sns.amazonaws.com` encrypt (scoped to this account).
   * https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html
   */
  private allowSnsToUseKey(key: IKey): void {
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSnsToWriteDeadLetterQueues',
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }

  private createNotifier(
    name: 'Slack' | 'PagerDuty',
    props: NotificationChannelsProps,
    options: {
      handlerName: string;
      secretEnv: string;
      secretDescription: string;
      reservedConcurrentExecutions?: number;
      topics: Topic[];
      criticalTopic: Topic;
    },
  ): Notifier {
    const key = props.alertTopics.encryptionKey;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    // No value in the template: CloudFormation generates a random placeholder, replaced by the
    // user's `put-secret-value` (stack output).
    const secret = new Secret(this, `${name}Secret`, {
      description: `Vigil: ${options.secretDescription}; set it with aws secretsmanager put-secret-value`,
      encryptionKey: key,
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `The secret holds a ${name} credential issued by ${name} (webhook URL / routing key); Secrets Manager cannot rotate it, the user replaces it with put-secret-value when ${name} reissues it.`,
    });

    const deadLetterQueue = new Queue(this, `${name}DeadLetterQueue`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue of the ${name} notifier (SNS subscription DLQ and Lambda on-failure destination); nothing consumes it automatically, an alarm on its depth notifies the critical topic.`,
    });

    const fn = new VigilFunction(this, `${name}Function`, {
      ...props.functionProps,
      handlerName: options.handlerName,
      description: `Vigil: ${name} notifier (SNS alert topics → ${name})`,
      memorySize: 256,
      // Room for the notifier's own retries with backoff and a Retry-After of a few seconds.
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      environment: {
        ...props.functionProps?.environment,
        [options.secretEnv]: secret.secretArn,
        [ENV.CHANNELS]: JSON.stringify(notifierChannelsEnv(props.channels, props.logGroups)),
      },
    });
    fn.configureAsyncInvoke({
      retryAttempts: NOTIFIER_RETRY_ATTEMPTS,
      onFailure: queueDestination(deadLetterQueue),
    });
    // Explicit statements (no wildcards): the on-failure destination is sent with the function's
    // role; reading the secret needs Decrypt on its key.
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
      }),
    );
    props.storage.bindAlertStateTable(fn, { access: Access.ReadWrite });

    for (const topic of options.topics) {
      topic.addSubscription(new LambdaSubscription(fn, { deadLetterQueue }));
    }

    const deadLetterAlarm = new Alarm(this, `${name}DeadLetterAlarm`, {
      alarmDescription: `Vigil: ${name} notifications failed after every retry; see the messages in the dead-letter queue ${deadLetterQueue.queueName}`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deadLetterAlarm.addAlarmAction(new SnsAction(options.criticalTopic));

    return { function: fn, secret, deadLetterQueue, deadLetterAlarm };
  }
}

/** The one command that stores a secret's value, for the stack outputs. */
const putSecretValueCommand = (secretArn: string, placeholder: string): string =>
  `aws secretsmanager put-secret-value --secret-id ${secretArn} --secret-string '${placeholder}'`;

export { NotificationChannels, notifierChannelsEnv, putSecretValueCommand };
