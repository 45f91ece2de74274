import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/env';
import { toRuntimeConfig } from '../../lib/vigil';
import {
  buildTestStack,
  type CfnJson,
  type CfnResourceJson,
  resourcesOf,
  vigilFunctionsOf,
} from './helpers';
import { TEST_CONFIG } from './test-config';

// One synthesis for the whole file (inline code: no esbuild); bundling is covered in cdk-nag.test.ts.
const { template } = buildTestStack();

/** `METHOD /path` → method properties, with paths rebuilt from the resource tree. */
const methodsByRoute = (t: Template): Map<string, CfnJson> => {
  const resources = resourcesOf(t, 'AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    const r = resources[id];
    const parent = r.Properties.ParentId;
    const prefix = parent.Ref ? pathOf(parent.Ref) : '';
    return `${prefix}/${r.Properties.PathPart}`;
  };
  const routes = new Map<string, CfnJson>();
  for (const m of Object.values(resourcesOf(t, 'AWS::ApiGateway::Method'))) {
    const resourceId = m.Properties.ResourceId;
    const path = resourceId.Ref ? pathOf(resourceId.Ref) : '/';
    routes.set(`${m.Properties.HttpMethod} ${path}`, m.Properties);
  }
  return routes;
};

/** The function whose Description starts with a route summary, e.g. 'Vigil: GET /health'. */
const functionNamed = (t: Template, description: string): [string, CfnResourceJson] => {
  const found = Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Description === description,
  );
  if (!found) throw new Error(`no function described ${description}`);
  return found;
};

/** Every IAM statement attached to a function's role. */
const statementsOf = (t: Template, fn: CfnResourceJson): CfnJson[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

const actionsOf = (statements: CfnJson[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

const samplesTableArn = (t: Template) => ({
  'Fn::GetAtt': [Object.keys(resourcesOf(t, 'AWS::Timestream::Table'))[0], 'Arn'],
});

describe('Stack: VigilStack', () => {
  describe('Feature: routes and authorization', () => {
    it('exposes every ingestion, series and alerts route, and /health', () => {
      // Act
      const routes = [...methodsByRoute(template).keys()].sort();

      // Assess
      expect(routes).toEqual(
        [
          'DELETE /api/v2/silence/{id}',
          'DELETE /metrics/{proxy+}',
          'GET /api/v1/alerts',
          'GET /api/v1/rules',
          'GET /api/v2/silence/{id}',
          'GET /api/v2/silences',
          'POST /api/v2/silences',
          'GET /api/v1/label/{name}/values',
          'GET /api/v1/labels',
          'GET /api/v1/metadata',
          'GET /api/v1/query',
          'GET /api/v1/query_exemplars',
          'GET /api/v1/query_range',
          'GET /api/v1/series',
          'GET /api/v1/status/buildinfo',
          'GET /federate',
          'GET /health',
          'POST /api/v1/labels',
          'POST /api/v1/query',
          'POST /api/v1/query_exemplars',
          'POST /api/v1/query_range',
          'POST /api/v1/series',
          'POST /api/v1/write',
          'POST /ingest/metrics',
          'POST /ingest/logs',
          'POST /loki/api/v1/push',
          'POST /metrics/{proxy+}',
          'POST /v1/logs',
          'POST /v1/metrics',
          'PUT /metrics/{proxy+}',
        ].sort(),
      );
    });

    it('requires an API key and the authorizer on every method except GET /health', () => {
      // Prepare
      const routes = methodsByRoute(template);
      routes.delete('GET /health');

      // Act
      const unkeyed = [...routes].filter(
        ([, m]) => m.ApiKeyRequired !== true || m.AuthorizationType !== 'CUSTOM' || !m.AuthorizerId,
      );

      // Assess
      expect(routes.size).toBe(29);
      expect(unkeyed.map(([route]) => route)).toEqual([]);
    });

    it('leaves GET /health open', () => {
      // Act
      const health = methodsByRoute(template).get('GET /health');

      // Assess
      expect(health).toMatchObject({ AuthorizationType: 'NONE' });
      expect(health?.ApiKeyRequired).not.toBe(true);
    });

    it('takes the API key from the authorizer, and never caches its answers', () => {
      // Assess
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        ApiKeySourceType: 'AUTHORIZER',
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        AuthorizerResultTtlInSeconds: 0,
        // No identity source: the key may come in any of three headers.
        IdentitySource: '',
      });
    });

    it('runs the authorize handler as the authorizer', () => {
      // Prepare
      const authorizer = Object.values(resourcesOf(template, 'AWS::ApiGateway::Authorizer'))[0];

      // Act
      const fnId = JSON.stringify(authorizer.Properties.AuthorizerUri).match(
        /"(\w*Authorizer\w*)","Arn"/,
      )?.[1];

      // Assess
      expect(fnId).toBeDefined();
      expect(resourcesOf(template, 'AWS::Lambda::Function')[fnId as string]).toBeDefined();
    });

    it('passes protobuf and every other body to Lambda as binary', () => {
      // Assess
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        BinaryMediaTypes: Match.arrayWith([
          'application/x-protobuf',
          'application/vnd.google.protobuf',
          'application/octet-stream',
          '*/*',
        ]),
      });
    });

    it('proxies every method to a Lambda function', () => {
      // Act
      const integrations = [...methodsByRoute(template).values()].map((m) => m.Integration.Type);

      // Assess
      expect(new Set(integrations)).toEqual(new Set(['AWS_PROXY']));
    });

    it('validates request parameters, with label values requiring the name', () => {
      // Prepare
      const labelValues = methodsByRoute(template).get('GET /api/v1/label/{name}/values');

      // Assess
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      });
      expect(labelValues?.RequestParameters).toEqual({ 'method.request.path.name': true });
      expect(labelValues?.RequestValidatorId).toBeDefined();
    });
  });

  describe('Feature: API keys and usage plans', () => {
    it('creates one API key and one usage plan per client', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::ApiKey', TEST_CONFIG.api.clients.length);
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', TEST_CONFIG.api.clients.length);
      template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', TEST_CONFIG.api.clients.length);
      template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
        Name: 'test-inference',
        Enabled: true,
      });
    });

    it('throttles each client at its configured rate and burst, with a daily quota when set', () => {
      // Assess
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: 'test-inference',
        Throttle: { RateLimit: 50, BurstLimit: 100 },
        Quota: { Limit: 1_000_000, Period: 'DAY' },
        ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
      });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: 'test-prometheus',
        Throttle: { RateLimit: 20, BurstLimit: 40 },
        Quota: Match.absent(),
      });
    });

    it('outputs the API URL and, per client, the key id and the command that prints the key', () => {
      // Prepare
      const outputs = template.findOutputs('*');

      // Assess
      expect(outputs.ApiUrl).toBeDefined();
      expect(outputs.ApiKeyinferenceId.Value).toEqual({
        Ref: expect.stringMatching(/ApiKeyinference/),
      });
      expect(JSON.stringify(outputs.ApiKeyprometheusCommand.Value)).toContain(
        '--include-value --query value --output text',
      );
      expect(outputs.ApiKeyprometheusCommand.Value['Fn::Join'][1][0]).toBe(
        'aws apigateway get-api-key --api-key ',
      );
    });
  });

  describe('Feature: stage logging and tracing', () => {
    it('traces the stage and writes JSON access logs to a KMS-encrypted log group', () => {
      // Prepare
      const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0];
      const logGroupId = JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn).match(
        /"Ref":"(\w*AccessLogs\w*)"/,
      )?.[1] as string;
      const logGroup = resourcesOf(template, 'AWS::Logs::LogGroup')[logGroupId];

      // Assess
      expect(stage.Properties).toMatchObject({ StageName: 'prod', TracingEnabled: true });
      expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
        requestId: '$context.requestId',
        apiKeyId: '$context.identity.apiKeyId',
        status: '$context.status',
      });
      expect(logGroup.Properties).toMatchObject({
        RetentionInDays: 14,
        KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      });
    });
  });

  describe('Feature: storage', () => {
    it('creates the Timestream database with the customer-managed key', () => {
      // Prepare
      const keyId = Object.keys(resourcesOf(template, 'AWS::KMS::Key'))[0];

      // Assess
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::Timestream::Database', {
        DatabaseName: 'vigil-test',
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
    });

    it('creates the samples table with the configured retention and magnetic-store writes reported to S3', () => {
      // Prepare
      const buckets = resourcesOf(template, 'AWS::S3::Bucket');
      const reportBucketId = Object.keys(buckets).find((id) => id.includes('ErrorReport'));

      // Assess
      template.hasResourceProperties('AWS::Timestream::Table', {
        TableName: 'samples',
        RetentionProperties: {
          MemoryStoreRetentionPeriodInHours: '12',
          MagneticStoreRetentionPeriodInDays: '90',
        },
        MagneticStoreWriteProperties: {
          EnableMagneticStoreWrites: true,
          MagneticStoreRejectedDataLocation: {
            S3Configuration: {
              BucketName: { Ref: reportBucketId },
              EncryptionOption: 'SSE_S3',
              ObjectKeyPrefix: 'samples/',
            },
          },
        },
      });
    });

    it('keeps the error-report bucket private, encrypted, SSL-only and access-logged', () => {
      // Prepare
      const [id, bucket] = Object.entries(resourcesOf(template, 'AWS::S3::Bucket')).find(([key]) =>
        key.includes('ErrorReport'),
      ) as [string, CfnResourceJson];

      // Assess
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) },
        },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
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

    it('creates the Pushgateway groups table: pk/sk strings, on demand, PITR, KMS', () => {
      // Assess
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
    });

    it('retains stored data when the stack is deleted, but not after a failed first deploy', () => {
      // Assess
      for (const type of [
        'AWS::Timestream::Table',
        'AWS::Timestream::Database',
        'AWS::DynamoDB::Table',
      ]) {
        template.allResources(type, {
          DeletionPolicy: 'RetainExceptOnCreate',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });
  });

  describe('Feature: least-privilege IAM', () => {
    it('never grants timestream:* nor any Timestream data action on "*"', () => {
      // Prepare
      const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement,
      );

      // Act
      const offending = statements.filter((s) => {
        const actions: string[] = Array.isArray(s.Action) ? s.Action : [s.Action];
        const onStar =
          s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'));
        return actions.some(
          (a) =>
            a === '*' ||
            a === 'timestream:*' ||
            (a.startsWith('timestream:') &&
              onStar &&
              a !== 'timestream:DescribeEndpoints' &&
              // The deploy-time availability check lists at most one database.
              a !== 'timestream:ListDatabases'),
        );
      });

      // Assess
      expect(offending).toEqual([]);
    });

    it.each([
      ['Vigil: POST /ingest/metrics'],
      ['Vigil: Prometheus remote_write 1.0 POST /api/v1/write'],
      ['Vigil: Pushgateway API /metrics/job/...'],
    ])('lets %s write samples to the samples table only, without reading', (description) => {
      // Prepare
      const [, fn] = functionNamed(template, description);

      // Act
      const statements = statementsOf(template, fn);

      // Assess
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'timestream:WriteRecords',
          Resource: samplesTableArn(template),
        }),
      );
      expect(
        statements.filter((st) => st.Resource === '*').flatMap((st) => actionsOf([st])),
      ).toContain('timestream:DescribeEndpoints');
      expect(actionsOf(statements)).not.toContain('timestream:Select');
    });

    it('lets the series reader select from the samples table only, without writing', () => {
      // Prepare
      const [, fn] = functionNamed(template, 'Vigil: series, labels, label values, federate');

      // Act
      const statements = statementsOf(template, fn);

      // Assess
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['timestream:DescribeTable', 'timestream:Select'],
          Resource: samplesTableArn(template),
        }),
      );
      expect(actionsOf(statements)).not.toContain('timestream:WriteRecords');
      expect(
        actionsOf(statements).filter(
          (a) => a.startsWith('dynamodb:') && /Put|Delete|Update|Write/.test(a),
        ),
      ).toEqual([]);
    });

    it('lets the Pushgateway function read and write push groups, with the table key', () => {
      // Prepare
      const [, fn] = functionNamed(template, 'Vigil: Pushgateway API /metrics/job/...');

      // Act
      const actions = actionsOf(statementsOf(template, fn));

      // Assess
      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:BatchWriteItem',
          'kms:Decrypt',
        ]),
      );
    });

    it('gives the health check and the authorizer no data access', () => {
      // Prepare
      const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((f) =>
        /GET \/health|authorizer/.test(f.Properties.Description),
      );

      // Act
      const actions = fns.flatMap((f) => actionsOf(statementsOf(template, f)));

      // Assess
      expect(fns).toHaveLength(2);
      expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
    });

    it('lets each function write only to its own log group (no AWSLambdaBasicExecutionRole)', () => {
      // Prepare
      const roles = Object.values(resourcesOf(template, 'AWS::IAM::Role')).filter((r) =>
        String(r.Properties.Description ?? '').startsWith('Execution role of Vigil function'),
      );

      // Assess
      expect(roles).toHaveLength(12);
      for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('Feature: Lambda house defaults', () => {
    it('runs every function on nodejs24.x, arm64, traced, with source maps and its own log group', () => {
      // Prepare
      const fns = Object.values(vigilFunctionsOf(template));

      // Assess
      expect(fns).toHaveLength(12);
      for (const fn of fns) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
          Environment: {
            Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }),
          },
        });
      }
    });

    it('keeps function logs for the configured retention, encrypted with the key', () => {
      // Prepare
      const fns = Object.values(vigilFunctionsOf(template));
      const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');

      // Assess
      for (const fn of fns) {
        const logGroup = logGroups[fn.Properties.LoggingConfig.LogGroup.Ref];
        expect(logGroup.Properties).toMatchObject({
          RetentionInDays: 14,
          KmsKeyId: expect.anything(),
        });
      }
    });

    it("lets CloudWatch Logs use the key for this account's log groups only", () => {
      // Assess
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': Match.stringLikeRegexp(
                    ':logs:eu-west-1:123456789012:log-group:\\*$',
                  ),
                },
              },
            }),
          ]),
        },
      });
    });
  });

  describe('Feature: environment', () => {
    it('hands every API function the runtime part of the config as JSON', () => {
      // Prepare
      const expected = JSON.stringify(toRuntimeConfig(TEST_CONFIG));
      const apiFns = Object.values(vigilFunctionsOf(template)).filter(
        (f) => !/authorizer/.test(f.Properties.Description),
      );

      // Assess
      expect(apiFns).toHaveLength(11);
      for (const fn of apiFns) {
        expect(fn.Properties.Environment.Variables[ENV.RUNTIME_CONFIG]).toBe(expected);
      }
      expect(JSON.parse(expected)).toEqual({
        limits: TEST_CONFIG.limits,
        writeRelabelConfigs: [],
        cloudwatch: TEST_CONFIG.cloudwatch,
        pushgateway: TEST_CONFIG.pushgateway,
        maxSampleAgeMs: TEST_CONFIG.maxSampleAgeMs,
        otlp: { promoteResourceAttributes: [], keepIdentifyingResourceAttributes: false },
      });
    });

    it('names the samples table and push-groups table where they are bound', () => {
      // Prepare
      const env = (description: string) =>
        functionNamed(template, description)[1].Properties.Environment.Variables;
      const [tableId] = Object.keys(resourcesOf(template, 'AWS::Timestream::Table'));
      const [databaseId] = Object.keys(resourcesOf(template, 'AWS::Timestream::Database'));
      const pushTableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table')).find((id) =>
        id.includes('PushGroupsTable'),
      );

      // Assess
      expect(env('Vigil: POST /ingest/metrics')).toMatchObject({
        [ENV.SAMPLES_DATABASE]: { Ref: databaseId },
        [ENV.SAMPLES_TABLE]: { 'Fn::GetAtt': [tableId, 'Name'] },
      });
      expect(env('Vigil: POST /ingest/metrics')[ENV.PUSH_GROUPS_TABLE]).toBeUndefined();
      expect(env('Vigil: Pushgateway API /metrics/job/...')[ENV.PUSH_GROUPS_TABLE]).toEqual({
        Ref: pushTableId,
      });
      expect(env('Vigil: series, labels, label values, federate')[ENV.PUSH_GROUPS_TABLE]).toEqual({
        Ref: pushTableId,
      });
      expect(env('Vigil: GET /health')[ENV.SAMPLES_TABLE]).toBeUndefined();
    });
  });
});
