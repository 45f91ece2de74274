import { dirname } from 'node:path';
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RuntimeConfig, StoreKind, VigilConfig } from '../lambdas/domain/config/types';
import { configPath } from '../lambdas/shared/config-file';
import { ENV } from '../lambdas/shared/env';
import { QUERY_FUNCTION_MEMORY_MB } from '../lambdas/api/query-limits';
import { VIGIL_VERSION } from '../lambdas/shared/version';
import { withDashboardRules } from '../lambdas/domain/dashboards/dashboard-series';
import {
  severityRoutingOf,
  withDashboardMirrorRules,
} from '../lambdas/domain/dashboards/mirror-rules';
import { loadRulesDocument } from '../lambdas/shared/rules-loader';
import { AlertTopics } from './constructs/alert-topics';
import { Dashboards, withDefaultDashboardUrl } from './constructs/dashboards';
import { SelfMonitoring } from './constructs/self-monitoring';
import { GpuMonitoring } from './constructs/gpu-monitoring';
import { IngestApi } from './constructs/ingest-api';
import { defaultLogGroupName, logGroupName } from '../lambdas/domain/logs/log-groups';
import { LogIngestion } from './constructs/log-ingestion';
import { NotificationChannels } from './constructs/notification-channels';
import { RuleEvaluator, rulesBundleProps } from './constructs/rule-evaluator';
import { ScrapeTargets } from './constructs/scrape-targets';
import { DriftMonitors } from './constructs/drift-monitors';
import { PushRescrape } from './constructs/push-rescrape';
import { Access, Storage } from './constructs/storage';
import { VigilFunction, type VigilFunctionProps } from './constructs/vigil-function';
import { DEFAULT_OTLP_CONFIG } from '../lambdas/domain/otlp/otlp-settings';

export interface VigilProps {
  /** The validated `vigil.config.yaml` (see `loadConfigFile`). */
  readonly config: VigilConfig;
  /**
   * Customer-managed key for the Timestream database, the DynamoDB table and every log group.
   * @default - a new key with yearly rotation
   */
  readonly encryptionKey?: IKey;
  /**
   * What CloudFormation does with Vigil's stateful resources when they leave the stack (stack
   * deletion, or an update that removes them): the KMS keys, the Timestream database and tables,
   * the DynamoDB tables, the S3 buckets, every log group, the Slack/PagerDuty secrets and the
   * dead-letter queues. Stateless resources (functions, roles, API, alarms, dashboards...) are
   * always deleted.
   *
   * The default keeps them on deletion and on updates, except when the stack operation that
   * created them rolls back (CloudFormation's `DeletionPolicy: RetainExceptOnCreate`): a failed
   * first deploy leaves nothing behind, so `cdk deploy` can simply run again, while
   * `cdk destroy` keeps the data (docs/deploying.md lists what it keeps and how to remove it).
   * `RemovalPolicy.DESTROY` deletes everything with the stack (buckets are emptied first);
   * `RemovalPolicy.RETAIN` also keeps what a failed first deploy created — the named ones
   * (log groups `/vigil/<project>/…`, the Timestream database) then make the retry fail with
   * "already exists".
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create the account-wide API Gateway logging role; turn off if the account already has one.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Prebuilt code for every function instead of esbuild bundles. A test seam for fast synthesis
   * only; a deployment always bundles.
   * @default - each handler is bundled by a local esbuild
   */
  readonly functionCode?: Code;
  /**
   * Directory the config's `rules:` paths and globs are relative to: the directory of the loaded
   * `vigil.config.yaml`.
   * @default - the directory of the file `loadConfigFile()` reads (`$VIGIL_CONFIG`, else
   * `./vigil.config.yaml`, i.e. the current directory)
   */
  readonly configDir?: string;
}

/** Tag naming the project (`project:` of the config) on every taggable resource. */
const PROJECT_TAG = 'project';
/** Tag naming the Vigil release that deployed the resource. */
const VERSION_TAG = 'vigil:version';

/**
 * The part of the config the functions need at run time, passed as `VIGIL_RUNTIME_CONFIG`.
 *
 * @param config - the whole config
 */
const toRuntimeConfig = (config: VigilConfig): RuntimeConfig => ({
  limits: config.limits,
  writeRelabelConfigs: config.writeRelabelConfigs ?? [],
  otlp: config.otlp ?? DEFAULT_OTLP_CONFIG,
  // Every metric a dashboard charts is mirrored (dashboards/mirror-rules.ts).
  cloudwatch: withDashboardMirrorRules(config.cloudwatch, config.dashboards, config.channels),
  pushgateway: config.pushgateway,
  maxSampleAgeMs: config.maxSampleAgeMs,
});

/**
 * Vigil: serverless Prometheus-compatible monitoring. Usable on its own through `VigilStack`, or
 * inside any CDK app: `new Vigil(this, 'Monitoring', { config })`.
 */
class Vigil extends Construct {
  readonly storage: Storage;
  readonly ingestApi: IngestApi;
  readonly encryptionKey: IKey;
  /** One SNS topic per alert severity (always created; see `AlertTopics`). */
  readonly alertTopics: AlertTopics;
  /** The scheduled rule evaluator, when `rules:` lists at least one file. */
  readonly ruleEvaluator?: RuleEvaluator;
  /** The scheduled scrape of `scrape_configs` targets, when it lists at least one job. */
  readonly scrapeTargets?: ScrapeTargets;
  /** The Pushgateway re-emission schedule, when `store: amp` (AMP cannot add pushes on read). */
  readonly pushRescrape?: PushRescrape;
  /** Scheduled drift monitors and their reports API, when `drift.monitors` lists any. */
  readonly driftMonitors?: DriftMonitors;
  /** Email subscriptions, Slack and PagerDuty notifiers of the alert topics (`channels:`). */
  readonly notificationChannels: NotificationChannels;
  /** CloudWatch agent config, associations, GPU alarms and import, when `gpu.enabled`. */
  readonly gpuMonitoring?: GpuMonitoring;
  /** Structured logs: log groups per service, Logs Insights queries, the log ingest functions. */
  readonly logIngestion: LogIngestion;
  /** Every function Vigil runs, by role, for monitoring. */
  readonly functions: Readonly<Record<string, VigilFunction>>;
  /** Alarms on Vigil itself (functions, API, DLQs, evaluation, Timestream, scrapes). */
  readonly selfMonitoring: SelfMonitoring;
  /** The CloudWatch dashboards (`dashboards:`) and "Vigil health". */
  readonly dashboards: Dashboards;

  constructor(scope: Construct, id: string, props: VigilProps) {
    super(scope, id);
    const { config } = props;
    // Cost allocation: every taggable resource names its project and the Vigil release.
    // https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html
    // CDK's L1 tags State Manager associations, but cfn-lint's CloudFormation schema (and so,
    // possibly, CloudFormation) refuses `Tags` on AWS::SSM::Association: left untagged.
    const tagOptions = { excludeResourceTypes: ['AWS::SSM::Association'] };
    Tags.of(this).add(PROJECT_TAG, config.project, tagOptions);
    Tags.of(this).add(VERSION_TAG, VIGIL_VERSION, tagOptions);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    this.encryptionKey =
      props.encryptionKey ?? this.createKey(config.project, config.store, removalPolicy);
    this.storage = new Storage(this, 'Storage', {
      store: config.store,
      project: config.project,
      timestream: config.timestream,
      amp: config.amp,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });

    const shared: Partial<VigilFunctionProps> = {
      logRetentionDays: config.logRetentionDays,
      logEncryptionKey: this.encryptionKey,
      logRemovalPolicy: removalPolicy,
      reserveConcurrency: config.reservedConcurrency,
      code: props.functionCode,
      environment: {
        [ENV.RUNTIME_CONFIG]: JSON.stringify(toRuntimeConfig(config)),
        // Powertools Logger reads its level from here (`logLevel:` in the config).
        POWERTOOLS_LOG_LEVEL: config.logLevel,
      },
    };
    const fn = (fnId: string, handlerName: string, description: string) =>
      new VigilFunction(this, fnId, { ...shared, handlerName, description });

    const ingestMetrics = fn('IngestMetrics', 'ingest-metrics', 'Vigil: POST /ingest/metrics');
    const ingestPushgateway = fn(
      'IngestPushgateway',
      'ingest-pushgateway',
      'Vigil: Pushgateway API /metrics/job/...',
    );
    const ingestRemoteWrite = fn(
      'IngestRemoteWrite',
      'ingest-remote-write',
      'Vigil: Prometheus remote_write 1.0 POST /api/v1/write',
    );
    const ingestOtlpMetrics = fn(
      'IngestOtlpMetrics',
      'ingest-otlp-metrics',
      'Vigil: OTLP/HTTP metrics POST /v1/metrics',
    );
    const readSeries = fn(
      'ReadSeries',
      'read-series',
      'Vigil: series, labels, label values, federate',
    );
    // PromQL evaluation holds the selected samples in memory; more memory also means more CPU.
    // The query API's default sample limit is derived from this memory (api/query-limits.ts).
    const query = new VigilFunction(this, 'Query', {
      ...shared,
      handlerName: 'query',
      description: 'Vigil: Prometheus query API (query, query_range, metadata, buildinfo)',
      memorySize: QUERY_FUNCTION_MEMORY_MB,
    });
    const health = fn('Health', 'health', 'Vigil: GET /health');
    // Checked at synth: an invalid rule fails `cdk synth` with file, group, rule and reason
    // (ConfigError).
    // The dashboards' recording rules (vigil-dashboards group) join the user's rule groups; they
    // alone are reason enough to run the evaluator.
    const rulesDocument = withDashboardRules(
      config.rules.length > 0
        ? loadRulesDocument(config, props.configDir ?? dirname(configPath()))
        : undefined,
      config.dashboards,
      severityRoutingOf(config.channels),
      config,
    );
    const alerts = new VigilFunction(this, 'Alerts', {
      ...shared,
      handlerName: 'alerts',
      description: 'Vigil: alerts, rules and silences API',
      ...(rulesDocument ? rulesBundleProps(rulesDocument, shared.environment) : {}),
    });

    // `channels.default` decides the `default` topic; `alerting.default_severity` resolves through
    // the topic map like any other severity label (see AlertTopicsProps.channels).
    this.alertTopics = new AlertTopics(this, 'AlertTopics', {
      project: config.project,
      channels: config.channels,
      removalPolicy,
    });
    this.notificationChannels = new NotificationChannels(this, 'NotificationChannels', {
      // Slack messages link to the main dashboard unless `channels.slack.dashboardUrl` is set.
      channels: withDefaultDashboardUrl(
        config.channels,
        config.dashboards,
        config.project,
        Stack.of(this).region,
      ),
      alertTopics: this.alertTopics,
      storage: this.storage,
      functionProps: shared,
      removalPolicy,
      logGroups: {
        groups: Object.fromEntries(
          config.logs.services.map((s) => [s, logGroupName(config.project, s)]),
        ),
        defaultGroup: defaultLogGroupName(config.project),
      },
    });
    // No rules, no evaluator: nothing to schedule, and no empty runs to pay for.
    if (rulesDocument) {
      this.ruleEvaluator = new RuleEvaluator(this, 'RuleEvaluator', {
        rulesDocument,
        storage: this.storage,
        alertTopics: this.alertTopics,
        functionProps: shared,
        removalPolicy,
      });
    }

    this.storage.bindSamples(ingestMetrics, { access: Access.WriteOnly });
    this.storage.bindSamples(ingestRemoteWrite, { access: Access.WriteOnly });
    this.storage.bindSamples(ingestPushgateway, { access: Access.WriteOnly });
    this.storage.bindSamples(ingestOtlpMetrics, { access: Access.WriteOnly });
    this.storage.bindPushGroupsTable(ingestPushgateway, { access: Access.ReadWrite });
    for (const ingest of [ingestMetrics, ingestRemoteWrite, ingestPushgateway, ingestOtlpMetrics]) {
      this.storage.bindSeriesIndexTable(ingest);
    }
    this.storage.bindSamples(readSeries, { access: Access.ReadOnly });
    this.storage.bindPushGroupsTable(readSeries, { access: Access.ReadOnly });
    this.storage.bindSamples(query, { access: Access.ReadOnly });
    this.storage.bindPushGroupsTable(query, { access: Access.ReadOnly });
    // Silences are written by the API, alert state is only read.
    this.storage.bindAlertStateTable(alerts, { access: Access.ReadWrite });

    // No scrape jobs, no scrape function or schedule.
    if (config.scrape.jobs.length > 0) {
      this.scrapeTargets = new ScrapeTargets(this, 'ScrapeTargets', {
        scrape: config.scrape,
        storage: this.storage,
        functionProps: shared,
        removalPolicy,
      });
    }

    // Timestream queries go through PushAwareSeriesStore, which adds pushed values on read; a
    // query AMP evaluates cannot, so the pushed values are written every scrape interval.
    if (config.store === 'amp') {
      this.pushRescrape = new PushRescrape(this, 'PushRescrape', {
        storage: this.storage,
        functionProps: shared,
        removalPolicy,
      });
    }

    // No monitors, no drift functions, bucket or schedules (the drift routes are absent too).
    if (config.drift.monitors.length > 0) {
      this.driftMonitors = new DriftMonitors(this, 'DriftMonitors', {
        drift: config.drift,
        configDir: props.configDir ?? dirname(configPath()),
        storage: this.storage,
        encryptionKey: this.encryptionKey,
        functionProps: shared,
        removalPolicy,
      });
      const slack = this.notificationChannels.slack;
      if (slack) this.driftMonitors.bindReportLinks(slack.function);
    }

    this.logIngestion = new LogIngestion(this, 'LogIngestion', {
      project: config.project,
      logs: config.logs,
      storage: this.storage,
      encryptionKey: this.encryptionKey,
      functionProps: shared,
      removalPolicy,
    });

    this.ingestApi = new IngestApi(this, 'IngestApi', {
      project: config.project,
      clients: config.api.clients,
      integrations: {
        ingestMetrics,
        ingestPushgateway,
        ingestRemoteWrite,
        readSeries,
        query,
        alerts,
        health,
        ingestLogs: this.logIngestion.ingestLogsFunction,
        ingestLoki: this.logIngestion.ingestLokiFunction,
        ingestOtlpMetrics,
        ingestOtlpLogs: this.logIngestion.ingestOtlpLogsFunction,
        ...(this.driftMonitors ? { driftReports: this.driftMonitors.apiFunction } : {}),
      },
      encryptionKey: this.encryptionKey,
      logRetentionDays: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
      cloudWatchRole: props.apiGatewayCloudWatchRole,
      authorizerFunctionProps: {
        code: props.functionCode,
        environment: { POWERTOOLS_LOG_LEVEL: config.logLevel },
      },
    });

    if (config.gpu.enabled) {
      this.gpuMonitoring = new GpuMonitoring(this, 'GpuMonitoring', {
        project: config.project,
        gpu: config.gpu,
        mirrorNamespace: config.cloudwatch.namespace,
        alertTopics: this.alertTopics,
        storage: this.storage,
        functionProps: shared,
      });
    }

    this.functions = {
      ingestMetrics,
      ingestPushgateway,
      ingestRemoteWrite,
      readSeries,
      query,
      health,
      alerts,
      authorizer: this.ingestApi.authorizerFunction,
      ingestLogs: this.logIngestion.ingestLogsFunction,
      ingestLoki: this.logIngestion.ingestLokiFunction,
      ingestOtlpMetrics,
      ingestOtlpLogs: this.logIngestion.ingestOtlpLogsFunction,
      ...(this.ruleEvaluator ? { evaluateRules: this.ruleEvaluator.function } : {}),
      ...(this.scrapeTargets ? { scrapeTargets: this.scrapeTargets.function } : {}),
      ...(this.pushRescrape ? { rescrapePushedGroups: this.pushRescrape.function } : {}),
      ...(this.driftMonitors
        ? {
            runDriftMonitors: this.driftMonitors.function,
            driftReports: this.driftMonitors.apiFunction,
          }
        : {}),
      ...Object.fromEntries(
        Object.entries(this.notificationChannels.notifiers).map(([name, n]) => [name, n.function]),
      ),
      ...(this.gpuMonitoring?.importFunction
        ? { importGpuMetrics: this.gpuMonitoring.importFunction }
        : {}),
    };

    // Keep these last: self-monitoring covers every function in `this.functions` and every
    // dead-letter queue made above; the dashboards show every alarm in the tree.
    // Invoked by schedules and alert topics: their throttled events wait in Lambda's queue.
    const asynchronousRoles = [
      'evaluateRules',
      'scrapeTargets',
      'rescrapePushedGroups',
      'runDriftMonitors',
      'importGpuMetrics',
      ...Object.keys(this.notificationChannels.notifiers),
    ].filter((role) => role in this.functions);
    this.selfMonitoring = new SelfMonitoring(this, 'SelfMonitoring', {
      functions: this.functions,
      asynchronousRoles,
      criticalTopic: this.alertTopics.topics.critical as Topic,
      api: this.ingestApi.api,
      deadLetterScope: this,
      store: config.store,
    });
    this.dashboards = new Dashboards(this, 'Dashboards', {
      project: config.project,
      dashboards: config.dashboards,
      namespace: config.cloudwatch.namespace,
      channels: config.channels,
      // Every alarm resource of the tree: the L2 `Alarm`s' own CfnAlarm and the L1 ones (GPU).
      alarmArns: this.node
        .findAll()
        .filter((c): c is CfnAlarm => c instanceof CfnAlarm)
        .map((a) => a.attrArn),
      functions: this.functions,
      asynchronousRoles,
      api: this.ingestApi.api,
      deadLetterQueues: this.selfMonitoring.deadLetterQueues,
      store: config.store,
    });
  }

  /** Base URL of the API (ends with the stage and a `/`). */
  get apiUrl(): string {
    return this.ingestApi.url;
  }

  private createKey(project: string, store: StoreKind, removalPolicy: RemovalPolicy): Key {
    const key = new Key(this, 'Key', {
      description:
        store === 'amp'
          ? `Vigil (${project}): AMP workspace, DynamoDB, S3 events and CloudWatch Logs encryption`
          : `Vigil (${project}): Timestream, DynamoDB and CloudWatch Logs encryption`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch Logs encrypts with the key on the log groups' behalf, scoped by encryption context.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    const { region, account, partition } = Stack.of(this);
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
    return key;
  }
}

export { PROJECT_TAG, toRuntimeConfig, Vigil, VERSION_TAG };
