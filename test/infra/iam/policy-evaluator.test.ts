import { ACCOUNT, authorizeRole, authorizeService } from './authorize';
import {
  type AuthRequest,
  type Decision,
  evaluate,
  type PolicyStatement,
  wildcardMatch,
} from './policy-evaluator';

const TABLE = `arn:aws:timestream:eu-west-1:${ACCOUNT}:database/vigil/table/samples`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ingest`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:critical`;

const allow = (statement: Omit<PolicyStatement, 'Effect'>): PolicyStatement => ({
  Effect: 'Allow',
  ...statement,
});
const deny = (statement: Omit<PolicyStatement, 'Effect'>): PolicyStatement => ({
  Effect: 'Deny',
  ...statement,
});
const request = (action: string, resource: string, extra: Partial<AuthRequest> = {}) => ({
  action,
  resource,
  ...extra,
});

describe('Feature: IAM policy evaluator', () => {
  describe('wildcards', () => {
    it.each<[string, string, boolean, boolean]>([
      ['timestream:*', 'timestream:WriteRecords', true, true],
      ['kms:GenerateDataKey*', 'kms:GenerateDataKey', true, true],
      ['kms:GenerateDataKey*', 'kms:Decrypt', true, false],
      ['s3:?etObject', 's3:GetObject', true, true],
      ['s3:?etObject', 's3:GeetObject', true, false],
      ['TIMESTREAM:select', 'timestream:Select', true, true],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/reports/a.json', false, true],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false, false],
      ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/a', false, false],
      [
        'arn:aws:secretsmanager:*:secret:db-??????',
        'arn:aws:secretsmanager:x:secret:db-AbCdEf',
        false,
        true,
      ],
      [
        'arn:aws:secretsmanager:*:secret:db-??????',
        'arn:aws:secretsmanager:x:secret:db-AbCd',
        false,
        false,
      ],
      ['a.b(c)', 'a.b(c)', false, true],
      ['a.b', 'axb', false, false],
    ])('matches %s against %s (ignore case %s): %s', (pattern, value, ignoreCase, expected) => {
      // Act
      const matched = wildcardMatch(pattern, value, ignoreCase);

      // Assess
      expect(matched).toBe(expected);
    });
  });

  describe('decisions', () => {
    it.each<[string, PolicyStatement[], AuthRequest, Decision]>([
      ['no statement', [], request('timestream:Select', TABLE), 'implicit-deny'],
      [
        'an Allow of the action on the resource',
        [allow({ Action: 'timestream:Select', Resource: TABLE })],
        request('timestream:Select', TABLE),
        'allow',
      ],
      [
        'an Allow of another action',
        [allow({ Action: 'timestream:Select', Resource: TABLE })],
        request('timestream:DescribeTable', TABLE),
        'implicit-deny',
      ],
      [
        'an Allow on another resource',
        [allow({ Action: 'timestream:Select', Resource: `${TABLE}-old` })],
        request('timestream:Select', TABLE),
        'implicit-deny',
      ],
      [
        'actions in any case',
        [allow({ Action: ['Timestream:SELECT'], Resource: [TABLE] })],
        request('timestream:Select', TABLE),
        'allow',
      ],
      [
        'an explicit Deny over an Allow',
        [
          allow({ Action: 'timestream:*', Resource: '*' }),
          deny({ Action: 'timestream:WriteRecords', Resource: TABLE }),
        ],
        request('timestream:WriteRecords', TABLE),
        'explicit-deny',
      ],
      [
        'NotAction: everything but the listed actions',
        [allow({ NotAction: 'iam:*', Resource: '*' })],
        request('sns:Publish', TOPIC),
        'allow',
      ],
      [
        'NotAction: not the listed actions',
        [allow({ NotAction: ['iam:*', 'sns:*'], Resource: '*' })],
        request('sns:Publish', TOPIC),
        'implicit-deny',
      ],
      [
        'NotResource: every other resource',
        [allow({ Action: 'sns:Publish', NotResource: `${TOPIC}-other` })],
        request('sns:Publish', TOPIC),
        'allow',
      ],
      [
        'NotResource: not the listed resource',
        [allow({ Action: 'sns:Publish', NotResource: TOPIC })],
        request('sns:Publish', TOPIC),
        'implicit-deny',
      ],
      [
        'a Deny of plain HTTP when the request is over TLS',
        [
          allow({ Action: 'sns:Publish', Resource: TOPIC }),
          deny({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'role', arn: ROLE, account: ACCOUNT },
          context: { 'aws:SecureTransport': true },
        }),
        'allow',
      ],
      [
        'a Deny of plain HTTP when the request is not over TLS',
        [
          allow({ Action: 'sns:Publish', Resource: TOPIC }),
          deny({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'role', arn: ROLE, account: ACCOUNT },
          context: { 'aws:SecureTransport': false },
        }),
        'explicit-deny',
      ],
      [
        'a service principal with the expected source account',
        [
          allow({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
          context: { 'aws:SourceAccount': ACCOUNT },
        }),
        'allow',
      ],
      [
        'a service principal from another account',
        [
          allow({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
          context: { 'aws:SourceAccount': '999999999999' },
        }),
        'implicit-deny',
      ],
      [
        'a condition key the request does not carry',
        [
          allow({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
        }),
        'implicit-deny',
      ],
      [
        'another service principal',
        [
          allow({
            Action: 'sns:Publish',
            Resource: TOPIC,
            Principal: { Service: ['events.amazonaws.com'] },
          }),
        ],
        request('sns:Publish', TOPIC, {
          principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
        }),
        'implicit-deny',
      ],
      [
        'ArnLike on the source ARN, with wildcards',
        [
          allow({
            Action: 'sqs:SendMessage',
            Resource: '*',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnLike: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${ACCOUNT}:rule/*` },
            },
          }),
        ],
        request('sqs:SendMessage', 'q', {
          principal: { kind: 'service', service: 'events.amazonaws.com' },
          context: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${ACCOUNT}:rule/tick` },
        }),
        'allow',
      ],
      [
        'ArnEquals on another source ARN',
        [
          allow({
            Action: 'sqs:SendMessage',
            Resource: '*',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${ACCOUNT}:rule/a` },
            },
          }),
        ],
        request('sqs:SendMessage', 'q', {
          principal: { kind: 'service', service: 'events.amazonaws.com' },
          context: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${ACCOUNT}:rule/b` },
        }),
        'implicit-deny',
      ],
      [
        'StringLike on an encryption context',
        [
          allow({
            Action: 'kms:Encrypt*',
            Resource: '*',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*`,
              },
            },
          }),
        ],
        request('kms:Encrypt', 'key', {
          principal: { kind: 'service', service: 'logs.eu-west-1.amazonaws.com' },
          context: {
            'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/vigil/x`,
          },
        }),
        'allow',
      ],
      [
        'an account root principal for a role of that account',
        [
          allow({
            Action: 'kms:*',
            Resource: '*',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          }),
        ],
        request('kms:Decrypt', 'key', { principal: { kind: 'role', arn: ROLE, account: ACCOUNT } }),
        'allow',
      ],
      [
        'a statement with a principal in an identity-policy request without one',
        [allow({ Action: 'kms:*', Resource: '*', Principal: { AWS: ROLE } })],
        request('kms:Decrypt', 'key'),
        'implicit-deny',
      ],
    ])('decides %s', (_, statements, req, expected) => {
      // Act
      const decision = evaluate(statements, req);

      // Assess
      expect(decision).toBe(expected);
    });

    it('refuses a condition operator it does not implement', () => {
      // Prepare
      const statements = [
        allow({
          Action: '*',
          Resource: '*',
          Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020' } },
        }),
      ];

      // Act
      const run = () => evaluate(statements, request('sns:Publish', TOPIC));

      // Assess
      expect(run).toThrow('condition operator DateGreaterThan is not supported');
    });
  });

  describe('a role and a resource policy of one account', () => {
    const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`;
    const rootKeyPolicy = [
      allow({ Action: 'kms:*', Resource: '*', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
    ];

    it.each<[string, PolicyStatement[], PolicyStatement[] | undefined, string, string, Decision]>([
      [
        'an identity Allow without a resource policy',
        [allow({ Action: 'sns:Publish', Resource: TOPIC })],
        undefined,
        'sns:Publish',
        TOPIC,
        'allow',
      ],
      [
        'a resource-policy Allow naming the role',
        [],
        [allow({ Action: 'sns:Publish', Resource: TOPIC, Principal: { AWS: ROLE } })],
        'sns:Publish',
        TOPIC,
        'allow',
      ],
      [
        'a resource-policy Deny over an identity Allow',
        [allow({ Action: 'sns:Publish', Resource: TOPIC })],
        [deny({ Action: 'sns:Publish', Resource: TOPIC, Principal: '*' })],
        'sns:Publish',
        TOPIC,
        'explicit-deny',
      ],
      [
        'KMS: a key policy delegating to IAM, with an identity Allow',
        [allow({ Action: 'kms:Decrypt', Resource: KEY })],
        rootKeyPolicy,
        'kms:Decrypt',
        KEY,
        'allow',
      ],
      [
        'KMS: a key policy delegating to IAM, without an identity Allow',
        [],
        rootKeyPolicy,
        'kms:Decrypt',
        KEY,
        'implicit-deny',
      ],
      [
        'KMS: an identity Allow without a key policy statement for the account',
        [allow({ Action: 'kms:Decrypt', Resource: KEY })],
        [
          allow({
            Action: 'kms:Decrypt',
            Resource: '*',
            Principal: { Service: 'sns.amazonaws.com' },
          }),
        ],
        'kms:Decrypt',
        KEY,
        'implicit-deny',
      ],
      [
        'KMS: a key policy naming the role itself',
        [],
        [allow({ Action: 'kms:Decrypt', Resource: '*', Principal: { AWS: ROLE } })],
        'kms:Decrypt',
        KEY,
        'allow',
      ],
    ])('decides %s', (_, identity, resourcePolicy, action, resource, expected) => {
      // Act
      const decision = authorizeRole({ identity, resourcePolicy, roleArn: ROLE, action, resource });

      // Assess
      expect(decision).toBe(expected);
    });

    it('lets a service principal act only through the resource policy', () => {
      // Prepare
      const policy = [
        allow({
          Action: 'sns:Publish',
          Resource: TOPIC,
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        }),
      ];
      const ask = (resourcePolicy: PolicyStatement[] | undefined) =>
        authorizeService({
          resourcePolicy,
          service: 'cloudwatch.amazonaws.com',
          action: 'sns:Publish',
          resource: TOPIC,
          context: { 'aws:SourceAccount': ACCOUNT },
        });

      // Act
      const decisions = [ask(policy), ask(undefined)];

      // Assess
      expect(decisions).toEqual(['allow', 'implicit-deny']);
    });
  });
});
