import { authorizeRole } from './authorize';
import type { RecordedCall } from './fake-aws';
import type { Decision, PolicyStatement } from './policy-evaluator';
import type { DeployedFunction } from './record-calls';
import { type RequiredPermission, requiredPermissions } from './required-actions';
import type { TemplateModel } from './template-model';

/**
 * The AWS managed policies Vigil's roles use, as AWS publishes them (only these are embedded;
 * a role using another one fails the check until it is added here).
 */
const MANAGED_POLICIES: Readonly<Record<string, readonly PolicyStatement[]>> = {
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
    },
  ],
};

/**
 * Every statement that applies to a role: its inline `Policies`, the `AWS::IAM::Policy`
 * resources attached to it, and its managed policies.
 */
const roleStatements = (model: TemplateModel, roleId: string): PolicyStatement[] => {
  const role = model.resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not an IAM role`);
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).flatMap((p) =>
    model.statements(p.PolicyDocument),
  );
  const attached = model
    .ofType('AWS::IAM::Policy')
    .filter(([, p]) =>
      ((p.Properties.Roles ?? []) as unknown[]).some((r) => model.resolve(r) === model.ref(roleId)),
    )
    .flatMap(([, p]) => model.statements(p.Properties.PolicyDocument));
  const managed = ((role.Properties?.ManagedPolicyArns ?? []) as unknown[]).flatMap((a) => {
    const arn = String(model.resolve(a));
    const statements = MANAGED_POLICIES[arn];
    if (!statements) throw new Error(`managed policy ${arn} is not embedded in iam-coverage.ts`);
    return statements;
  });
  return [...inline, ...attached, ...managed];
};

/**
 * The resource policy that takes part in a request, when the target has one: a KMS key policy,
 * an SNS topic policy, an SQS queue policy or an S3 bucket policy.
 */
const resourcePolicyOf = (
  model: TemplateModel,
  resource: string,
): PolicyStatement[] | undefined => {
  for (const [id, k] of model.ofType('AWS::KMS::Key'))
    if (model.getAtt(id, 'Arn') === resource) return model.statements(k.Properties.KeyPolicy);
  const fromPolicies = (
    type: string,
    targets: string,
    docProp: string,
    ref: (r: string) => boolean,
  ) =>
    model
      .ofType(type)
      .filter(([, p]) =>
        ((model.resolve(p.Properties[targets]) ?? []) as unknown[]).some((t) => ref(String(t))),
      )
      .flatMap(([, p]) => model.statements(p.Properties[docProp]));
  for (const [id] of model.ofType('AWS::SNS::Topic'))
    if (model.ref(id) === resource)
      return fromPolicies(
        'AWS::SNS::TopicPolicy',
        'Topics',
        'PolicyDocument',
        (t) => t === resource,
      );
  for (const [id] of model.ofType('AWS::SQS::Queue'))
    if (model.getAtt(id, 'Arn') === resource)
      return fromPolicies(
        'AWS::SQS::QueuePolicy',
        'Queues',
        'PolicyDocument',
        (t) => t === model.ref(id),
      );
  for (const [id] of model.ofType('AWS::S3::Bucket')) {
    const bucketArn = model.getAtt(id, 'Arn');
    if (resource === bucketArn || resource.startsWith(`${bucketArn}/`))
      return model
        .ofType('AWS::S3::BucketPolicy')
        .filter(([, p]) => model.resolve(p.Properties.Bucket) === model.name(id))
        .flatMap(([, p]) => model.statements(p.Properties.PolicyDocument));
  }
  return undefined;
};

/** A permission the role lacks. */
export interface Finding extends RequiredPermission {
  /** The function's logical id and handler, e.g. `MonitoringIngestMetrics… (ingest-metrics)`. */
  readonly function: string;
  readonly decision: Exclude<Decision, 'allow'>;
}

/**
 * The permissions a role lacks for the calls recorded from its function.
 * @param name - how findings name the function
 */
const checkCalls = (
  model: TemplateModel,
  name: string,
  roleId: string,
  calls: readonly RecordedCall[],
): { required: RequiredPermission[]; findings: Finding[] } => {
  const identity = roleStatements(model, roleId);
  const roleArn = model.getAtt(roleId, 'Arn');
  const required = requiredPermissions(calls, model);
  const findings: Finding[] = [];
  for (const p of required) {
    const decision = authorizeRole({
      identity,
      resourcePolicy: resourcePolicyOf(model, p.resource),
      roleArn,
      action: p.action,
      resource: p.resource,
    });
    if (decision !== 'allow') findings.push({ ...p, function: name, decision });
  }
  return { required, findings };
};

const checkFunction = (
  model: TemplateModel,
  fn: DeployedFunction,
  calls: readonly RecordedCall[],
): { required: RequiredPermission[]; findings: Finding[] } =>
  checkCalls(model, `${fn.logicalId} (${fn.handlerName})`, fn.roleId, calls);

/** One line per finding: function, action, resource, the call that needs it. */
const describeFindings = (findings: readonly Finding[]): string =>
  findings
    .map(
      (f) => `${f.function}: ${f.action} on ${f.resource} (${f.decision}; needed by ${f.because})`,
    )
    .join('\n');

/**
 * The SDK calls of CDK's `AwsCustomResource` provider, from the resource's own call spec
 * (`Create` / `Update`: service package and action): the provider sends exactly that command
 * with the package's client.
 */
const customResourceCalls = (model: TemplateModel): { roleId: string; calls: RecordedCall[] }[] =>
  model.ofType('Custom::AWS').map(([, r]) => {
    const fnId = r.Properties.ServiceToken['Fn::GetAtt'][0] as string;
    const roleId = model.resources[fnId]?.Properties?.Role['Fn::GetAtt'][0] as string;
    const calls = ['Create', 'Update', 'Delete']
      .map((k) => r.Properties[k])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => {
        const spec = JSON.parse(v) as { service: string; action: string; parameters?: object };
        const client = {
          '@aws-sdk/client-timestream-write': 'TimestreamWriteClient',
          '@aws-sdk/client-timestream-query': 'TimestreamQueryClient',
        }[spec.service];
        if (!client) throw new Error(`custom resource calls ${spec.service}: map its client here`);
        return { client, command: `${spec.action}Command`, input: spec.parameters ?? {} };
      });
    return { roleId, calls };
  });

/** Distinct actions of the role's Allow statements (as written, wildcards kept). */
const grantedActions = (model: TemplateModel, roleId: string): string[] => [
  ...new Set(
    roleStatements(model, roleId)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) =>
        s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action],
      ),
  ),
];

export {
  checkCalls,
  checkFunction,
  customResourceCalls,
  describeFindings,
  grantedActions,
  MANAGED_POLICIES,
  resourcePolicyOf,
  roleStatements,
};
