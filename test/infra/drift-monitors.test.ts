import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionName, ROUTES } from '../../lambdas/api/routes';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { ConfigError } from '../../lambdas/domain/config/validate';
import { validateDriftConfig } from '../../lambdas/domain/drift/drift-config';
import { ENV } from '../../lambdas/shared/env';
import { DRIFT_DOCUMENT_FILE, DriftMonitors } from '../../lib/constructs/drift-monitors';
import { Storage } from '../../lib/constructs/storage';
import { VigilStack } from '../../lib/vigil-stack';
import { bareStack, CDK_CONTEXT, type CfnJson, INLINE_CODE, resourcesOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const BASELINE = `confidence,beard\n${Array.from({ length: 40 }, (_, i) => `${i / 40},${i % 3 === 0 ? 'yes' : 'no'}`).join('\n')}\n`;

/** A config directory with `baselines/faces.csv`, as a user's repository would hold it. */
const configDir = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-infra-'));
  mkdirSync(join(dir, 'baselines'));
  writeFileSync(join(dir, 'baselines', 'faces.csv'), BASELINE);
  return dir;
})();

const driftOf = (monitors: unknown[]) => {
  const { config, issues } = validateDriftConfig({ monitors });
  expect(issues).toEqual([]);
  return config;
};

const MONITORS = [
  {
    name: 'faces',
    source: { events: { model: 'faces', fields: ['confidence', 'beard'] } },
    reference: { baseline: 'baselines/faces.csv' },
    schedule: { every: '1h' },
  },
  {
    name: 'faces-weekly',
    source: { events: { model: 'faces', fields: ['confidence'] } },
    reference: { window: '7d', offset: '7d' },
    schedule: { every: '1h', window: '1d' },
  },
  {
    name: 'latency',
    source: { histogram: { metric: 'inference_latency_seconds', matchers: '{job="inference"}' } },
    reference: { window: '1d', offset: '1d' },
    schedule: { every: '15m' },
  },
];

const synth = (config: VigilConfig) => {
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, 'VigilDrift', {
    config,
    env: { account: '123456789012', region: 'eu-west-1' },
    vigil: { functionCode: INLINE_CODE, configDir },
  });
  return { stack, template: Template.fromStack(stack) };
};

const { stack, template } = synth({ ...TEST_CONFIG, drift: driftOf(MONITORS) });
const json = template.toJSON() as CfnJson;
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);
const drift = stack.vigil.driftMonitors as DriftMonitors;

/** The statements of the inline policies attached to a function's role. */
const statementsOf = (fnLogicalId: string): CfnJson[] => {
  const role = json.Resources[fnLogicalId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: CfnJson) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[]);
};
const actionsOf = (statements: CfnJson[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('Construct: DriftMonitors', () => {
  describe('Feature: schedules', () => {
    it('creates one EventBridge rate rule per distinct every, with the tick time as input', () => {
      // Prepare
      const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule'))
        .filter((r) => String(r.Properties.Description).includes('drift'))
        .map((r) => r.Properties);

      // Assess
      expect(rules.map((r) => r.ScheduleExpression).sort()).toEqual([
        'rate(1 hour)',
        'rate(15 minutes)',
      ]);
      const hourly = rules.find((r) => r.ScheduleExpression === 'rate(1 hour)');
      expect(hourly?.Targets).toHaveLength(1);
      expect(hourly?.Targets[0].Arn).toEqual({
        'Fn::GetAtt': [logicalId(drift.function), 'Arn'],
      });
      expect(hourly?.Targets[0].InputTransformer).toEqual({
        InputPathsMap: { time: '$.time' },
        InputTemplate: '{"everyMs":3600000,"time":<time>}',
      });
      expect(hourly?.Targets[0].RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: 3600,
        MaximumRetryAttempts: 2,
      });
      expect(hourly?.Targets[0].DeadLetterConfig).toBeDefined();
    });
  });

  describe('Feature: report links in Slack messages', () => {
    it('lets the Slack notifier function list the reports bucket, and nothing more of it', () => {
      // Prepare
      const withSlack = synth({
        ...TEST_CONFIG,
        drift: driftOf(MONITORS),
        channels: {
          ...TEST_CONFIG.channels,
          severities: {
            ...TEST_CONFIG.channels.severities,
            warning: { email: [], slack: true, pagerduty: false },
          },
        },
      });
      const slack = withSlack.stack.vigil.notificationChannels.slack;
      const fnId = withSlack.stack.getLogicalId(slack?.function.node.defaultChild as never);
      const slackJson = withSlack.template.toJSON() as CfnJson;
      const bucketId = withSlack.stack.getLogicalId(
        withSlack.stack.vigil.driftMonitors?.reportsBucket.node.defaultChild as never,
      );
      const role = slackJson.Resources[fnId].Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(resourcesOf(withSlack.template, 'AWS::IAM::Policy'))
        .filter((p) => p.Properties.Roles.some((r: CfnJson) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[]);
      const onBucket = statements.filter((st) => JSON.stringify(st.Resource).includes(bucketId));

      // Assess
      expect(slackJson.Resources[fnId].Properties.Environment.Variables).toMatchObject({
        [ENV.DRIFT_REPORTS_BUCKET]: { Ref: bucketId },
      });
      expect(onBucket).toEqual([
        {
          Action: 's3:ListBucket',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        },
      ]);
    });
  });

  describe('Feature: reports bucket', () => {
    it('encrypts with the KMS key, refuses plain HTTP and blocks public access', () => {
      // Prepare
      const bucketId = logicalId(drift.reportsBucket);
      const bucket = json.Resources[bucketId].Properties;

      // Assess
      expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            KMSMasterKeyID: {
              'Fn::GetAtt': [logicalId(stack.vigil.encryptionKey as never), 'Arn'],
            },
            SSEAlgorithm: 'aws:kms',
          },
        },
      ]);
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('drift-reports/');
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
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

  describe('Feature: least-privilege IAM', () => {
    it('lets the drift function read events, read and write samples and push groups, and only put reports', () => {
      // Prepare
      const statements = statementsOf(logicalId(drift.function));

      // Assess
      expect(actionsOf(statements)).toEqual([
        // Push groups (read and write: each monitor's series are a pushed group) and the series
        // index (cardinality guard).
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        // The series index's registered label and metric names (DynamoDbNameRegistry).
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'timestream:DescribeEndpoints',
        // Samples (read and write) and events (read only): SELECT and DESCRIBE.
        'timestream:DescribeTable',
        'timestream:DescribeTable',
        'timestream:Select',
        'timestream:Select',
        'timestream:WriteRecords',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      const put = statements.find((s) => s.Action === 's3:PutObject');
      expect(put?.Resource).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(drift.reportsBucket), 'Arn'] }, '/*']],
      });
      const events = statements.find(
        (s) =>
          JSON.stringify(s.Action).includes('timestream:Select') &&
          JSON.stringify(s.Resource).includes('EventsTable'),
      );
      expect(events?.Action).toEqual(['timestream:DescribeTable', 'timestream:Select']);
      expect(actionsOf(statements)).not.toContain('s3:GetObject');
      expect(actionsOf(statements)).not.toContain('s3:DeleteObject');
    });

    it('lets the API function read reports and invoke the drift function, nothing else of S3', () => {
      // Prepare
      const statements = statementsOf(logicalId(drift.apiFunction));
      const s3 = actionsOf(statements).filter((a) => a.startsWith('s3:'));

      // Assess
      expect(s3).toEqual(['s3:GetObject', 's3:ListBucket']);
      expect(actionsOf(statements)).toContain('lambda:InvokeFunction');
      expect(actionsOf(statements).some((a) => a.startsWith('timestream:'))).toBe(false);
      const fn = json.Resources[logicalId(drift.apiFunction)].Properties;
      expect(fn.Environment.Variables[ENV.DRIFT_FUNCTION]).toEqual({
        Ref: logicalId(drift.function),
      });
      expect(fn.Environment.Variables[ENV.DRIFT_REPORTS_BUCKET]).toEqual({
        Ref: logicalId(drift.reportsBucket),
      });
      expect(fn.Environment.Variables[ENV.DRIFT_DOCUMENT]).toBe(DRIFT_DOCUMENT_FILE);
    });
  });

  describe('Feature: API routes and monitoring', () => {
    it('serves every drift route of the routes table with the API function', () => {
      // Prepare
      const expected = ROUTES.filter((r) => r.fn === FunctionName.DriftReports);
      const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter((m) =>
        JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(logicalId(drift.apiFunction)),
      );

      // Assess
      expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(
        expected.flatMap((r) => r.methods).sort(),
      );
      expect(methods.every((m) => m.Properties.ApiKeyRequired === true)).toBe(true);
    });

    it('registers both functions for self-monitoring', () => {
      // Assess
      expect(stack.vigil.functions.runDriftMonitors).toBe(drift.function);
      expect(stack.vigil.functions.driftReports).toBe(drift.apiFunction);
    });

    it('creates nothing for drift without monitors', () => {
      // Act
      const { stack: none, template: t } = synth(TEST_CONFIG);

      // Assess
      expect(none.vigil.driftMonitors).toBeUndefined();
      expect(JSON.stringify(t.toJSON())).not.toContain('drift');
    });
  });

  describe('Feature: cdk-nag', () => {
    it('finds no unacknowledged AwsSolutions finding', () => {
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
    it('fails synth naming the monitor when a baseline file is missing', () => {
      // Prepare
      const config = {
        ...TEST_CONFIG,
        drift: driftOf([{ ...MONITORS[0], reference: { baseline: 'baselines/nope.csv' } }]),
      };

      // Act
      const run = () => synth(config);

      // Assess
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(/drift\.monitors\[0\]\.reference\.baseline: file not found: .*nope\.csv/);
    });

    it('bundles both handlers with the drift document and the baseline CSV', () => {
      // Prepare: the construct alone, bundled for real by a local esbuild
      const bare = bareStack();
      const encryptionKey = new Key(bare, 'Key', { enableKeyRotation: true });
      const storage = new Storage(bare, 'Storage', {
        timestream: TEST_CONFIG.timestream,
        encryptionKey,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const config = driftOf(MONITORS);

      // Act
      const construct = new DriftMonitors(bare, 'Drift', {
        drift: config,
        configDir,
        storage,
        encryptionKey,
      });
      const assembly = (bare.node.root as App).synth();

      // Assess
      const resources = Template.fromStack(bare).toJSON().Resources as CfnJson;
      for (const fn of [construct.function, construct.apiFunction]) {
        const code = resources[bare.getLogicalId(fn.node.defaultChild as never)].Properties.Code;
        const dir = join(assembly.directory, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
        const doc = JSON.parse(readFileSync(join(dir, DRIFT_DOCUMENT_FILE), 'utf8'));
        expect(doc.drift).toEqual(JSON.parse(JSON.stringify(config)));
        expect(doc.baselines).toEqual({ faces: BASELINE });
        expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/export\s*\{[^}]*handler/);
      }
    });
  });
});
