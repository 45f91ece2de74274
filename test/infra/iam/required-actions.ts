import type { CfnJson } from '../helpers';
import { ACCOUNT, REGION } from './authorize';
import type { RecordedCall } from './fake-aws';
import { AMP_HTTP_CLIENT } from './amp-http';
import type { TemplateModel } from './template-model';

/** One permission a recorded call needs: an IAM action on a resource, and why. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
  /** The call (or the implicit call) that needs it, e.g. `TimestreamQueryClient QueryCommand`. */
  readonly because: string;
}

/** IAM service prefix of each SDK client. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  TimestreamWriteClient: 'timestream',
  TimestreamQueryClient: 'timestream',
  DynamoDBClient: 'dynamodb',
  SNSClient: 'sns',
  S3Client: 's3',
  SecretsManagerClient: 'secretsmanager',
  CloudWatchLogsClient: 'logs',
  CloudWatchClient: 'cloudwatch',
  LambdaClient: 'lambda',
  STSClient: 'sts',
  // Signed HTTP calls to an AMP workspace (record-calls.ts records them; not an SDK client).
  [AMP_HTTP_CLIENT]: 'aps',
};

const arn = (service: string, resource: string): string =>
  `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

const tableArn = (name: string): string => arn('dynamodb', `table/${name}`);
const timestreamTableArn = (db: string, table: string): string =>
  arn('timestream', `database/${db}/table/${table}`);

/**
 * A Secrets Manager secret's ARN from a `SecretId`: a full ARN as is; a name or partial ARN gets
 * the 6-character suffix Secrets Manager appends to every secret's ARN.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
 */
const secretArn = (id: string): string => {
  if (!id.startsWith('arn:')) return arn('secretsmanager', `secret:${id}-AbCdEf`);
  return /-[A-Za-z0-9]{6}$/.test(id) ? id : `${id}-AbCdEf`;
};

/** Every `"database"."table"` a Timestream SQL statement names. */
const timestreamTables = (sql: string): { db: string; table: string }[] =>
  [...sql.matchAll(/"((?:[^"]|"")+)"\s*\.\s*"((?:[^"]|"")+)"/g)].map((m) => ({
    db: (m[1] as string).replaceAll('""', '"'),
    table: (m[2] as string).replaceAll('""', '"'),
  }));

const lambdaArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : arn('lambda', `function:${nameOrArn}`);

/**
 * The IAM actions and resources a recorded call needs, from the Service Authorization
 * Reference's action tables:
 * - Timestream: `Query` is authorized per statement: `SELECT` needs `timestream:Select` on each
 *   table it reads, `DESCRIBE` needs `timestream:DescribeTable` on the table.
 *   https://docs.aws.amazon.com/timestream/latest/developerguide/security_iam_service-with-iam.html
 *   https://docs.aws.amazon.com/timestream/latest/developerguide/security_iam_id-based-policy-examples.html
 * - DynamoDB: `TransactWriteItems` has no action of its own and needs the action of each item
 *   (`PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`) on its table; the batch
 *   operations are actions of their own (`BatchWriteItem`, `BatchGetItem`) on each table.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * - S3: `ListObjectsV2` is `s3:ListBucket` on the bucket; objects are `bucket/key`.
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 * - Lambda: `Invoke` is `lambda:InvokeFunction`.
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 * - CloudWatch Logs: `CreateLogStream` and `PutLogEvents` act on the log stream
 *   `log-group:<group>:log-stream:<stream>`.
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
 * - Amazon Managed Service for Prometheus: each Prometheus-compatible HTTP API of a workspace is
 *   an action on the workspace ARN (`RemoteWrite`, `QueryMetrics`, `GetSeries`, `GetLabels`,
 *   `GetMetricMetadata`; see amp-http.ts for the paths).
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedserviceforprometheus.html
 * - CloudWatch `ListMetrics` / `GetMetricData`: no resource type, `*`.
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
const directPermissions = (call: RecordedCall): RequiredPermission[] => {
  const prefix = SERVICE_PREFIX[call.client];
  if (!prefix) throw new Error(`no IAM service prefix for ${call.client}`);
  const op = call.command.replace(/Command$/, '');
  const because = `${call.client} ${call.command}`;
  const p = (action: string, resource: string): RequiredPermission => ({
    action,
    resource,
    because,
  });
  const { input } = call;
  switch (`${prefix}:${op}`) {
    case 'timestream:WriteRecords':
      return [
        p('timestream:WriteRecords', timestreamTableArn(input.DatabaseName, input.TableName)),
      ];
    case 'timestream:Query': {
      const sql = String(input.QueryString);
      const action = /^\s*DESCRIBE\b/i.test(sql) ? 'timestream:DescribeTable' : 'timestream:Select';
      const tables = timestreamTables(sql);
      if (tables.length === 0) return [p('timestream:SelectValues', '*')];
      return tables.map((t) => p(action, timestreamTableArn(t.db, t.table)));
    }
    case 'timestream:DescribeEndpoints':
    case 'timestream:ListDatabases':
      return [p(`timestream:${op}`, '*')];
    case 'dynamodb:TransactWriteItems':
      return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
        Object.entries(item).map(([kind, v]) =>
          p(
            `dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
            tableArn(v.TableName),
          ),
        ),
      );
    case 'dynamodb:BatchWriteItem':
    case 'dynamodb:BatchGetItem':
      return Object.keys(input.RequestItems).map((t) => p(`dynamodb:${op}`, tableArn(t)));
    case 'sns:Publish':
      return [p('sns:Publish', input.TopicArn)];
    case 's3:ListObjectsV2':
      return [p('s3:ListBucket', `arn:aws:s3:::${input.Bucket}`)];
    case 's3:GetObject':
    case 's3:PutObject':
      return [p(`s3:${op}`, `arn:aws:s3:::${input.Bucket}/${input.Key}`)];
    case 'secretsmanager:GetSecretValue':
      return [p('secretsmanager:GetSecretValue', secretArn(input.SecretId))];
    case 'logs:CreateLogStream':
    case 'logs:PutLogEvents':
      return [
        p(
          `logs:${op}`,
          arn('logs', `log-group:${input.logGroupName}:log-stream:${input.logStreamName}`),
        ),
      ];
    case 'lambda:Invoke':
      return [p('lambda:InvokeFunction', lambdaArn(input.FunctionName))];
    case 'cloudwatch:ListMetrics':
    case 'cloudwatch:GetMetricData':
      return [p(`cloudwatch:${op}`, '*')];
    case 'aps:RemoteWrite':
    case 'aps:QueryMetrics':
    case 'aps:GetSeries':
    case 'aps:GetLabels':
    case 'aps:GetMetricMetadata':
      return [p(`aps:${op}`, arn('aps', `workspace/${input.workspaceId}`))];
    default:
      if (prefix === 'dynamodb') return [p(`dynamodb:${op}`, tableArn(input.TableName))];
      throw new Error(`no IAM mapping for ${because}: add it to required-actions.ts`);
  }
};

/** Where each resource type names its customer-managed KMS key. */
const KEY_PROPERTY: Readonly<Record<string, (p: CfnJson) => unknown>> = {
  'AWS::DynamoDB::Table': (p) => p.SSESpecification?.KMSMasterKeyId,
  'AWS::SNS::Topic': (p) => p.KmsMasterKeyId,
  'AWS::SQS::Queue': (p) => p.KmsMasterKeyId,
  'AWS::SecretsManager::Secret': (p) => p.KmsKeyId,
  'AWS::Logs::LogGroup': (p) => p.KmsKeyId,
  'AWS::S3::Bucket': (p) =>
    p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
      ?.KMSMasterKeyID,
};

/**
 * The ARN of the customer-managed key of the resource of `type` that `match` picks, if any.
 * @param match - picks the resource by logical id (e.g. its physical name equals a table name)
 */
const encryptionKeyOf = (
  model: TemplateModel,
  type: string,
  match: (id: string) => boolean,
): string | undefined => {
  const property = KEY_PROPERTY[type];
  if (!property) throw new Error(`no KMS key property known for ${type}`);
  for (const [id, r] of model.ofType(type)) {
    if (!match(id)) continue;
    const ref = property(r.Properties) as CfnJson | undefined;
    const keyId = ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref;
    if (keyId && model.resources[keyId]?.Type === 'AWS::KMS::Key')
      return model.getAtt(keyId, 'Arn');
  }
  return undefined;
};

/**
 * What a call asks of AWS beyond its own action:
 * - every Timestream call starts with the SDK's endpoint discovery, `timestream:DescribeEndpoints`
 *   on `*` (the mocked client skips it, so it is added here);
 *   https://docs.aws.amazon.com/timestream/latest/developerguide/Using-API.endpoint-discovery.describe-endpoints.implementation.html
 * - a customer-managed KMS key of the target asks the caller for KMS actions:
 *   DynamoDB reads and writes `kms:Decrypt`
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html),
 *   SNS publishers `kms:GenerateDataKey*` and `kms:Decrypt`
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html),
 *   Secrets Manager readers `kms:Decrypt`
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html),
 *   S3 SSE-KMS `PutObject` `kms:GenerateDataKey` and `GetObject` `kms:Decrypt`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 *   Timestream uses its database's key through grants of its own, and CloudWatch Logs
 *   through the key policy (checked separately), so neither asks the caller.
 */
const implicitPermissions = (call: RecordedCall, model: TemplateModel): RequiredPermission[] => {
  const because = `${call.client} ${call.command} (implicit)`;
  const out: RequiredPermission[] = [];
  const kms = (keyArn: string | undefined, actions: string[]) => {
    if (!keyArn) return;
    for (const action of actions) out.push({ action, resource: keyArn, because });
  };
  const { input } = call;
  switch (call.client) {
    case 'TimestreamWriteClient':
    case 'TimestreamQueryClient':
      out.push({ action: 'timestream:DescribeEndpoints', resource: '*', because });
      break;
    case 'DynamoDBClient': {
      const tables = new Set<string>(input.TableName ? [input.TableName] : []);
      for (const item of (input.TransactItems ?? []) as Record<string, { TableName: string }>[])
        for (const v of Object.values(item)) tables.add(v.TableName);
      for (const t of Object.keys(input.RequestItems ?? {})) tables.add(t);
      for (const t of tables)
        kms(
          encryptionKeyOf(model, 'AWS::DynamoDB::Table', (id) => model.name(id) === t),
          ['kms:Decrypt'],
        );
      break;
    }
    case 'SNSClient':
      if (call.command === 'PublishCommand')
        kms(
          encryptionKeyOf(model, 'AWS::SNS::Topic', (id) => model.ref(id) === input.TopicArn),
          ['kms:GenerateDataKey', 'kms:Decrypt'],
        );
      break;
    case 'SecretsManagerClient':
      kms(
        encryptionKeyOf(
          model,
          'AWS::SecretsManager::Secret',
          (id) => model.ref(id) === secretArn(input.SecretId),
        ),
        ['kms:Decrypt'],
      );
      break;
    case 'S3Client': {
      const key = encryptionKeyOf(
        model,
        'AWS::S3::Bucket',
        (id) => model.name(id) === input.Bucket,
      );
      if (call.command === 'PutObjectCommand') kms(key, ['kms:GenerateDataKey']);
      if (call.command === 'GetObjectCommand') kms(key, ['kms:Decrypt']);
      break;
    }
  }
  return out;
};

/** Every permission a function's recorded calls need, without duplicates. */
const requiredPermissions = (
  calls: readonly RecordedCall[],
  model: TemplateModel,
): RequiredPermission[] => {
  const seen = new Map<string, RequiredPermission>();
  for (const call of calls)
    for (const p of [...directPermissions(call), ...implicitPermissions(call, model)]) {
      const key = `${p.action} ${p.resource}`;
      if (!seen.has(key)) seen.set(key, p);
    }
  return [...seen.values()];
};

export { encryptionKeyOf, requiredPermissions, secretArn, timestreamTables };
