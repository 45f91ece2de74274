import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import {
  type ChannelsConfig,
  DEFAULT_CHANNELS_CONFIG,
} from '../../lambdas/domain/notifications/channels-config';
import { ENV } from '../../lambdas/shared/env';
import { AlertTopics } from '../../lib/constructs/alert-topics';
import {
  NOTIFIER_RETRY_ATTEMPTS,
  NotificationChannels,
} from '../../lib/constructs/notification-channels';
import { Storage } from '../../lib/constructs/storage';
import {
  bareStack,
  buildTestStack,
  type CfnJson,
  type CfnResourceJson,
  INLINE_CODE,
  resourcesOf,
  vigilFunctionsOf,
} from './helpers';
import { TEST_CONFIG } from './test-config';

const WEBHOOK_URL = 'https://hooks.slack.com/services/T0001/B0001/local-only-secret';
const ROUTING_KEY = 'R0UT1NGKEY-local-only-0123456789';

/** Every channel on: critical → email×2, Slack, PagerDuty; warning → email, Slack; info → Slack. */
const ALL_CHANNELS: ChannelsConfig = {
  ...DEFAULT_CHANNELS_CONFIG,
  severities: {
    critical: {
      email: ['oncall@example.com', 'sre@example.com'],
      slack: true,
      pagerduty: true,
    },
    warning: { email: ['team@example.com'], slack: true, pagerduty: false },
    info: { email: [], slack: true, pagerduty: false },
  },
  slack: { webhookUrl: WEBHOOK_URL, dashboardUrl: 'https://grafana.example.com/d/vigil' },
  pagerduty: { eventsUrl: 'https://events.pagerduty.com/v2/enqueue', routingKey: ROUTING_KEY },
};

const withChannels = (channels: ChannelsConfig): VigilConfig => ({ ...TEST_CONFIG, channels });

const listOf = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Severity → logical id of its topic (the display name is `Vigil <project> <severity> alerts`). */
const topicIdsOf = (t: Template): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resourcesOf(t, 'AWS::SNS::Topic')).map(([id, topic]) => [
      String(topic.Properties.DisplayName).split(' ')[2],
      id,
    ]),
  );

/** The Vigil function whose description mentions `name`, with its logical id. */
const functionNamed = (t: Template, name: string): [string, CfnResourceJson] => {
  const found = Object.entries(vigilFunctionsOf(t)).find(([, f]) =>
    String(f.Properties.Description).includes(`${name} notifier`),
  );
  if (!found) throw new Error(`no ${name} notifier`);
  return found;
};

const statementsOf = (t: Template, fn: CfnResourceJson): CfnJson[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

/** Topic severities a function is subscribed to. */
const subscribedSeverities = (t: Template, fnId: string): string[] => {
  const topics = topicIdsOf(t);
  const severityOf = Object.fromEntries(Object.entries(topics).map(([s, id]) => [id, s]));
  return Object.values(resourcesOf(t, 'AWS::SNS::Subscription'))
    .filter(
      (s) =>
        s.Properties.Protocol === 'lambda' && s.Properties.Endpoint?.['Fn::GetAtt']?.[0] === fnId,
    )
    .map((s) => severityOf[s.Properties.TopicArn.Ref] as string)
    .sort();
};

describe('Construct: NotificationChannels', () => {
  describe('Feature: every channel on', () => {
    const { stack, template } = buildTestStack({ config: withChannels(ALL_CHANNELS) });
    const topics = topicIdsOf(template);
    const [slackId, slack] = functionNamed(template, 'Slack');
    const [pagerdutyId, pagerduty] = functionNamed(template, 'PagerDuty');
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    const secretIdOf = (name: string): string =>
      Object.keys(secrets).find((id) => id.includes(name)) as string;

    it('subscribes each configured address to its severity topic by email', () => {
      // Prepare
      const emails = Object.values(resourcesOf(template, 'AWS::SNS::Subscription'))
        .filter((s) => s.Properties.Protocol === 'email')
        .map((s) => [s.Properties.TopicArn.Ref, s.Properties.Endpoint]);

      // Assess
      expect(emails.sort()).toEqual(
        [
          [topics.critical, 'oncall@example.com'],
          [topics.critical, 'sre@example.com'],
          [topics.warning, 'team@example.com'],
        ].sort(),
      );
    });

    it('subscribes the Slack function to slack topics and PagerDuty only to pagerduty topics', () => {
      // Assess
      expect(subscribedSeverities(template, slackId)).toEqual(['critical', 'info', 'warning']);
      expect(subscribedSeverities(template, pagerdutyId)).toEqual(['critical']);
      // 8 API functions, 3 log ingestion functions, the authorizer, Slack and PagerDuty
      expect(Object.keys(vigilFunctionsOf(template))).toHaveLength(14);
    });

    it('gives each Lambda subscription a KMS-encrypted dead-letter queue', () => {
      // Prepare
      const queues = resourcesOf(template, 'AWS::SQS::Queue');
      const lambdaSubs = Object.values(resourcesOf(template, 'AWS::SNS::Subscription')).filter(
        (s) => s.Properties.Protocol === 'lambda',
      );

      // Assess
      expect(lambdaSubs).toHaveLength(4);
      for (const sub of lambdaSubs) {
        const queueId = sub.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
        expect(queues[queueId]?.Properties.KmsMasterKeyId).toBeDefined();
      }
      expect(Object.keys(queues)).toHaveLength(2);
      for (const queue of Object.values(queues)) {
        expect(queue.Properties.KmsMasterKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/AlertTopicsKey/), 'Arn'],
        });
      }
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('lets SNS send to a dead-letter queue only on behalf of the subscribed topics', () => {
      // Prepare
      const sources = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[])
        .filter((st) => st.Principal?.Service === 'sns.amazonaws.com')
        .map((st) => {
          expect(st.Action).toBe('sqs:SendMessage');
          return st.Condition.ArnEquals['aws:SourceArn'].Ref;
        });

      // Assess: Slack's queue for its three topics, PagerDuty's for critical
      expect(sources.sort()).toEqual(
        [topics.critical, topics.critical, topics.info, topics.warning].sort(),
      );
    });

    it('retries failed invocations twice, then sends them to the dead-letter queue', () => {
      // Prepare
      const configs = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig'));

      // Assess
      expect(configs).toHaveLength(2);
      for (const config of configs) {
        expect(config.Properties.MaximumRetryAttempts).toBe(NOTIFIER_RETRY_ATTEMPTS);
        expect(config.Properties.DestinationConfig.OnFailure.Destination).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'],
        });
      }
      for (const fn of [slack, pagerduty]) {
        expect(statementsOf(template, fn)).toContainEqual(
          expect.objectContaining({
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
          }),
        );
      }
    });

    it('alarms on a non-empty dead-letter queue and notifies the critical topic', () => {
      // Prepare
      const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
      );

      // Assess
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topics.critical }],
        });
      }
    });

    it('lets SNS use the topics key to write the dead-letter queues', () => {
      // Assess
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
            }),
          ]),
        },
      });
    });

    it('creates both secrets with the topics key and keeps their values out of the template', () => {
      // Prepare
      const json = JSON.stringify(template.toJSON());

      // Assess
      expect(Object.keys(secrets)).toHaveLength(2);
      for (const secret of Object.values(secrets)) {
        expect(secret.Properties.SecretString).toBeUndefined();
        expect(secret.Properties.KmsKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/AlertTopicsKey/), 'Arn'],
        });
      }
      expect(json).not.toContain(WEBHOOK_URL);
      expect(json).not.toContain(ROUTING_KEY);
    });

    it('lets each notifier read exactly its own secret', () => {
      // Prepare
      const reads = (fn: CfnResourceJson) =>
        statementsOf(template, fn).filter((s) =>
          listOf(s.Action).includes('secretsmanager:GetSecretValue'),
        );

      // Assess
      expect(reads(slack)).toEqual([
        expect.objectContaining({
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: secretIdOf('Slack') },
        }),
      ]);
      expect(reads(pagerduty)).toEqual([
        expect.objectContaining({
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: secretIdOf('PagerDuty') },
        }),
      ]);
    });

    it('tells the notifiers the secret ARN, the non-secret channel settings and the state table', () => {
      // Prepare
      const slackEnv = slack.Properties.Environment.Variables;
      const pagerdutyEnv = pagerduty.Properties.Environment.Variables;

      // Assess
      expect(slackEnv[ENV.SLACK_WEBHOOK_SECRET]).toEqual({ Ref: secretIdOf('Slack') });
      expect(pagerdutyEnv[ENV.PAGERDUTY_ROUTING_KEY_SECRET]).toEqual({
        Ref: secretIdOf('PagerDuty'),
      });
      expect(JSON.parse(slackEnv[ENV.CHANNELS])).toEqual({
        slack: { dashboardUrl: 'https://grafana.example.com/d/vigil' },
        pagerduty: { eventsUrl: 'https://events.pagerduty.com/v2/enqueue' },
        logs: {
          groups: { api: '/vigil/test/api', inference: '/vigil/test/inference' },
          defaultGroup: '/vigil/test/default',
        },
      });
      for (const env of [slackEnv, pagerdutyEnv]) {
        expect(env[ENV.ALERT_STATE_TABLE]).toEqual({ Ref: expect.stringMatching(/AlertState/) });
      }
    });

    it('caps the Slack notifier at one concurrent execution', () => {
      // Assess
      expect(slack.Properties.ReservedConcurrentExecutions).toBe(1);
      expect(pagerduty.Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('outputs the command that stores each secret', () => {
      // Prepare
      const outputs = template.findOutputs('*');

      // Assess
      for (const [output, name] of [
        ['SlackWebhookSecretCommand', 'Slack'],
        ['PagerDutyRoutingKeySecretCommand', 'PagerDuty'],
      ] as const) {
        const parts = outputs[output]?.Value['Fn::Join'][1];
        expect(parts[0]).toBe('aws secretsmanager put-secret-value --secret-id ');
        expect(parts[1]).toEqual({ Ref: secretIdOf(name) });
        expect(parts[2]).toMatch(/^ --secret-string '.+'$/);
      }
    });

    it('finds no unacknowledged cdk-nag AwsSolutions finding', () => {
      // Act
      const report = new AwsSolutionsChecks().validateScope(stack);

      // Assess
      const findings = report.violations.map(
        (v) =>
          `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
    });
  });

  describe('Feature: email only', () => {
    it('creates no notifier, secret, queue or alarm when no severity uses Slack or PagerDuty', () => {
      // Prepare
      const channels: ChannelsConfig = {
        ...DEFAULT_CHANNELS_CONFIG,
        severities: {
          ...DEFAULT_CHANNELS_CONFIG.severities,
          critical: { email: ['oncall@example.com'], slack: false, pagerduty: false },
        },
      };

      // Act
      const { template } = buildTestStack({ config: withChannels(channels) });

      // Assess
      expect(Object.keys(vigilFunctionsOf(template))).toHaveLength(12);
      template.resourceCountIs('AWS::SNS::Subscription', 1);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.resourceCountIs('AWS::SQS::Queue', 0);
      expect(template.findOutputs('SlackWebhookSecretCommand')).toEqual({});
    });

    it('creates only the PagerDuty notifier when only PagerDuty is on', () => {
      // Prepare
      const channels: ChannelsConfig = {
        ...DEFAULT_CHANNELS_CONFIG,
        severities: {
          ...DEFAULT_CHANNELS_CONFIG.severities,
          warning: { email: [], slack: false, pagerduty: true },
        },
      };

      // Act
      const { template } = buildTestStack({ config: withChannels(channels) });
      const [pagerdutyId] = functionNamed(template, 'PagerDuty');

      // Assess
      expect(() => functionNamed(template, 'Slack')).toThrow('no Slack notifier');
      expect(subscribedSeverities(template, pagerdutyId)).toEqual(['warning']);
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    });
  });
});

describe('Feature: notifier bundles', () => {
  it('bundles notify-slack and notify-pagerduty as ESM with a handler export', () => {
    // Prepare: the channels alone, bundled for real by a local esbuild
    const bare = bareStack();
    const storage = new Storage(bare, 'Storage', {
      timestream: TEST_CONFIG.timestream,
      encryptionKey: new Key(bare, 'Key', { enableKeyRotation: true }),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const alertTopics = new AlertTopics(bare, 'Topics', { project: 'p', channels: ALL_CHANNELS });

    // Act
    const construct = new NotificationChannels(bare, 'Channels', {
      channels: ALL_CHANNELS,
      alertTopics,
      storage,
    });
    const assembly = (bare.node.root as App).synth();

    // Assess
    const resources = Template.fromStack(bare).toJSON().Resources;
    for (const notifier of Object.values(construct.notifiers)) {
      const fn = resources[
        bare.getLogicalId(notifier.function.node.defaultChild as never)
      ] as CfnResourceJson;
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundle = readFileSync(
        join(assembly.directory, `asset.${assetHash}`, 'index.mjs'),
        'utf8',
      );
      expect(bundle).toMatch(/export\s*\{[^}]*handler/);
      expect(bundle).not.toContain(WEBHOOK_URL);
    }
    expect(Object.keys(construct.notifiers).sort()).toEqual(['notifyPagerduty', 'notifySlack']);
  });
});

describe('Construct: AlertTopics with channels', () => {
  it('maps each alias to its target topic and `default` to channels.default', () => {
    // Prepare
    const stack = bareStack();
    const alertTopics = new AlertTopics(stack, 'Topics', {
      project: 'p',
      defaultSeverity: 'page',
      channels: {
        ...DEFAULT_CHANNELS_CONFIG,
        aliases: { ...DEFAULT_CHANNELS_CONFIG.aliases, sev1: 'critical' },
        default: 'info',
      },
    });

    // Act
    const arns = stack.resolve(alertTopics.topicArns());

    // Assess
    expect(Object.keys(alertTopics.topics).sort()).toEqual(['critical', 'info', 'warning']);
    expect(arns.high).toEqual(arns.critical);
    expect(arns.page).toEqual(arns.critical);
    expect(arns.sev1).toEqual(arns.critical);
    expect(arns.medium).toEqual(arns.warning);
    expect(arns.low).toEqual(arns.info);
    expect(arns.default).toEqual(arns.info);
  });

  it('puts the aliases into VIGIL_ALERT_TOPICS of a bound function', () => {
    // Prepare
    const stack = bareStack();
    const alertTopics = new AlertTopics(stack, 'Topics', {
      project: 'p',
      channels: DEFAULT_CHANNELS_CONFIG,
    });
    const fn = new LambdaFunction(stack, 'Publisher', {
      code: INLINE_CODE,
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
    });

    // Act
    alertTopics.bindAlertTopics(fn);

    // Assess
    const template = Template.fromStack(stack);
    const topics = topicIdsOf(template);
    const [, publisher] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))[0] as [
      string,
      CfnResourceJson,
    ];
    const json = JSON.stringify(publisher.Properties.Environment.Variables[ENV.ALERT_TOPICS]);
    for (const [alias, severity] of [
      ['high', 'critical'],
      ['page', 'critical'],
      ['medium', 'warning'],
      ['low', 'info'],
      ['default', 'warning'],
    ]) {
      expect(json).toContain(`\\"${alias}\\":\\"",{"Ref":"${topics[severity]}"}`);
    }
  });
});
