import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { APIGatewayProxyEvent, Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../lambdas/shared/env';
import { buildRemoteWriteRequest } from '../../helpers/remote-write-client';
import { ACCOUNT, REGION } from './authorize';
import { recordingAmpFetch } from './amp-http';
import { FakeAws, type RecordedCall } from './fake-aws';
import type { TemplateModel } from './template-model';

const HANDLERS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lambdas/handlers');

/**
 * Every AWS SDK client package Vigil depends on (package.json): each client class they export is
 * mocked, so a function using a new client is recorded too (and fails the check until its
 * service prefix is mapped in required-actions.ts).
 */
const SDK_PACKAGES: readonly string[] = Object.keys(
  (
    JSON.parse(readFileSync(resolve(HANDLERS_DIR, '../../package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies,
).filter((name) => name.startsWith('@aws-sdk/client-'));

/** A Vigil function of the template: its handler file, role and resolved environment. */
export interface DeployedFunction {
  readonly logicalId: string;
  /** File name under `lambdas/handlers/`, from the role's description. */
  readonly handlerName: string;
  readonly roleId: string;
  readonly environment: Readonly<Record<string, string>>;
}

const ROLE_DESCRIPTION = /^Execution role of Vigil function (.+)$/;

/** Vigil's functions in a template (CDK's own provider functions are not among them). */
const deployedFunctions = (model: TemplateModel): DeployedFunction[] =>
  model.ofType('AWS::Lambda::Function').flatMap(([logicalId, f]) => {
    const roleId = f.Properties.Role?.['Fn::GetAtt']?.[0] as string | undefined;
    const role = roleId ? model.resources[roleId] : undefined;
    const handlerName = ROLE_DESCRIPTION.exec(String(role?.Properties?.Description ?? ''))?.[1];
    if (!roleId || !handlerName) return [];
    const environment = model.resolve(f.Properties.Environment?.Variables ?? {}) as Record<
      string,
      string
    >;
    return [{ logicalId, handlerName, roleId, environment }];
  });

/** One invocation of a handler. */
interface Step {
  // biome-ignore lint/suspicious/noExplicitAny: events of every trigger type
  readonly event: any;
  /** Run as if this much later than the previous step (ms). @default 0 */
  readonly laterMs?: number;
}

export interface ScenarioInputs {
  /** `SNSClient` Publish inputs recorded from the evaluator, delivered to the notifiers. */
  readonly published: readonly RecordedCall[];
}

const apiEvent = (
  method: string,
  path: string,
  options: {
    query?: Record<string, string>;
    body?: string | Uint8Array;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent => {
  const body =
    options.body === undefined
      ? null
      : Buffer.from(
          typeof options.body === 'string' ? Buffer.from(options.body) : options.body,
        ).toString('base64');
  const query = options.query ?? null;
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: { 'x-api-key': 'k', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: body !== null,
    requestContext: { requestId: 'req-iam' } as APIGatewayProxyEvent['requestContext'],
  };
};

const scheduled = (time: string) => ({
  id: `tick-${time}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT,
  time,
  region: REGION,
  resources: [],
  detail: {},
  version: '0',
});

const json = (v: unknown): string => JSON.stringify(v);

/**
 * The SNS event Lambda receives for a published message: with `MessageStructure: 'json'` a
 * Lambda subscription gets the message's `lambda` entry, else its `default`.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (`MessageStructure`)
 */
const snsEventOf = (publish: RecordedCall): SNSEvent => {
  const structured =
    publish.input.MessageStructure === 'json'
      ? (JSON.parse(publish.input.Message) as { lambda?: string; default: string })
      : undefined;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${publish.input.TopicArn}:sub`,
        Sns: {
          Type: 'Notification',
          MessageId: 'b5a0bd0c-1111-2222-3333-444455556666',
          TopicArn: publish.input.TopicArn,
          Subject: publish.input.Subject,
          Message: structured ? (structured.lambda ?? structured.default) : publish.input.Message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://sns.example/cert',
          UnsubscribeUrl: 'https://sns.example/unsub',
          MessageAttributes: Object.fromEntries(
            Object.entries(
              (publish.input.MessageAttributes ?? {}) as Record<
                string,
                { DataType: string; StringValue: string }
              >,
            ).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }]),
          ),
        },
      },
    ],
  };
};

/**
 * Representative events per handler: each exercises the paths that send AWS requests (writes,
 * `DESCRIBE` and `SELECT` reads, conditional puts, publishes, secret reads, log writes, S3,
 * Lambda invokes, CloudWatch reads).
 */
const scenarioOf = (handlerName: string, inputs: ScenarioInputs): readonly Step[] => {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const range = { start: String(sec - 3600), end: String(sec) };
  switch (handlerName) {
    case 'ingest-metrics':
      return [
        {
          event: apiEvent('POST', '/ingest/metrics', {
            headers: { 'content-type': 'application/json' },
            body: json([{ name: 'ml_model_accuracy', labels: { model: 'faces' }, value: 0.93 }]),
          }),
        },
      ];
    case 'ingest-pushgateway':
      return [
        {
          event: apiEvent('PUT', '/metrics/job/batch', {
            headers: { 'content-type': 'text/plain; version=0.0.4' },
            pathParameters: { proxy: 'job/batch' },
            body: '# TYPE batch_rows gauge\nbatch_rows 12\n',
          }),
        },
        {
          event: apiEvent('DELETE', '/metrics/job/batch', {
            pathParameters: { proxy: 'job/batch' },
          }),
        },
      ];
    case 'ingest-remote-write': {
      const { body, headers } = buildRemoteWriteRequest([
        { labels: { __name__: 'up', job: 'node' }, samples: [{ t: now, v: 1 }] },
      ]);
      return [{ event: apiEvent('POST', '/api/v1/write', { headers, body }) }];
    }
    case 'read-series':
      return [
        { event: apiEvent('GET', '/api/v1/series', { query: { 'match[]': 'up', ...range } }) },
        { event: apiEvent('GET', '/api/v1/labels', { query: range }) },
        {
          event: apiEvent('GET', '/api/v1/label/job/values', {
            query: range,
            pathParameters: { name: 'job' },
          }),
        },
        { event: apiEvent('GET', '/federate', { query: { 'match[]': 'up' } }) },
      ];
    case 'query':
      return [
        { event: apiEvent('GET', '/api/v1/query', { query: { query: 'up', time: range.end } }) },
        {
          event: apiEvent('GET', '/api/v1/query_range', {
            query: { query: 'rate(http_requests_total[5m])', ...range, step: '60' },
          }),
        },
      ];
    case 'health':
      return [{ event: apiEvent('GET', '/health') }];
    case 'authorize':
      return [
        {
          event: {
            type: 'REQUEST',
            methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123/prod/GET/api/v1/query`,
            headers: { 'x-api-key': 'k' },
          },
        },
      ];
    case 'alerts':
      return [
        { event: apiEvent('GET', '/api/v1/alerts') },
        { event: apiEvent('GET', '/api/v1/rules') },
        {
          event: apiEvent('POST', '/api/v2/silences', {
            headers: { 'content-type': 'application/json' },
            body: json({
              matchers: [
                { name: 'alertname', value: 'NightlyBatchLate', isRegex: false, isEqual: true },
              ],
              startsAt: new Date(now).toISOString(),
              endsAt: new Date(now + 3_600_000).toISOString(),
              createdBy: 'iam-check',
              comment: 'maintenance',
            }),
          }),
        },
      ];
    case 'ingest-logs':
      return [
        {
          event: apiEvent('POST', '/ingest/logs', {
            headers: { 'content-type': 'application/json' },
            body: json({
              timestamp: new Date(now).toISOString(),
              level: 'INFO',
              service: 'inference',
              event: 'prediction',
              model: 'faces',
              model_version: 'v3',
              message: 'predicted',
              context: { confidence: 0.91 },
            }),
          }),
        },
      ];
    case 'ingest-otlp-metrics':
      return [
        {
          event: apiEvent('POST', '/v1/metrics', {
            headers: { 'content-type': 'application/json' },
            body: json({
              resourceMetrics: [
                {
                  resource: {
                    attributes: [{ key: 'service.name', value: { stringValue: 'inference' } }],
                  },
                  scopeMetrics: [
                    {
                      metrics: [
                        {
                          name: 'predictions',
                          sum: {
                            isMonotonic: true,
                            aggregationTemporality: 2,
                            dataPoints: [{ asInt: '3', timeUnixNano: `${now}000000` }],
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            }),
          }),
        },
      ];
    case 'ingest-otlp-logs':
      return [
        {
          event: apiEvent('POST', '/v1/logs', {
            headers: { 'content-type': 'application/json' },
            body: json({
              resourceLogs: [
                {
                  resource: {
                    attributes: [{ key: 'service.name', value: { stringValue: 'inference' } }],
                  },
                  scopeLogs: [
                    {
                      logRecords: [
                        {
                          timeUnixNano: `${now}000000`,
                          severityNumber: 9,
                          body: { stringValue: 'predicted' },
                          attributes: [
                            { key: 'event', value: { stringValue: 'prediction' } },
                            { key: 'model', value: { stringValue: 'faces' } },
                          ],
                        },
                      ],
                    },
                  ],
                },
              ],
            }),
          }),
        },
      ];
    case 'ingest-loki':
      return [
        {
          event: apiEvent('POST', '/loki/api/v1/push', {
            headers: { 'content-type': 'application/json' },
            body: json({
              streams: [
                {
                  stream: { service: 'api', level: 'info' },
                  values: [[`${now}000000`, '{"message":"served","status":200}']],
                },
              ],
            }),
          }),
        },
      ];
    case 'evaluate-rules':
      return [
        { event: scheduled(new Date(now).toISOString()) },
        { event: scheduled(new Date(now + 60_000).toISOString()), laterMs: 60_000 },
      ];
    case 'scrape-targets':
    case 'import-gpu-metrics':
    case 'rescrape-pushed-groups':
      return [{ event: scheduled(new Date(now).toISOString()) }];
    case 'run-drift-monitors':
      return [{ event: { everyMs: 3_600_000, time: new Date(now).toISOString() } }];
    case 'drift-reports':
      return [
        { event: apiEvent('GET', '/api/drift/reports') },
        {
          event: apiEvent('GET', '/api/drift/reports/faces.20261206T100000.000Z', {
            pathParameters: { id: 'faces.20261206T100000.000Z' },
          }),
        },
        {
          event: apiEvent('POST', '/api/drift/monitors/faces/run', {
            pathParameters: { name: 'faces' },
          }),
        },
      ];
    case 'notify-slack':
    case 'notify-pagerduty': {
      const [first] = inputs.published;
      // Without a published message there is nothing to deliver; the test says so.
      return first ? [{ event: snsEventOf(first) }] : [];
    }
    default:
      throw new Error(`no scenario for handler ${handlerName}: add one to record its calls`);
  }
};

const fakeContext = (fn: DeployedFunction): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: fn.logicalId,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.logicalId}`,
  memoryLimitInMB: '512',
  awsRequestId: 'req-iam',
  logGroupName: `/aws/lambda/${fn.logicalId}`,
  logStreamName: 'iam',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** What one function did. */
export interface FunctionRecording {
  readonly fn: DeployedFunction;
  readonly calls: readonly RecordedCall[];
  /** Each step's result (API responses carry `statusCode`) or its error. */
  readonly outcomes: readonly ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
}

/**
 * How a fresh instance of a handler module is loaded: handlers build their clients at module
 * scope from `process.env`, so each function needs its own. `isolate` runs the body in a fresh
 * module registry (Jest: `jest.isolateModulesAsync`); `importFresh` imports a module there.
 */
export interface ModuleLoader {
  isolate<T>(body: () => Promise<T>): Promise<T>;
  importFresh(path: string, key: string): Promise<Record<string, unknown>>;
}

export interface RecordOptions {
  readonly loader: ModuleLoader;
  /** Handler name → files its bundle carries (name → local path). */
  readonly bundleFiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Secret id → value, for GetSecretValue. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** Env names whose values are paths of files inside the function's bundle. */
const BUNDLE_PATH_ENVS: readonly string[] = [
  ENV.RULES_DOCUMENT,
  ENV.DRIFT_DOCUMENT,
  ENV.SCRAPE_JOBS,
];

const runOne = async (
  fn: DeployedFunction,
  steps: readonly Step[],
  options: RecordOptions,
  fake: FakeAws,
): Promise<FunctionRecording> =>
  options.loader.isolate(async () => {
    const calls: RecordedCall[] = [];
    const stubs: { restore(): void }[] = [];
    for (const pkg of SDK_PACKAGES) {
      const mod = (await options.loader.importFresh(pkg, fn.logicalId)) as Record<string, never>;
      const classes = Object.keys(mod).filter(
        (name) =>
          name.endsWith('Client') &&
          typeof (mod[name] as { prototype?: { send?: unknown } }).prototype?.send === 'function',
      );
      for (const name of classes) {
        const stub = mockClient(mod[name]);
        stub.send.callsFake(async (command) => {
          const call: RecordedCall = {
            client: name,
            command: command.constructor.name,
            input: command.input as RecordedCall['input'],
          };
          calls.push(call);
          return fake.respond(call.command, call.input) as never;
        });
        stubs.push(stub);
      }
    }

    // The function's environment, as Lambda sets it; bundle files at their bundle names.
    const saved = { ...process.env };
    const bundleDir = mkdtempSync(join(tmpdir(), `vigil-iam-${fn.handlerName}-`));
    for (const [name, source] of Object.entries(options.bundleFiles[fn.handlerName] ?? {}))
      copyFileSync(source, join(bundleDir, name));
    for (const k of Object.keys(process.env)) if (k.startsWith('VIGIL_')) delete process.env[k];
    Object.assign(process.env, fn.environment, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'AKIAIAMCHECK',
      AWS_SECRET_ACCESS_KEY: 'iam-check',
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    });
    for (const k of BUNDLE_PATH_ENVS) {
      const v = fn.environment[k];
      if (v !== undefined) process.env[k] = join(bundleDir, v);
    }

    // Signed HTTP calls to an AMP workspace are recorded as the IAM actions they need.
    const realFetch = globalThis.fetch;
    globalThis.fetch = recordingAmpFetch(calls, realFetch);
    const realNow = Date.now;
    let offset = 0;
    Date.now = () => realNow() + offset;
    const write = process.stdout.write;
    const outcomes: FunctionRecording['outcomes'][number][] = [];
    try {
      const mod = await options.loader.importFresh(
        join(HANDLERS_DIR, `${fn.handlerName}.ts`),
        fn.logicalId,
      );
      const handler = mod.handler as (event: unknown, context: Context) => Promise<unknown>;
      // Powertools logs and EMF lines go to stdout; they are not what this records.
      process.stdout.write = (() => true) as typeof process.stdout.write;
      for (const step of steps) {
        offset += step.laterMs ?? 0;
        try {
          outcomes.push({ ok: true, value: await handler(step.event, fakeContext(fn)) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    } finally {
      rmSync(bundleDir, { recursive: true, force: true });
      process.stdout.write = write;
      globalThis.fetch = realFetch;
      Date.now = realNow;
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      for (const s of stubs) s.restore();
    }
    return { fn, calls, outcomes };
  });

/**
 * Runs every function's handler on its scenario with every SDK client mocked, and records the
 * commands each sent. The evaluator runs before the notifiers, which receive what it published.
 */
const recordAll = async (
  functions: readonly DeployedFunction[],
  options: RecordOptions,
): Promise<FunctionRecording[]> => {
  const fake = new FakeAws(options.secrets);
  const order = (f: DeployedFunction) => (f.handlerName.startsWith('notify-') ? 1 : 0);
  const recordings: FunctionRecording[] = [];
  for (const fn of [...functions].sort((a, b) => order(a) - order(b))) {
    const published = recordings
      .filter((r) => r.fn.handlerName === 'evaluate-rules')
      .flatMap((r) => r.calls.filter((c) => c.command === 'PublishCommand'));
    recordings.push(await runOne(fn, scenarioOf(fn.handlerName, { published }), options, fake));
  }
  return recordings;
};

export { deployedFunctions, recordAll };
