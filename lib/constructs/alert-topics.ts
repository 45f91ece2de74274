import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ChannelsConfig } from '../../lambdas/domain/notifications/channels-config';
import { ENV } from '../../lambdas/shared/env';

/** The severities that always get a topic of their own (critical, warning, info). */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Key of the `VIGIL_ALERT_TOPICS` entry used for severities without a topic of their own. */
export const DEFAULT_TOPIC_KEY = 'default';

export interface AlertTopicsProps {
  /** Prefix of the topics' display names. */
  readonly project: string;
  /**
   * Severity whose topic receives notifications of any other severity (`alerting.default_severity`).
   * A value outside {@link ALERT_SEVERITIES} gets a topic of its own.
   * @default 'warning'
   */
  readonly defaultSeverity?: string;
  /**
   * `channels:` of vigil.config.yaml. When given it decides the topic map and **wins over
   * {@link defaultSeverity}**: only the three topics of {@link ALERT_SEVERITIES} exist, each
   * `channels.aliases` key (`high`, `page`, `medium`, `low`, …) maps to its target's topic, and
   * `default` is the topic of `channels.default`. An `alerting.default_severity` that is neither a
   * topic severity nor an alias therefore lands on `channels.default`'s topic, the one with
   * subscribers, rather than on a topic of its own that nobody receives.
   * @default - no aliases; `default` is the topic of {@link defaultSeverity}
   */
  readonly channels?: ChannelsConfig;
  /**
   * Customer-managed key encrypting the topics. Its key policy must let
   * `cloudwatch.amazonaws.com` use it; for a key created here that is done, for a given `Key`
   * the statement is added, for an imported key it is the owner's job.
   * @default - a new key with yearly rotation, used by the topics only
   */
  readonly encryptionKey?: IKey;
  /** What happens to a created key when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** `critical` → `Critical`; other characters than letters and digits are dropped. */
const pascal = (severity: string): string =>
  severity
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('') || 'Default';

/**
 * One SNS topic per alert severity, the product's public face for on-call: users
 * subscribe to them, the rule evaluator's `SnsNotifier` publishes to them, and CloudWatch alarms
 * may use them as actions.
 *
 * - Server-side encryption with a customer-managed key whose policy also lets CloudWatch alarms
 *   publish (`kms:Decrypt`, `kms:GenerateDataKey*`): an AWS-managed SNS key cannot be used by
 *   alarms. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *   (section "Setting up Amazon SNS topics with encryption" / key policy for CloudWatch)
 * - `enforceSSL`: the topic policy denies publishing and subscribing over plain HTTP; it also
 *   lets `cloudwatch.amazonaws.com` publish for alarms of this account (`aws:SourceAccount`).
 * - The topics are always created, with or without rule files: Vigil's alarms and channels
 *   subscribe to them independently of Vigil's own rules.
 */
class AlertTopics extends Construct {
  /** Severity → topic, including the default severity. */
  readonly topics: Readonly<Record<string, Topic>>;
  readonly defaultSeverity: string;
  readonly encryptionKey: IKey;
  /** Other severity label values → the severity whose topic they use (`channels.aliases`). */
  readonly aliases: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.defaultSeverity = props.channels?.default ?? props.defaultSeverity ?? 'warning';
    this.aliases = props.channels?.aliases ?? {};
    this.encryptionKey =
      props.encryptionKey ??
      new Key(this, 'Key', {
        description: `Vigil (${props.project}): alert topics encryption (SNS, CloudWatch alarms)`,
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
    // CloudWatch alarms of this account only (confused-deputy protection), on the key as on the
    // topics. https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    this.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );

    const severities = new Set<string>([...ALERT_SEVERITIES, this.defaultSeverity]);
    const topics: Record<string, Topic> = {};
    for (const severity of severities) {
      const topic = new Topic(this, `${pascal(severity)}Topic`, {
        displayName: `Vigil ${props.project} ${severity} alerts`,
        masterKey: this.encryptionKey,
        enforceSSL: true,
      });
      // `enforceSSL` gives the topic a policy of its own, which replaces SNS's default one: the
      // alarms' service principal must be allowed explicitly, or no alarm can publish.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
      topic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: fromThisAccount,
        }),
      );
      topics[severity] = topic;
    }
    this.topics = topics;
  }

  /** Topic of notifications whose severity has no topic of its own. */
  get defaultTopic(): Topic {
    return this.topics[this.defaultSeverity] as Topic;
  }

  /** `AlertTopic<Severity>Arn`-style name part of a severity, e.g. `Critical`. */
  static outputIdOf(severity: string): string {
    return `AlertTopic${pascal(severity)}Arn`;
  }

  /**
   * Severity → topic ARN, plus each alias (`high` → the critical topic's ARN, …) and
   * {@link DEFAULT_TOPIC_KEY}, as `VIGIL_ALERT_TOPICS` holds it. A severity's own topic wins over
   * an alias of the same name.
   */
  topicArns(): Record<string, string> {
    const arns: Record<string, string> = {};
    for (const [alias, target] of Object.entries(this.aliases)) {
      const topic = this.topics[target];
      if (topic) arns[alias] = topic.topicArn;
    }
    for (const [severity, topic] of Object.entries(this.topics)) arns[severity] = topic.topicArn;
    arns[DEFAULT_TOPIC_KEY] = this.defaultTopic.topicArn;
    return arns;
  }

  /**
   * Lets a function publish alerts: sets `VIGIL_ALERT_TOPICS` (JSON severity and alias → topic
   * ARN, with `default`; see {@link topicArns}) and grants `sns:Publish` on exactly these topics, plus `kms:Decrypt` and
   * `kms:GenerateDataKey` on their key, which SNS asks of the publisher of an encrypted topic.
   * Written as explicit statements rather than `Topic.grantPublish`, whose key grant uses the
   * `kms:GenerateDataKey*` wildcard.
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
   */
  bindAlertTopics(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.ALERT_TOPICS, JSON.stringify(this.topicArns()));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:Publish'],
        resources: Object.values(this.topics).map((t) => t.topicArn),
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }),
    );
  }
}

export { AlertTopics };
