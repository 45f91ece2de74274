import { Match } from 'aws-cdk-lib/assertions';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { ENV } from '../../lambdas/shared/env';
import { AMP_READ_ACTIONS, AMP_WRITE_ACTIONS } from '../../lib/constructs/amp-workspace';
import { buildTestStack, type CfnResourceJson, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const AMP: VigilConfig = {
  ...TEST_CONFIG,
  store: 'amp',
  amp: { retentionDays: 400 },
  rules: [],
};
const EXISTING_ARN =
  'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0000-1111-2222-333344445555';

/** The statements of every policy attached to the role of the function with this description prefix. */
const statementsOf = (
  template: ReturnType<typeof buildTestStack>['template'],
  description: string,
): { Action: string | string[]; Resource: unknown }[] => {
  const [fnId, fn] =
    Object.entries(vigilFunctionsOf(template)).find(([, f]) =>
      String(f.Properties?.Description).startsWith(description),
    ) ?? [];
  if (!fnId || !fn) throw new Error(`no function ${description}`);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p: CfnResourceJson) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    )
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: never[] }).Statement);
};

const apsActionsOf = (statements: { Action: string | string[] }[]): string[] =>
  statements
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a) => a.startsWith('aps:'))
    .sort();

describe('Vigil with store: amp', () => {
  describe('creating its workspace', () => {
    // Prepare
    const { template } = buildTestStack({ config: AMP });

    it('creates an encrypted, aliased workspace with the configured retention', () => {
      // Assess
      template.resourceCountIs('AWS::APS::Workspace', 1);
      template.hasResourceProperties('AWS::APS::Workspace', {
        Alias: 'vigil-test',
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
        WorkspaceConfiguration: { RetentionPeriodInDays: 400 },
      });
    });

    it('creates no Timestream resource and no availability check', () => {
      // Assess
      template.resourceCountIs('AWS::Timestream::Database', 0);
      template.resourceCountIs('AWS::Timestream::Table', 0);
      expect(JSON.stringify(template.toJSON())).not.toMatch(/timestream/i);
    });

    it('keeps prediction events in a KMS-encrypted bucket expiring after the retention', () => {
      // Assess
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 400, Status: 'Enabled' })],
        },
      });
    });

    it('grants writers aps:RemoteWrite and readers the query actions, on the workspace only', () => {
      // Assess
      const ingest = statementsOf(template, 'Vigil: POST /ingest/metrics');
      const query = statementsOf(template, 'Vigil: Prometheus query API');
      expect(apsActionsOf(ingest)).toEqual([...AMP_WRITE_ACTIONS]);
      expect(apsActionsOf(query)).toEqual([...AMP_READ_ACTIONS].sort());
      for (const s of [...ingest, ...query].filter((x) => apsActionsOf([x]).length > 0)) {
        expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Workspace/), 'Arn'] });
      }
    });

    it('sets the store and workspace variables on every function bound to it', () => {
      // Assess
      const fn = Object.values(vigilFunctionsOf(template)).find((f) =>
        String(f.Properties?.Description).startsWith('Vigil: POST /ingest/metrics'),
      );
      if (!fn) throw new Error('no ingest-metrics function');
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env[ENV.STORE]).toBe('amp');
      expect(env[ENV.AMP_REGION]).toBe('eu-west-1');
      expect(env[ENV.AMP_WORKSPACE_ID]).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/Workspace/), 'WorkspaceId'],
      });
      expect(env[ENV.SAMPLES_TABLE]).toBeUndefined();
    });

    it('gives the log functions the events bucket: PutObject on event objects only', () => {
      // Assess
      const logs = statementsOf(template, 'Vigil: POST /ingest/logs');
      const s3 = logs.filter((s) => JSON.stringify(s.Action).includes('s3:'));
      expect(s3.map((s) => s.Action)).toEqual(['s3:PutObject']);
    });

    it('re-emits pushed groups every minute', () => {
      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        Description: 'Vigil: re-emits pushed Pushgateway series',
        ScheduleExpression: 'rate(1 minute)',
      });
      expect(apsActionsOf(statementsOf(template, 'Vigil: re-emits pushed'))).toEqual([
        'aps:RemoteWrite',
      ]);
    });

    it('alarms on remote-write failures and throttling instead of Timestream', () => {
      // Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AmpRejectedSamples',
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AmpRemoteWriteThrottled',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AmpRemoteWriteFailures',
        Namespace: 'Vigil',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(
        Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).some(
          (a) => a.Properties?.MetricName === 'ScrapeFailures',
        ),
      ).toBe(false);
    });

    it('outputs the workspace id, ARN and query URL', () => {
      // Assess
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      const url = Object.entries(outputs).find(([k]) => k.includes('WorkspaceQueryUrl'))?.[1];
      expect(url?.Value).toEqual({
        'Fn::Join': [
          '',
          [
            'https://aps-workspaces.eu-west-1.',
            { Ref: 'AWS::URLSuffix' },
            '/workspaces/',
            { 'Fn::GetAtt': [expect.stringMatching(/Workspace/), 'WorkspaceId'] },
          ],
        ],
      });
      expect(Object.keys(outputs).some((k) => k.includes('WorkspaceArn'))).toBe(true);
    });
  });

  describe('with an existing workspace', () => {
    // Prepare
    const { template } = buildTestStack({
      config: { ...AMP, amp: { workspaceArn: EXISTING_ARN, retentionDays: 150 } },
    });

    it('creates no workspace and scopes IAM to the given ARN', () => {
      // Assess
      template.resourceCountIs('AWS::APS::Workspace', 0);
      const query = statementsOf(template, 'Vigil: Prometheus query API');
      const aps = query.filter((s) => apsActionsOf([s]).length > 0);
      expect(aps.map((s) => s.Resource)).toEqual([EXISTING_ARN]);
    });
  });
});
