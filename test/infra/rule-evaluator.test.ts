import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionName, ROUTES } from '../../lambdas/api/routes';
import { validateAlertingConfig } from '../../lambdas/domain/alerting/config';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { ENV } from '../../lambdas/shared/env';
import { loadRulesDocument } from '../../lambdas/shared/rules-loader';
import { AlertTopics } from '../../lib/constructs/alert-topics';
import { RULES_DOCUMENT_FILE, RuleEvaluator } from '../../lib/constructs/rule-evaluator';
import { Storage } from '../../lib/constructs/storage';
import { VigilStack } from '../../lib/vigil-stack';
import {
  bareStack,
  CDK_CONTEXT,
  type CfnJson,
  type CfnResourceJson,
  INLINE_CODE,
  resourcesOf,
} from './helpers';
import { TEST_CONFIG } from './test-config';

const VALID_RULES = `groups:
  - name: latency
    interval: 30s
    rules:
      - record: job:inference_latency_seconds:p99
        expr: histogram_quantile(0.99, sum by (job, le) (rate(inference_latency_seconds_bucket[5m])))
      - alert: HighLatency
        expr: job:inference_latency_seconds:p99 > 0.5
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "p99 latency of {{ $labels.job }} is {{ $value | humanizeDuration }}"
`;

const INVALID_RULES = `groups:
  - name: broken
    rules:
      - alert: GoodOne
        expr: up == 0
      - alert: BadExpr
        expr: sum(rate(foo[5m]) >
`;

/** A config directory holding `rules/<name>` files, as a user's repository would. */
const configDirWith = (files: Readonly<Record<string, string>>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-infra-'));
  mkdirSync(join(dir, 'rules'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'rules', name), text);
  return dir;
};

/** A synthesized `VigilStack` whose config lists `rules/*.yml` relative to `configDir`. */
const synth = (
  configDir: string,
  config: Partial<VigilConfig> = {},
): { stack: VigilStack; template: Template } => {
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, 'VigilRules', {
    config: { ...TEST_CONFIG, rules: ['rules/*.yml'], ...config },
    env: { account: '123456789012', region: 'eu-west-1' },
    vigil: { functionCode: INLINE_CODE, configDir },
  });
  return { stack, template: Template.fromStack(stack) };
};

const functionDescribed = (t: Template, pattern: RegExp): [string, CfnResourceJson] => {
  const found = Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).find(([, f]) =>
    pattern.test(String(f.Properties.Description ?? '')),
  );
  if (!found) throw new Error(`no function described ${pattern}`);
  return found;
};

/** Every IAM statement attached to a function's role. */
const statementsOf = (t: Template, fn: CfnResourceJson): CfnJson[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

const listOf = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

const topicIdsOf = (t: Template): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resourcesOf(t, 'AWS::SNS::Topic')).map(([id, topic]) => [
      String(topic.Properties.DisplayName).split(' ')[2],
      id,
    ]),
  );

const configDir = configDirWith({ 'latency.yml': VALID_RULES });
const { stack, template } = synth(configDir);
const [evaluatorId, evaluator] = functionDescribed(template, /^Vigil: rule evaluator/);

describe('Construct: RuleEvaluator', () => {
  describe('Feature: schedule', () => {
    it('runs the evaluator every minute, without retries, dropping stale ticks into a DLQ', () => {
      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [evaluatorId, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: evaluatorId },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it('encrypts the schedule DLQ and denies it plain HTTP', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
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
  });

  describe('Feature: evaluator function', () => {
    it('never runs twice at once, with a minute to evaluate and 1 GB of memory', () => {
      // Assess
      expect(evaluator.Properties).toMatchObject({
        ReservedConcurrentExecutions: 1,
        Timeout: 60,
        MemorySize: 1024,
        Runtime: 'nodejs24.x',
      });
    });

    it('is told where the rules document, the alert state and the topics are', () => {
      // Prepare
      const env = evaluator.Properties.Environment.Variables;
      const topics = topicIdsOf(template);

      // Assess
      expect(env[ENV.RULES_DOCUMENT]).toBe(RULES_DOCUMENT_FILE);
      expect(env[ENV.ALERT_STATE_TABLE]).toEqual({ Ref: expect.stringMatching(/AlertState/) });
      expect(env[ENV.SAMPLES_TABLE]).toBeDefined();
      expect(env[ENV.PUSH_GROUPS_TABLE]).toBeDefined();
      const json = JSON.stringify(env[ENV.ALERT_TOPICS]);
      for (const severity of ['critical', 'warning', 'info']) {
        expect(json).toContain(`\\"${severity}\\":\\"`);
        expect(json).toContain(topics[severity]);
      }
      expect(json).toContain('\\"default\\":\\"');
    });

    it('publishes to exactly the alert topics, and uses their key without wildcards', () => {
      // Prepare
      const statements = statementsOf(template, evaluator);
      const publish = statements.filter((s) => listOf(s.Action).includes('sns:Publish'));
      const topics = topicIdsOf(template);
      const topicKey = Object.keys(resourcesOf(template, 'AWS::KMS::Key')).find((id) =>
        /AlertTopics/.test(id),
      );

      // Assess
      expect(publish).toHaveLength(1);
      expect(listOf(publish[0]?.Action)).toEqual(['sns:Publish']);
      expect(listOf(publish[0]?.Resource).sort((a, b) => a.Ref.localeCompare(b.Ref))).toEqual(
        ['critical', 'info', 'warning'].map((s) => ({ Ref: topics[s] })),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [topicKey, 'Arn'] },
        }),
      );
    });

    it('reads and writes samples, reads push groups, and gets/puts alert state only', () => {
      // Prepare
      const actions = statementsOf(template, evaluator).flatMap((s) => listOf(s.Action));
      const alertState = statementsOf(template, evaluator).find((s) =>
        JSON.stringify(s.Resource).includes('AlertState'),
      );

      // Assess
      expect(actions).toEqual(
        expect.arrayContaining([
          'timestream:WriteRecords',
          'timestream:Select',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
        ]),
      );
      expect(alertState?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
      // The series index: the label and metric names of ALERTS and recording rules.
      expect(evaluator.Properties.Environment.Variables[ENV.SERIES_INDEX_TABLE]).toBeDefined();
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(actions.filter((a) => /^(sns|dynamodb|timestream|kms):\*$/.test(a))).toEqual([]);
    });
  });

  describe('Feature: alert topics', () => {
    it('creates one topic per severity, encrypted with a customer-managed key', () => {
      // Prepare
      const topics = resourcesOf(template, 'AWS::SNS::Topic');

      // Assess
      expect(Object.keys(topicIdsOf(template)).sort()).toEqual(['critical', 'info', 'warning']);
      for (const topic of Object.values(topics)) {
        expect(topic.Properties.KmsMasterKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/AlertTopicsKey/), 'Arn'],
        });
      }
    });

    it('lets CloudWatch alarms use the topic key, and rotates it', () => {
      // Assess
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        Description: Match.stringLikeRegexp('alert topics'),
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it('denies publishing and subscribing over plain HTTP', () => {
      // Assess
      template.resourcePropertiesCountIs(
        'AWS::SNS::TopicPolicy',
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        },
        3,
      );
    });

    it('outputs every topic ARN', () => {
      // Prepare
      const topics = topicIdsOf(template);

      // Assess
      for (const [severity, output] of [
        ['critical', 'AlertTopicCriticalArn'],
        ['warning', 'AlertTopicWarningArn'],
        ['info', 'AlertTopicInfoArn'],
      ] as const) {
        template.hasOutput(output, { Value: { Ref: topics[severity] } });
      }
    });

    it('gives a default severity outside critical/warning/info a topic of its own', () => {
      // Prepare
      const stack = bareStack();
      const alertTopics = new AlertTopics(stack, 'Topics', {
        project: 'p',
        defaultSeverity: 'page',
      });

      // Act
      const arns = stack.resolve(alertTopics.topicArns());

      // Assess
      expect(Object.keys(alertTopics.topics).sort()).toEqual([
        'critical',
        'info',
        'page',
        'warning',
      ]);
      expect(arns.default).toEqual(arns.page);
      expect(AlertTopics.outputIdOf('page')).toBe('AlertTopicPageArn');
    });

    it('maps `default` to the warning topic unless configured otherwise', () => {
      // Prepare
      const stack = bareStack();
      const alertTopics = new AlertTopics(stack, 'Topics', { project: 'p' });

      // Act
      const arns = stack.resolve(alertTopics.topicArns());

      // Assess
      expect(Object.keys(alertTopics.topics).sort()).toEqual(['critical', 'info', 'warning']);
      expect(arns.default).toEqual(arns.warning);
    });

    it('uses a key it is given, adding the CloudWatch statement to its policy', () => {
      // Prepare
      const stack = bareStack();
      const key = new Key(stack, 'Given', { enableKeyRotation: true });

      // Act
      new AlertTopics(stack, 'Topics', { project: 'p', encryptionKey: key });

      // Assess
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          ]),
        },
      });
    });
  });

  describe('Feature: alert-state table', () => {
    it('is on-demand, keyed by pk only, with point-in-time recovery and the KMS key', () => {
      // Assess
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
    });
  });

  describe('Feature: alerts API', () => {
    it('routes every alerts route to the alerts function, behind an API key', () => {
      // Prepare
      const [alertsId] = functionDescribed(template, /^Vigil: alerts, rules and silences/);
      const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter((m) =>
        JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(alertsId),
      );
      const expected = ROUTES.filter((r) => r.fn === FunctionName.Alerts).flatMap((r) => r.methods);

      // Assess
      expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(expected.sort());
      for (const m of methods) {
        expect(m.Properties).toMatchObject({
          ApiKeyRequired: true,
          AuthorizationType: 'CUSTOM',
          AuthorizerId: expect.anything(),
        });
      }
    });

    it('ships the rules document to the alerts function too, and lets it write silences', () => {
      // Prepare
      const [, alerts] = functionDescribed(template, /^Vigil: alerts, rules and silences/);
      const actions = statementsOf(template, alerts).flatMap((s) => listOf(s.Action));

      // Assess
      expect(alerts.Properties.Environment.Variables[ENV.RULES_DOCUMENT]).toBe(RULES_DOCUMENT_FILE);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
      expect(actions).not.toContain('sns:Publish');
    });
  });

  describe('Feature: without rule files', () => {
    // Prepare
    const { template: bare } = synth(configDir, { rules: [] });

    it('creates no evaluator and no schedule, but keeps the topics and the alerts API', () => {
      // Assess
      bare.resourceCountIs('AWS::Events::Rule', 0);
      bare.resourceCountIs('AWS::SQS::Queue', 0);
      expect(() => functionDescribed(bare, /^Vigil: rule evaluator/)).toThrow();
      bare.resourceCountIs('AWS::SNS::Topic', 3);
      const [, alerts] = functionDescribed(bare, /^Vigil: alerts, rules and silences/);
      expect(alerts.Properties.Environment.Variables[ENV.RULES_DOCUMENT]).toBeUndefined();
    });
  });

  describe('Feature: synth-time rule check', () => {
    it('fails synthesis naming the file, group, rule and reason of an invalid rule', () => {
      // Prepare
      const dir = configDirWith({ 'ok.yml': VALID_RULES, 'broken.yml': INVALID_RULES });

      // Act & Assess
      expect(() => synth(dir)).toThrow(
        /rules\/broken\.yml:7:\d+: group "broken", rule 2, "BadExpr": could not parse expression/,
      );
    });

    it('resolves rule paths against the directory of $VIGIL_CONFIG by default', () => {
      // Prepare
      const saved = process.env[ENV.CONFIG_PATH];
      process.env[ENV.CONFIG_PATH] = join(configDir, 'vigil.config.yaml');
      const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });

      try {
        // Act
        const stack = new VigilStack(app, 'DefaultDir', {
          config: { ...TEST_CONFIG, rules: ['rules/latency.yml'] },
          env: { account: '123456789012', region: 'eu-west-1' },
          vigil: { functionCode: INLINE_CODE },
        });

        // Assess
        expect(stack.vigil.ruleEvaluator).toBeDefined();
      } finally {
        if (saved === undefined) delete process.env[ENV.CONFIG_PATH];
        else process.env[ENV.CONFIG_PATH] = saved;
      }
    });

    it('fails synthesis on a listed rule file that does not exist', () => {
      // Act & Assess
      expect(() => synth(configDir, { rules: ['rules/missing.yml'] })).toThrow(
        /rules\/missing\.yml: no such file/,
      );
    });
  });

  describe('Feature: alerting.alertmanagers', () => {
    const withAlertmanagers = (alertmanagers: unknown[]) =>
      synth(configDir, { alerting: validateAlertingConfig({ alertmanagers }).config });

    it('grants exactly the Secrets Manager secret and SSM parameter the credentials name', () => {
      // Prepare
      const am = withAlertmanagers([
        {
          url: 'https://alertmanager.example.com',
          basic_auth: { username: 'vigil', password_secret: 'vigil/alertmanager' },
        },
        {
          url: 'https://ops.example.com/alertmanager',
          authorization: { credentials_parameter: '/vigil/alertmanager-token' },
        },
      ]);
      const [, fn] = functionDescribed(am.template, /^Vigil: rule evaluator/);
      const credentialStatements = statementsOf(am.template, fn).filter((s) =>
        /secretsmanager:|ssm:/.test(JSON.stringify(s.Action)),
      );

      // Act
      const report = new AwsSolutionsChecks().validateScope(am.stack);

      // Assess
      expect(credentialStatements).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource:
            'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/alertmanager-??????',
        },
        {
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/vigil/alertmanager-token',
        },
      ]);
      expect(report.violations).toEqual([]);
    });

    it('grants nothing more without credentials', () => {
      // Prepare
      const am = withAlertmanagers(['https://alertmanager.example.com']);
      const [, fn] = functionDescribed(am.template, /^Vigil: rule evaluator/);

      // Assess
      expect(
        statementsOf(am.template, fn).filter((s) =>
          /secretsmanager:|ssm:/.test(JSON.stringify(s.Action)),
        ),
      ).toEqual([]);
    });

    it('fails synthesis on an inline or file credential, naming the key', () => {
      // Act & Assess
      expect(() =>
        withAlertmanagers([
          { url: 'https://am.example.com', basic_auth: { username: 'u', password: 'hunter2' } },
        ]),
      ).toThrow(/alerting\.alertmanagers\[0\]\.basic_auth\.password: use password_secret/);
    });
  });

  describe('Feature: cdk-nag', () => {
    it('finds no unacknowledged error or warning with the evaluator deployed', () => {
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

  describe('Feature: bundle', () => {
    it('copies the rules document into the evaluator bundle as rules.json', () => {
      // Prepare: the evaluator alone, bundled for real by a local esbuild
      const bare = bareStack();
      const encryptionKey = new Key(bare, 'Key', { enableKeyRotation: true });
      const storage = new Storage(bare, 'Storage', {
        timestream: TEST_CONFIG.timestream,
        encryptionKey,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const rulesDocument = loadRulesDocument(
        { ...TEST_CONFIG, rules: ['rules/*.yml'] },
        configDir,
      );

      // Act
      const construct = new RuleEvaluator(bare, 'Evaluator', {
        rulesDocument,
        storage,
        alertTopics: new AlertTopics(bare, 'Topics', { project: 'p' }),
      });
      const assembly = (bare.node.root as App).synth();

      // Assess
      const fn = Template.fromStack(bare).toJSON().Resources[
        bare.getLogicalId(construct.function.node.defaultChild as never)
      ] as CfnResourceJson;
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = join(assembly.directory, `asset.${assetHash}`);
      expect(JSON.parse(readFileSync(join(dir, RULES_DOCUMENT_FILE), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(rulesDocument)),
      );
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/export\s*\{[^}]*handler/);
    });
  });
});
