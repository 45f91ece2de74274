import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnQueryDefinition, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { defaultLogGroupName, logGroupName } from '../../lambdas/domain/logs/log-groups';
import type { LogsConfig } from '../../lambdas/domain/logs/logs-config';
import { ENV } from '../../lambdas/shared/env';
import { Access, type Storage } from './storage';
import { toRetentionDays, VigilFunction, type VigilFunctionProps } from './vigil-function';

export interface LogIngestionProps {
  /** Project name: groups are `/vigil/<project>/<service>`. */
  readonly project: string;
  /** `logs:` of vigil.config.yaml. */
  readonly logs: LogsConfig;
  readonly storage: Storage;
  /** Customer-managed key encrypting every log group. */
  readonly encryptionKey: IKey;
  /** Props shared by every Vigil function (runtime config, code seam, log retention). */
  readonly functionProps: Partial<VigilFunctionProps>;
  /** @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** What the log functions read at run time from `ENV.LOGS_CONFIG`. */
export interface LogsRuntimeConfig {
  readonly project: string;
  readonly logs: LogsConfig;
}

/**
 * Lambda: "The total size of all environment variables doesn't exceed 4 KB". The config JSON may
 * use this much; the rest is left for the table and database names the `bindX()` helpers add.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
const MAX_CONFIG_ENV_BYTES = 3500;

/** A Logs Insights string literal. */
const q = (s: string): string => JSON.stringify(s);
/** A Logs Insights field name, backquoted when it has characters other than letters, digits, `_`, `.`. */
const field = (name: string): string =>
  /^[A-Za-z_@][A-Za-z0-9_.]*$/.test(name) ? name : `\`${name.replaceAll('`', '``')}\``;

/**
 * The query definitions shipped with the stack (CloudWatch console → Logs Insights → Saved
 * queries). Insights discovers the JSON keys of each event, so `level`, `service`,
 * `correlation_id` and nested `context.*` fields are queryable as they were sent.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
const insightsQueries = (logs: LogsConfig): Record<string, { name: string; query: string }> => ({
  ErrorsByService: {
    name: 'errors by service',
    query: [
      'fields @timestamp, service, level, message, correlation_id',
      '| filter toupper(level) in ["ERROR", "CRITICAL", "FATAL"]',
      '| stats count(*) as errors by service, bin(5m)',
      '| sort errors desc',
    ].join('\n'),
  },
  CorrelationId: {
    name: 'everything for one correlation id',
    query: [
      'fields @timestamp, service, level, message, @logStream',
      '# Replace <correlation-id> with the id you are looking for.',
      `| filter correlation_id = ${q('<correlation-id>')} or request_id = ${q('<correlation-id>')} or trace_id = ${q('<correlation-id>')}`,
      '| sort @timestamp asc',
      '| limit 1000',
    ].join('\n'),
  },
  SlowestPredictions: {
    name: 'slowest predictions',
    query: [
      'fields @timestamp, service, coalesce(model, context.model) as model_name, coalesce(model_version, context.model_version) as version,',
      '  coalesce(context.inference_time_ms, inference_time_ms, latency_ms) as latency_ms, correlation_id',
      `| filter ${field(logs.prediction.field)} = ${q(logs.prediction.value)} and ispresent(latency_ms)`,
      '| sort latency_ms desc',
      '| limit 50',
    ].join('\n'),
  },
});

/**
 * Structured logs: a KMS-encrypted log group per configured service plus the default group, the
 * Logs Insights query definitions, and the two ingest functions (`POST /ingest/logs`,
 * `POST /loki/api/v1/push`) with write access to exactly those groups, the Timestream `events`
 * table (write), the `samples` table and the series index (for `vigil_log_events_total`).
 */
class LogIngestion extends Construct {
  /** Service → its log group; `default` is the group of every other service. */
  readonly logGroups: Readonly<Record<string, LogGroup>>;
  readonly ingestLogsFunction: VigilFunction;
  readonly ingestLokiFunction: VigilFunction;
  readonly ingestOtlpLogsFunction: VigilFunction;
  readonly queryDefinitions: readonly CfnQueryDefinition[];

  constructor(scope: Construct, id: string, props: LogIngestionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const retention = toRetentionDays(props.logs.retentionDays);
    const groups: Record<string, LogGroup> = {};
    const group = (key: string, name: string, construct: string) => {
      groups[key] = new LogGroup(this, construct, {
        logGroupName: name,
        retention,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
    };
    props.logs.services.forEach((service, i) => {
      group(service, logGroupName(props.project, service), `ServiceLogGroup${i}`);
    });
    group('default', defaultLogGroupName(props.project), 'DefaultLogGroup');
    this.logGroups = groups;
    const groupNames = Object.values(groups).map((g) => g.logGroupName);

    this.queryDefinitions = Object.entries(insightsQueries(props.logs)).map(
      ([key, { name, query }]) =>
        new CfnQueryDefinition(this, `Query${key}`, {
          name: `vigil/${props.project}/${name}`,
          queryString: query,
          logGroupNames: groupNames,
        }),
    );

    const runtime: LogsRuntimeConfig = { project: props.project, logs: props.logs };
    const environment = {
      ...props.functionProps.environment,
      [ENV.LOGS_CONFIG]: JSON.stringify(runtime),
    };
    const envBytes = Object.entries(environment).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    if (envBytes > MAX_CONFIG_ENV_BYTES)
      throw new Error(
        `logs: the config handed to the log functions is ${envBytes} bytes of environment, more than ${MAX_CONFIG_ENV_BYTES} (Lambda allows 4 KB in all, table names included): declare fewer logs.measures or shorter field paths`,
      );
    const fn = (fnId: string, handlerName: string, description: string) => {
      const f = new VigilFunction(this, fnId, {
        ...props.functionProps,
        handlerName,
        description,
        environment,
      });
      // CreateLogStream + PutLogEvents on each group's ARN, nothing else: CloudWatch Logs uses
      // the groups' KMS key on its own behalf, so the function needs no KMS permission.
      for (const g of Object.values(groups)) g.grantWrite(f);
      props.storage.bindEvents(f, { access: Access.WriteOnly });
      props.storage.bindSamples(f, { access: Access.WriteOnly });
      // Cardinality guard of the counter series, and the DynamoDB counters (same table).
      props.storage.bindSeriesIndexTable(f);
      return f;
    };
    this.ingestLogsFunction = fn(
      'IngestLogs',
      'ingest-logs',
      'Vigil: POST /ingest/logs (structured log events)',
    );
    this.ingestLokiFunction = fn(
      'IngestLoki',
      'ingest-loki',
      'Vigil: POST /loki/api/v1/push (Promtail, Grafana Agent)',
    );
    this.ingestOtlpLogsFunction = fn(
      'IngestOtlpLogs',
      'ingest-otlp-logs',
      'Vigil: OTLP/HTTP logs POST /v1/logs',
    );
  }
}

export { insightsQueries, LogIngestion };
