import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  type IApiKey,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  Period,
  RequestAuthorizer,
  type RequestValidator,
  type Resource,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiClientConfig } from '../../lambdas/domain/config/types';
import { toRetentionDays, type VigilFunctionProps, VigilFunction } from './vigil-function';

/**
 * Request content types API Gateway hands to Lambda base64-encoded, byte for byte.
 * `*` + `/*` makes every body binary: remote_write's snappy-compressed protobuf
 * (`application/x-protobuf`, Prometheus remote-write spec 1.0), gzip-encoded JSON or exposition
 * text, and non-UTF-8 bytes all arrive unaltered, and size limits are measured on the real
 * bytes. The handlers decode `isBase64Encoded` bodies either way. The named protobuf types are
 * listed too, so dropping the wildcard later can never break remote_write silently.
 * Cost: base64 grows the Lambda event by 4/3, so Lambda's 6 MB invoke payload caps a body at
 * about 4.5 MB.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
 */
export const BINARY_MEDIA_TYPES = [
  'application/x-protobuf',
  'application/vnd.google.protobuf',
  'application/octet-stream',
  '*/*',
] as const;

/** The Lambda functions behind each group of routes. */
export interface IngestApiIntegrations {
  /** `POST /ingest/metrics` (JSON samples). */
  readonly ingestMetrics: IFunction;
  /** `PUT|POST|DELETE /metrics/{proxy+}` (Pushgateway API). */
  readonly ingestPushgateway: IFunction;
  /** `POST /api/v1/write` (remote_write 1.0). */
  readonly ingestRemoteWrite: IFunction;
  /** `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/{name}/values`, `/federate`. */
  readonly readSeries: IFunction;
  /**
   * The Prometheus query API: `/api/v1/query`, `/api/v1/query_range`, `/api/v1/query_exemplars`,
   * `/api/v1/metadata`, `/api/v1/status/buildinfo`.
   */
  readonly query: IFunction;
  /**
   * Alerts and silences: `GET /api/v1/alerts`, `GET /api/v1/rules` (Prometheus HTTP API) and
   * `GET|POST /api/v2/silences`, `GET|DELETE /api/v2/silence/{id}` (Alertmanager API v2).
   */
  readonly alerts: IFunction;
  /** `GET /health`, the only route without an API key. */
  readonly health: IFunction;
  /** `POST /ingest/logs` (structured log events). @default - no route */
  readonly ingestLogs?: IFunction;
  /** `POST /loki/api/v1/push` (Loki push API). @default - no route */
  readonly ingestLoki?: IFunction;
  /** `POST /v1/metrics` (OTLP/HTTP metrics). @default - no route */
  readonly ingestOtlpMetrics?: IFunction;
  /** `POST /v1/logs` (OTLP/HTTP logs). @default - no route */
  readonly ingestOtlpLogs?: IFunction;
  /**
   * Drift reports: `GET /api/drift/reports`, `GET /api/drift/reports/{id}`,
   * `POST /api/drift/monitors/{name}/run`. @default - no route (no drift monitors)
   */
  readonly driftReports?: IFunction;
}

export interface IngestApiProps {
  /** Prefix of the API's, keys' and usage plans' names. */
  readonly project: string;
  /** One API key and usage plan per client. */
  readonly clients: readonly ApiClientConfig[];
  readonly integrations: IngestApiIntegrations;
  /** Key encrypting the access-log group; the key policy must let CloudWatch Logs use it. */
  readonly encryptionKey: IKey;
  /** Retention of the access-log group, days. @default 30 */
  readonly logRetentionDays?: number;
  /** What happens to the access-log group on stack deletion. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Stage name, the first path segment of every URL. @default 'prod' */
  readonly stageName?: string;
  /**
   * Create the account-wide role API Gateway needs to write execution logs
   * (`AWS::ApiGateway::Account`). Turn off when the account already has one.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /** Overrides for the authorizer function (the infra tests' code seam). @default - house defaults */
  readonly authorizerFunctionProps?: Partial<VigilFunctionProps>;
}

/** An API key and the client it belongs to. */
export interface ClientApiKey {
  readonly clientName: string;
  readonly apiKey: IApiKey;
}

/** Construct-id-safe form of a client name. */
const idOf = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '') || 'Client';

/**
 * The REST API every client talks to. Keys travel in `x-api-key`, `Authorization: Bearer` or the
 * basic-auth password; a REQUEST authorizer moves the key into `usageIdentifierKey`
 * (`apiKeySourceType: AUTHORIZER`), and API Gateway checks it against the per-client usage
 * plans, which throttle each client on its own.
 */
class IngestApi extends Construct {
  readonly api: RestApi;
  readonly authorizerFunction: VigilFunction;
  readonly accessLogGroup: LogGroup;
  readonly clientKeys: readonly ClientApiKey[];

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const logRetentionDays = props.logRetentionDays ?? 30;
    const cloudWatchRole = props.cloudWatchRole ?? true;

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: toRetentionDays(logRetentionDays),
      encryptionKey: props.encryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `${props.project}-api`,
      description: 'Vigil: Prometheus-compatible metric ingestion and series API',
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      cloudWatchRole,
      // The role is account-wide: other APIs' logging must survive this stack's deletion.
      cloudWatchRoleRemovalPolicy: cloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: props.stageName ?? 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            apiKeyId: '$context.identity.apiKeyId',
            keySource: '$context.authorizer.keySource',
            authorizerError: '$context.authorizer.error',
            integrationStatus: '$context.integration.status',
            integrationError: '$context.integrationErrorMessage',
            latencyMs: '$context.responseLatency',
          }),
        ),
      },
    });

    this.authorizerFunction = new VigilFunction(this, 'Authorizer', {
      handlerName: 'authorize',
      description: 'Vigil API-key authorizer: x-api-key, Bearer or basic-auth password',
      memorySize: 256,
      timeout: Duration.seconds(5),
      logRetentionDays,
      logEncryptionKey: props.encryptionKey,
      logRemovalPolicy: props.logRemovalPolicy,
      ...props.authorizerFunctionProps,
    });
    // No identity sources: the key may be in any of three headers, and API Gateway only caches
    // on identity sources it can require. Without them caching must be off (TTL 0).
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html
    const authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: this.authorizerFunction,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    // Bodies are validated by the handlers, which report line and series of every error
    // (design.md "Bad input"); API Gateway checks the declared parameters.
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const keyed: MethodOptions = {
      authorizer,
      authorizationType: AuthorizationType.CUSTOM,
      apiKeyRequired: true,
      requestValidator: validator,
    };
    this.addRoutes(props.integrations, keyed, validator);
    this.clientKeys = props.clients.map((client) => this.addClient(props.project, client));
    this.acknowledgeNagFindings();
  }

  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`. */
  get url(): string {
    return this.api.url;
  }

  private addRoutes(
    fns: IngestApiIntegrations,
    keyed: MethodOptions,
    validator: RequestValidator,
  ): void {
    const root = this.api.root;
    const integrate = (fn: IFunction) =>
      // One invoke permission per function for the whole API, instead of two per method, keeps
      // the functions' resource policies small.
      new LambdaIntegration(fn, { proxy: true, scopePermissionToMethod: false });
    const on = (resource: Resource, methods: readonly string[], fn: IFunction, opts = keyed) => {
      const integration = integrate(fn);
      for (const method of methods) resource.addMethod(method, integration, opts);
    };

    on(root.addResource('health'), ['GET'], fns.health, {
      authorizationType: AuthorizationType.NONE,
      apiKeyRequired: false,
      requestValidator: validator,
    });

    on(root.addResource('ingest').addResource('metrics'), ['POST'], fns.ingestMetrics);

    // `/metrics/{proxy+}` rather than `/metrics/job/{proxy+}`: clients send
    // `/metrics/job@base64/<job>` when the job name holds a `/` (prometheus_client
    // `_escape_grouping_key`), and API Gateway path parts cannot contain `@`.
    on(
      root.addResource('metrics').addResource('{proxy+}'),
      ['PUT', 'POST', 'DELETE'],
      fns.ingestPushgateway,
    );

    const apiRoot = root.addResource('api');
    const v1 = apiRoot.addResource('v1');
    on(v1.addResource('write'), ['POST'], fns.ingestRemoteWrite);
    // Prometheus' HTTP API accepts POST with a form body for series and labels, for long selectors.
    // https://prometheus.io/docs/prometheus/latest/querying/api/#finding-series-by-label-matchers
    on(v1.addResource('series'), ['GET', 'POST'], fns.readSeries);
    on(v1.addResource('labels'), ['GET', 'POST'], fns.readSeries);
    on(
      v1.addResource('label').addResource('{name}').addResource('values'),
      ['GET'],
      fns.readSeries,
      {
        ...keyed,
        requestParameters: { 'method.request.path.name': true },
      },
    );
    // Prometheus routes only GET /federate (web/web.go); the routes table says the same.
    // https://prometheus.io/docs/prometheus/latest/federation/
    on(root.addResource('federate'), ['GET'], fns.readSeries);

    // Grafana's Prometheus data source queries with POST and a form body by default.
    // https://prometheus.io/docs/prometheus/latest/querying/api/#expression-queries
    on(v1.addResource('query'), ['GET', 'POST'], fns.query);
    on(v1.addResource('query_range'), ['GET', 'POST'], fns.query);
    on(v1.addResource('query_exemplars'), ['GET', 'POST'], fns.query);
    on(v1.addResource('metadata'), ['GET'], fns.query);
    on(v1.addResource('status').addResource('buildinfo'), ['GET'], fns.query);

    // Prometheus' /api/v1/alerts and /api/v1/rules; Alertmanager's API v2 silences.
    // https://prometheus.io/docs/prometheus/latest/querying/api/#alerts
    // https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
    on(v1.addResource('alerts'), ['GET'], fns.alerts);
    on(v1.addResource('rules'), ['GET'], fns.alerts);
    const v2 = apiRoot.addResource('v2');
    on(v2.addResource('silences'), ['GET', 'POST'], fns.alerts);
    on(v2.addResource('silence').addResource('{id}'), ['GET', 'DELETE'], fns.alerts, {
      ...keyed,
      requestParameters: { 'method.request.path.id': true },
    });

    if (fns.driftReports) {
      const drift = apiRoot.addResource('drift');
      const reports = drift.addResource('reports');
      on(reports, ['GET'], fns.driftReports);
      on(reports.addResource('{id}'), ['GET'], fns.driftReports, {
        ...keyed,
        requestParameters: { 'method.request.path.id': true },
      });
      const run = drift.addResource('monitors').addResource('{name}').addResource('run');
      on(run, ['POST'], fns.driftReports, {
        ...keyed,
        requestParameters: { 'method.request.path.name': true },
      });
    }

    // Structured logs and Loki's push API (Promtail, Grafana Agent).
    // https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs
    const ingest = root.getResource('ingest');
    if (fns.ingestLogs && ingest) on(ingest.addResource('logs'), ['POST'], fns.ingestLogs);
    if (fns.ingestLoki) {
      const push = root.addResource('loki').addResource('api').addResource('v1');
      on(push.addResource('push'), ['POST'], fns.ingestLoki);
    }

    // OTLP/HTTP: protobuf bodies arrive base64-encoded (BINARY_MEDIA_TYPES), JSON ones too.
    // https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
    if (fns.ingestOtlpMetrics || fns.ingestOtlpLogs) {
      const otlp = root.addResource('v1');
      if (fns.ingestOtlpMetrics) on(otlp.addResource('metrics'), ['POST'], fns.ingestOtlpMetrics);
      if (fns.ingestOtlpLogs) on(otlp.addResource('logs'), ['POST'], fns.ingestOtlpLogs);
    }
  }

  private addClient(project: string, client: ApiClientConfig): ClientApiKey {
    const id = idOf(client.name);
    const apiKey = this.api.addApiKey(`ApiKey${id}`, {
      apiKeyName: `${project}-${client.name}`,
      description: `Vigil API key of client ${client.name}`,
    });
    const plan = this.api.addUsagePlan(`UsagePlan${id}`, {
      name: `${project}-${client.name}`,
      description: `Throttling of Vigil client ${client.name}`,
      throttle: { rateLimit: client.rateLimit, burstLimit: client.burstLimit },
      quota:
        client.quotaPerDay === undefined
          ? undefined
          : { limit: client.quotaPerDay, period: Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(apiKey);
    return { clientName: client.name, apiKey };
  }

  private acknowledgeNagFindings(): void {
    const api = Validations.of(this.api);
    api.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL by default: every route but /health needs an API key checked by API Gateway, with per-key throttling and quotas; a WAF can be associated with the stage by the user.',
    });
    api.acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GET /health is deliberately unauthenticated (load balancers and uptime checks); it reads nothing and writes nothing. Every other method uses the API-key authorizer.',
    });
    api.acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Clients are Prometheus, Pushgateway clients and services that can send an API key (x-api-key, Bearer, basic auth) but not a Cognito token; a Lambda REQUEST authorizer with API keys and usage plans is used instead.',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-managed policy made for the account-wide API Gateway logging role; it grants only CloudWatch Logs writes.',
      });
    }
  }
}

export { IngestApi };
