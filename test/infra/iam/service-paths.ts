import type { CfnJson } from '../helpers';
import { ACCOUNT, authorizeRole, authorizeService, REGION } from './authorize';
import { resourcePolicyOf, roleStatements } from './iam-coverage';
import type { PolicyStatement } from './policy-evaluator';
import { encryptionKeyOf } from './required-actions';
import type { TemplateModel } from './template-model';

/**
 * The paths on which one AWS service acts on another's resource in Vigil's stack, each checked
 * against the resource policy (or role) that must allow it. A path that is not allowed is one
 * line naming both ends and the missing permission.
 */

/** A Lambda function's resource policy: its `AWS::Lambda::Permission` resources as statements. */
const lambdaPolicyOf = (model: TemplateModel, functionArn: string): PolicyStatement[] =>
  model
    .ofType('AWS::Lambda::Permission')
    .map(([, p]) => model.resolve(p.Properties) as CfnJson)
    .filter((p) => {
      const name = String(p.FunctionName);
      return name === functionArn || functionArn.endsWith(`:function:${name}`);
    })
    .map((p) => ({
      Effect: 'Allow' as const,
      Principal: { Service: String(p.Principal) },
      Action: String(p.Action),
      Resource: functionArn,
      Condition: {
        ...(p.SourceArn ? { ArnLike: { 'aws:SourceArn': String(p.SourceArn) } } : {}),
        ...(p.SourceAccount
          ? { StringEquals: { 'aws:SourceAccount': String(p.SourceAccount) } }
          : {}),
      },
    }));

/** A service acting on a resource with these condition keys: '' when allowed, else why not. */
const serviceMay = (
  model: TemplateModel,
  path: string,
  service: string,
  action: string,
  resource: string,
  context: Readonly<Record<string, string>>,
  policy: PolicyStatement[] | undefined = resourcePolicyOf(model, resource),
): string[] => {
  const decision = authorizeService({ resourcePolicy: policy, service, action, resource, context });
  return decision === 'allow' ? [] : [`${path}: ${service} ${action} on ${resource} (${decision})`];
};

/** What a service needs of the customer-managed key of a resource it writes to, if it has one. */
const serviceMayUseKey = (
  model: TemplateModel,
  path: string,
  service: string,
  keyArn: string | undefined,
  actions: readonly string[],
  context: Readonly<Record<string, string>>,
): string[] =>
  keyArn === undefined
    ? []
    : actions.flatMap((a) => serviceMay(model, `${path} (key)`, service, a, keyArn, context));

const lambdaFunctionArn = (model: TemplateModel, value: unknown): string | undefined => {
  const arn = String(model.resolve(value));
  return /^arn:aws:lambda:[^:]+:\d{12}:function:[^:/]+$/.test(arn) ? arn : undefined;
};

const queueKeyOf = (model: TemplateModel, queueArn: string): string | undefined =>
  encryptionKeyOf(model, 'AWS::SQS::Queue', (id) => model.getAtt(id, 'Arn') === queueArn);

/**
 * CloudWatch alarm actions: every `AlarmActions` / `OKActions` / `InsufficientDataActions` topic
 * lets `cloudwatch.amazonaws.com` publish for this account's alarms, and its key lets CloudWatch
 * use it (`kms:Decrypt`, `kms:GenerateDataKey*`).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
const alarmPaths = (model: TemplateModel): { targets: string[]; problems: string[] } => {
  const targets: string[] = [];
  const problems: string[] = [];
  for (const [id, alarm] of model.ofType('AWS::CloudWatch::Alarm')) {
    const p = model.resolve(alarm.Properties) as CfnJson;
    const alarmArn = model.getAtt(id, 'Arn');
    const context = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn };
    for (const topicArn of [
      ...(p.AlarmActions ?? []),
      ...(p.OKActions ?? []),
      ...(p.InsufficientDataActions ?? []),
    ] as string[]) {
      targets.push(topicArn);
      const path = `alarm ${id} → ${topicArn}`;
      if (!topicArn.startsWith(`arn:aws:sns:${REGION}:${ACCOUNT}:`)) {
        problems.push(`${path}: not a topic of this stack`);
        continue;
      }
      const key = encryptionKeyOf(model, 'AWS::SNS::Topic', (t) => model.ref(t) === topicArn);
      problems.push(
        ...serviceMay(model, path, 'cloudwatch.amazonaws.com', 'sns:Publish', topicArn, context),
        ...serviceMayUseKey(
          model,
          path,
          'cloudwatch.amazonaws.com',
          key,
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          context,
        ),
      );
    }
  }
  return { targets, problems };
};

/**
 * EventBridge rules: each Lambda target has a permission for `events.amazonaws.com` with the
 * rule's ARN, and each target dead-letter queue lets EventBridge send to it.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
const eventRulePaths = (model: TemplateModel): { targets: number; problems: string[] } => {
  let targets = 0;
  const problems: string[] = [];
  for (const [id, rule] of model.ofType('AWS::Events::Rule')) {
    const ruleArn = model.getAtt(id, 'Arn');
    const context = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT };
    for (const target of (rule.Properties.Targets ?? []) as CfnJson[]) {
      targets++;
      const fnArn = lambdaFunctionArn(model, target.Arn);
      const path = `rule ${id} → ${fnArn ?? String(model.resolve(target.Arn))}`;
      if (!fnArn) {
        problems.push(`${path}: target is not a Lambda function of this stack`);
        continue;
      }
      problems.push(
        ...serviceMay(
          model,
          path,
          'events.amazonaws.com',
          'lambda:InvokeFunction',
          fnArn,
          context,
          lambdaPolicyOf(model, fnArn),
        ),
      );
      const dlq = target.DeadLetterConfig?.Arn;
      if (dlq) {
        const queueArn = String(model.resolve(dlq));
        problems.push(
          ...serviceMay(
            model,
            `${path} dead letters`,
            'events.amazonaws.com',
            'sqs:SendMessage',
            queueArn,
            context,
          ),
          ...serviceMayUseKey(
            model,
            `${path} dead letters`,
            'events.amazonaws.com',
            queueKeyOf(model, queueArn),
            ['kms:GenerateDataKey', 'kms:Decrypt'],
            context,
          ),
        );
      }
    }
  }
  return { targets, problems };
};

/**
 * SNS subscriptions of Lambda functions: each function has a permission for `sns.amazonaws.com`
 * with the topic's ARN; a subscription dead-letter queue lets SNS send to it, and its key lets
 * SNS use it.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html
 */
const subscriptionPaths = (model: TemplateModel): { lambdas: number; problems: string[] } => {
  let lambdas = 0;
  const problems: string[] = [];
  for (const [id, sub] of model.ofType('AWS::SNS::Subscription')) {
    const p = model.resolve(sub.Properties) as CfnJson;
    const topicArn = String(p.TopicArn);
    const context = { 'aws:SourceArn': topicArn, 'aws:SourceAccount': ACCOUNT };
    if (p.Protocol === 'lambda') {
      lambdas++;
      const fnArn = String(p.Endpoint);
      problems.push(
        ...serviceMay(
          model,
          `subscription ${id}`,
          'sns.amazonaws.com',
          'lambda:InvokeFunction',
          fnArn,
          context,
          lambdaPolicyOf(model, fnArn),
        ),
      );
    }
    const redrive = p.RedrivePolicy?.deadLetterTargetArn as string | undefined;
    if (redrive) {
      const path = `subscription ${id} dead letters`;
      problems.push(
        ...serviceMay(model, path, 'sns.amazonaws.com', 'sqs:SendMessage', redrive, context),
        ...serviceMayUseKey(
          model,
          path,
          'sns.amazonaws.com',
          queueKeyOf(model, redrive),
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          context,
        ),
      );
    }
  }
  return { lambdas, problems };
};

/**
 * Lambda's asynchronous-invocation failures (on-failure destinations and dead-letter queues) are
 * sent with the function's execution role: it needs `sqs:SendMessage` on the queue, and the
 * queue's key (`kms:GenerateDataKey`, `kms:Decrypt`) when it has a customer-managed one.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
const asyncFailurePaths = (model: TemplateModel): { queues: number; problems: string[] } => {
  const destinations = asyncFailureDestinations(model);
  const problems: string[] = [];
  for (const { functionId, roleId, needs } of destinations) {
    const identity = roleStatements(model, roleId);
    const roleArn = model.getAtt(roleId, 'Arn');
    for (const { action, resource } of needs) {
      const decision = authorizeRole({
        identity,
        resourcePolicy: resourcePolicyOf(model, resource),
        roleArn,
        action,
        resource,
      });
      if (decision !== 'allow')
        problems.push(
          `${functionId} async failures → ${needs[0]?.resource}: role lacks ${action} on ${resource} (${decision})`,
        );
    }
  }
  return { queues: destinations.length, problems };
};

/**
 * Each function's asynchronous-failure queues (on-failure destinations, dead-letter queues)
 * and what sending to one asks of its role: `sqs:SendMessage`, and `kms:GenerateDataKey` +
 * `kms:Decrypt` on a customer-managed queue key.
 */
const asyncFailureDestinations = (
  model: TemplateModel,
): { functionId: string; roleId: string; needs: { action: string; resource: string }[] }[] => {
  const destinations: [string, string][] = [];
  for (const [, c] of model.ofType('AWS::Lambda::EventInvokeConfig')) {
    const p = model.resolve(c.Properties) as CfnJson;
    const onFailure = p.DestinationConfig?.OnFailure?.Destination as string | undefined;
    if (onFailure) destinations.push([String(p.FunctionName), onFailure]);
  }
  for (const [id, f] of model.ofType('AWS::Lambda::Function')) {
    const target = f.Properties.DeadLetterConfig?.TargetArn;
    if (target) destinations.push([model.name(id), String(model.resolve(target))]);
  }
  return destinations.map(([fnName, queueArn]) => {
    const found = model.ofType('AWS::Lambda::Function').find(([id]) => model.name(id) === fnName);
    if (!found) throw new Error(`async failures of ${fnName}: no such function in the stack`);
    const [functionId, fn] = found;
    const key = queueKeyOf(model, queueArn);
    return {
      functionId,
      roleId: fn.Properties.Role['Fn::GetAtt'][0] as string,
      needs: [
        { action: 'sqs:SendMessage', resource: queueArn },
        ...(key
          ? [
              { action: 'kms:GenerateDataKey', resource: key },
              { action: 'kms:Decrypt', resource: key },
            ]
          : []),
      ],
    };
  });
};

/** `/a/{b}/{proxy+}` of an API Gateway resource, from its parents' path parts. */
const resourcePath = (model: TemplateModel, resourceId: string): string => {
  const parts: string[] = [];
  let current: CfnJson | undefined = { Ref: resourceId };
  while (current?.Ref && model.resources[current.Ref]?.Type === 'AWS::ApiGateway::Resource') {
    const r = model.resources[current.Ref]?.Properties as CfnJson;
    parts.unshift(String(r.PathPart));
    current = r.ParentId;
  }
  return `/${parts.join('/')}`;
};

/**
 * API Gateway: every Lambda-proxy method and every Lambda authorizer has a permission for
 * `apigateway.amazonaws.com` matching the ARN of a real request to it (path parameters filled in).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
 */
const apiGatewayPaths = (model: TemplateModel): { methods: number; problems: string[] } => {
  const problems: string[] = [];
  const stages = model
    .ofType('AWS::ApiGateway::Stage')
    .map(([, s]) => model.resolve(s.Properties) as CfnJson);
  const invoked = (uri: unknown): string | undefined =>
    /functions\/(arn:aws:lambda:[^/]+)\/invocations$/.exec(String(model.resolve(uri)))?.[1];
  let methods = 0;
  for (const [id, m] of model.ofType('AWS::ApiGateway::Method')) {
    const fnArn = invoked(m.Properties.Integration?.Uri);
    if (m.Properties.Integration?.Type !== 'AWS_PROXY' || !fnArn) continue;
    methods++;
    const apiId = String(model.resolve(m.Properties.RestApiId));
    const path = resourcePath(model, m.Properties.ResourceId.Ref)
      .replace(/\{[^}]+\+\}/g, 'job/batch')
      .replace(/\{[^}]+\}/g, 'x');
    const verb = m.Properties.HttpMethod === 'ANY' ? 'GET' : String(m.Properties.HttpMethod);
    for (const stage of stages.filter((s) => s.RestApiId === apiId)) {
      const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${stage.StageName}/${verb}${path}`;
      problems.push(
        ...serviceMay(
          model,
          `method ${id} (${verb} ${path})`,
          'apigateway.amazonaws.com',
          'lambda:InvokeFunction',
          fnArn,
          { 'aws:SourceArn': sourceArn },
          lambdaPolicyOf(model, fnArn),
        ),
      );
    }
  }
  for (const [id, a] of model.ofType('AWS::ApiGateway::Authorizer')) {
    const fnArn = invoked(a.Properties.AuthorizerUri);
    if (!fnArn) continue;
    const apiId = String(model.resolve(a.Properties.RestApiId));
    const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/authorizers/${model.ref(id)}`;
    problems.push(
      ...serviceMay(
        model,
        `authorizer ${id}`,
        'apigateway.amazonaws.com',
        'lambda:InvokeFunction',
        fnArn,
        { 'aws:SourceArn': sourceArn },
        lambdaPolicyOf(model, fnArn),
      ),
    );
  }
  return { methods, problems };
};

/**
 * CloudWatch Logs encrypts a log group with its customer-managed key on its own behalf: the key
 * policy must let `logs.<region>.amazonaws.com` use it for that log group (encryption context
 * `kms:EncryptionContext:aws:logs:arn` = the group's ARN).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
const logGroupKeyPaths = (model: TemplateModel): { groups: number; problems: string[] } => {
  let groups = 0;
  const problems: string[] = [];
  for (const [id] of model.ofType('AWS::Logs::LogGroup')) {
    const key = encryptionKeyOf(model, 'AWS::Logs::LogGroup', (g) => g === id);
    if (!key) continue;
    groups++;
    const groupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${model.name(id)}`;
    problems.push(
      ...serviceMayUseKey(
        model,
        `log group ${model.name(id)}`,
        `logs.${REGION}.amazonaws.com`,
        key,
        ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        {
          'kms:EncryptionContext:aws:logs:arn': groupArn,
        },
      ),
    );
  }
  return { groups, problems };
};

/**
 * What Lambda itself does with each execution role: write the function's logs to its log group
 * (`logs:CreateLogStream`, `logs:PutLogEvents`; `/aws/lambda/<name>` without a logging config)
 * and, with active tracing, send X-Ray segments (`xray:PutTraceSegments`,
 * `xray:PutTelemetryRecords`, resource `*`).
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
 */
const runtimePaths = (model: TemplateModel): { functions: number; problems: string[] } => {
  const problems: string[] = [];
  const functions = model.ofType('AWS::Lambda::Function');
  for (const [id, f] of functions) {
    const roleId = f.Properties.Role['Fn::GetAtt'][0] as string;
    const identity = roleStatements(model, roleId);
    const roleArn = model.getAtt(roleId, 'Arn');
    const group = f.Properties.LoggingConfig?.LogGroup
      ? String(model.resolve(f.Properties.LoggingConfig.LogGroup))
      : `/aws/lambda/${model.name(id)}`;
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:2026/12/06/[$LATEST]0123`;
    const asks: [string, string][] = [
      ['logs:CreateLogStream', stream],
      ['logs:PutLogEvents', stream],
      ...(f.Properties.TracingConfig?.Mode === 'Active'
        ? ([
            ['xray:PutTraceSegments', '*'],
            ['xray:PutTelemetryRecords', '*'],
          ] as [string, string][])
        : []),
    ];
    for (const [action, resource] of asks) {
      const decision = authorizeRole({ identity, roleArn, action, resource });
      if (decision !== 'allow')
        problems.push(`${id} runtime: role lacks ${action} on ${resource} (${decision})`);
    }
  }
  return { functions: functions.length, problems };
};

export {
  alarmPaths,
  apiGatewayPaths,
  asyncFailureDestinations,
  asyncFailurePaths,
  eventRulePaths,
  lambdaPolicyOf,
  logGroupKeyPaths,
  runtimePaths,
  subscriptionPaths,
};
