import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';
import type { AmpConfig, StoreKind, TimestreamConfig } from '../../lambdas/domain/config/types';
import { ENV } from '../../lambdas/shared/env';
import { DEFAULT_AMP_RETENTION_DAYS } from '../../lambdas/domain/config/defaults';
import { Access, type BindOptions } from './access';
import { AmpWorkspace } from './amp-workspace';
import { accessLogsBucket, secureBucket } from './secure-bucket';
import { TimestreamAvailabilityCheck } from './timestream-availability-check';

export { Access, type BindOptions };

/**
 * What a Timestream reader needs on a table: `timestream:Select` for its `SELECT` queries and
 * `timestream:DescribeTable` for the `DESCRIBE` statements the readers run to learn the table's
 * columns (dimensions of `samples`, measures of `events`). Timestream authorizes each SQL
 * statement of a `Query` call with the action of the same name, on the table it names.
 * https://docs.aws.amazon.com/timestream/latest/developerguide/security_iam_service-with-iam.html
 * https://docs.aws.amazon.com/timestream/latest/developerguide/security_iam_id-based-policy-examples.html
 */
export const TIMESTREAM_READ_ACTIONS = ['timestream:Select', 'timestream:DescribeTable'] as const;

/** Name of the Timestream table of raw samples (design.md "Data model"). */
export const SAMPLES_TABLE_NAME = 'samples';

/** Name of the Timestream table of prediction events, read by drift (design.md "Data model"). */
export const EVENTS_TABLE_NAME = 'events';

export interface StorageProps {
  /** Where samples and prediction events live (`store:`). @default 'timestream' */
  readonly store?: StoreKind;
  /** Database name and retention (used when the store is `timestream`). */
  readonly timestream: TimestreamConfig;
  /** The workspace (used when the store is `amp`). @default { retentionDays: 150 } (a new workspace) */
  readonly amp?: AmpConfig;
  /** Project name, for the alias of a created AMP workspace. @default 'vigil' */
  readonly project?: string;
  /** Customer-managed key encrypting the Timestream database and the DynamoDB table. */
  readonly encryptionKey: IKey;
  /** What happens to stored data when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
  /** How long magnetic-store error reports are kept. @default Duration.days(90) */
  readonly errorReportExpiration?: Duration;
}

/**
 * Grants a function DynamoDB actions on one table only, and, when the table is encrypted with a
 * customer-managed key, the key actions DynamoDB asks of the caller, without wildcards:
 * `kms:Decrypt` to read, also `kms:Encrypt` and `kms:GenerateDataKey` to write.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
 */
const grantTable = (
  fn: LambdaFunction,
  table: Table,
  actions: readonly string[],
  access: Access,
): void => {
  fn.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
  const key = table.encryptionKey;
  if (!key) return;
  const kmsActions =
    access === Access.ReadOnly
      ? ['kms:Decrypt']
      : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];
  fn.addToRolePolicy(new PolicyStatement({ actions: kmsActions, resources: [key.keyArn] }));
};

/**
 * Where samples and Pushgateway groups live:
 * - `store: timestream`: Timestream database + `samples` table (measure_name = metric name,
 *   dimensions = labels), magnetic-store writes enabled so late samples are accepted, with
 *   rejected records reported to an S3 bucket; prediction events in the `events` table;
 * - `store: amp`: an Amazon Managed Service for Prometheus workspace (`AmpWorkspace`), and
 *   prediction events as NDJSON objects in an S3 bucket (`S3EventStore`) kept `amp.retentionDays`;
 * - DynamoDB tables of Pushgateway groups (`pk` = job + grouping key, `sk` = metric family),
 *   the series index and alert state, whatever the store.
 *
 * Note: Amazon Timestream for LiveAnalytics was closed to new AWS accounts on 2025-06-20; in an
 * account without access the database creation fails, which Vigil's deploy-time check reports.
 * https://docs.aws.amazon.com/timestream/latest/developerguide/timestream-for-influxdb.html
 */
class Storage extends Construct {
  readonly store: StoreKind;
  /** Timestream database (`store: timestream`). */
  readonly database?: CfnDatabase;
  /** Timestream samples table (`store: timestream`). */
  readonly samplesTable?: CfnTable;
  /** Prediction events (multi-measure records: dimensions service, model, model_version; `store: timestream`). */
  readonly eventsTable?: CfnTable;
  /** The AMP workspace (`store: amp`). */
  readonly ampWorkspace?: AmpWorkspace;
  /** Prediction events as NDJSON day objects (`store: amp`). */
  readonly eventsBucket?: Bucket;
  readonly pushGroupsTable: Table;
  /** Distinct series per metric (cardinality guard). */
  readonly seriesIndexTable: Table;
  /** Alert state, dispatcher state and silences (`DynamoDbAlertStateStore`, partition key `pk`). */
  readonly alertStateTable: Table;
  /** Receives error reports of records the magnetic store rejected asynchronously (`store: timestream`). */
  readonly errorReportBucket?: Bucket;
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const autoDelete = removalPolicy === RemovalPolicy.DESTROY;
    this.encryptionKey = props.encryptionKey;

    const accessLogs = accessLogsBucket(this, 'AccessLogsBucket', {
      logsOf: 'the error-report bucket',
      expiration: Duration.days(365),
      removalPolicy,
      autoDeleteObjects: autoDelete,
    });

    this.store = props.store ?? 'timestream';
    if (this.store === 'amp') {
      const amp = props.amp ?? { retentionDays: DEFAULT_AMP_RETENTION_DAYS };
      this.ampWorkspace = new AmpWorkspace(this, 'Amp', {
        project: props.project ?? 'vigil',
        amp,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
      // Drift reads prediction events over the same horizon as the samples it compares with.
      this.eventsBucket = secureBucket(this, 'EventsBucket', {
        encryptionKey: props.encryptionKey,
        accessLogs,
        accessLogsPrefix: 'events/',
        expiration: Duration.days(amp.retentionDays),
        removalPolicy,
        autoDeleteObjects: autoDelete,
      });
    } else {
      const errorReportBucket = secureBucket(this, 'ErrorReportBucket', {
        accessLogs,
        accessLogsPrefix: 'error-reports/',
        expiration: props.errorReportExpiration ?? Duration.days(90),
        removalPolicy,
        autoDeleteObjects: autoDelete,
      });

      this.errorReportBucket = errorReportBucket;

      const check = new TimestreamAvailabilityCheck(this, 'TimestreamAvailability');
      const database = new CfnDatabase(this, 'Database', {
        databaseName: props.timestream.database,
        kmsKeyId: props.encryptionKey.keyArn,
      });
      database.node.addDependency(check.resource);
      database.applyRemovalPolicy(removalPolicy);
      this.acknowledgeMaintenanceMode(database);
      this.database = database;

      // Both tables: the same retention (drift compares a reference window with the current one,
      // and a late prediction event, a batch job's, still lands through the magnetic store), and
      // magnetic-store rejections reported to the bucket under the table's own prefix.
      const timestreamTable = (id: string, tableName: string): CfnTable => {
        const table = new CfnTable(this, id, {
          databaseName: props.timestream.database,
          tableName,
          retentionProperties: {
            // Timestream's CloudFormation schema takes these as strings.
            MemoryStoreRetentionPeriodInHours: String(props.timestream.memoryRetentionHours),
            MagneticStoreRetentionPeriodInDays: String(props.timestream.magneticRetentionDays),
          },
          magneticStoreWriteProperties: {
            EnableMagneticStoreWrites: true,
            MagneticStoreRejectedDataLocation: {
              S3Configuration: {
                BucketName: errorReportBucket.bucketName,
                EncryptionOption: 'SSE_S3',
                ObjectKeyPrefix: `${tableName}/`,
              },
            },
          },
        });
        table.node.addDependency(database);
        table.applyRemovalPolicy(removalPolicy);
        this.acknowledgeMaintenanceMode(table);
        return table;
      };
      this.samplesTable = timestreamTable('SamplesTable', SAMPLES_TABLE_NAME);
      this.eventsTable = timestreamTable('EventsTable', EVENTS_TABLE_NAME);
    }

    // Every Vigil table: on demand, point-in-time recovery, the customer-managed key.
    const houseTable = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    } as const;

    // Distinct series per metric name, for the cardinality guard (DynamoDbCardinalityTracker).
    this.seriesIndexTable = new Table(this, 'SeriesIndexTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      ...houseTable,
    });

    // One item per document (alert states of a group, dispatcher state, silences), written with
    // a conditional PutItem on its version; PITR because losing it re-pages every firing alert.
    this.alertStateTable = new Table(this, 'AlertStateTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      // Notifier delivery records expire; alert and dispatcher state documents carry no `ttl`.
      timeToLiveAttribute: 'ttl',
      ...houseTable,
    });

    this.pushGroupsTable = new Table(this, 'PushGroupsTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      ...houseTable,
    });
  }

  /**
   * Gives a function the series index (cardinality guard): sets `VIGIL_SERIES_INDEX_TABLE` and
   * grants `dynamodb:PutItem`/`UpdateItem` (what TransactWriteItems needs) on that table only.
   */
  bindSeriesIndexTable(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.SERIES_INDEX_TABLE, this.seriesIndexTable.tableName);
    // Query: the label and metric names registered under schema#dimension / schema#measure
    // (DynamoDbNameRegistry), read once per container.
    const actions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
    grantTable(fn, this.seriesIndexTable, actions, Access.ReadWrite);
  }

  /**
   * Gives a function the samples table: sets `VIGIL_SAMPLES_DATABASE` / `VIGIL_SAMPLES_TABLE` and
   * grants `timestream:WriteRecords` (RW, WO) and/or the read actions (RW, RO, see
   * {@link TIMESTREAM_READ_ACTIONS}) on the table ARN only, plus
   * `timestream:DescribeEndpoints`, which the SDK's endpoint discovery calls before either and
   * which supports no resource-level permission.
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazontimestream.html
   *
   * Timestream uses the database's KMS key through grants it creates when the database is
   * created, so the function needs no KMS permission of its own.
   */
  bindSamplesTable(fn: LambdaFunction, options: BindOptions): void {
    const { database, samplesTable } = this.timestream('bindSamplesTable');
    fn.addEnvironment(ENV.STORE, 'timestream');
    fn.addEnvironment(ENV.SAMPLES_DATABASE, database.ref);
    fn.addEnvironment(ENV.SAMPLES_TABLE, samplesTable.attrName);
    const actions = {
      [Access.ReadWrite]: ['timestream:WriteRecords', ...TIMESTREAM_READ_ACTIONS],
      [Access.WriteOnly]: ['timestream:WriteRecords'],
      [Access.ReadOnly]: [...TIMESTREAM_READ_ACTIONS],
    }[options.access];
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [samplesTable.attrArn] }));
    this.grantDescribeEndpoints(fn);
  }

  /**
   * Gives a function the prediction-events table (`EventStore`): sets `VIGIL_EVENTS_DATABASE` /
   * `VIGIL_EVENTS_TABLE` and grants `timestream:WriteRecords` (RW, WO) and/or the read actions
   * (RW, RO, see {@link TIMESTREAM_READ_ACTIONS}) on that table's ARN only, plus
   * `timestream:DescribeEndpoints` (see {@link bindSamplesTable}). Log ingestion writes (WO);
   * drift monitors read (RO).
   */
  bindEventsTable(fn: LambdaFunction, options: BindOptions): void {
    const { database, eventsTable } = this.timestream('bindEventsTable');
    fn.addEnvironment(ENV.EVENTS_DATABASE, database.ref);
    fn.addEnvironment(ENV.EVENTS_TABLE, eventsTable.attrName);
    const actions = {
      [Access.ReadWrite]: ['timestream:WriteRecords', ...TIMESTREAM_READ_ACTIONS],
      [Access.WriteOnly]: ['timestream:WriteRecords'],
      [Access.ReadOnly]: [...TIMESTREAM_READ_ACTIONS],
    }[options.access];
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [eventsTable.attrArn] }));
    this.grantDescribeEndpoints(fn);
  }

  /**
   * Gives a function the sample store of this deployment: the Timestream samples table
   * ({@link bindSamplesTable}) or the AMP workspace (`AmpWorkspace.bindWorkspace`), with the
   * same access. Either sets `VIGIL_STORE`, which the composition roots choose adapters by.
   */
  bindSamples(fn: LambdaFunction, options: BindOptions): void {
    if (this.ampWorkspace) this.ampWorkspace.bindWorkspace(fn, options);
    else this.bindSamplesTable(fn, options);
  }

  /**
   * Gives a function the prediction-event store of this deployment: the Timestream `events`
   * table ({@link bindEventsTable}) or the events bucket ({@link bindEventsBucket}).
   */
  bindEvents(fn: LambdaFunction, options: BindOptions): void {
    if (this.eventsBucket) this.bindEventsBucket(fn, options);
    else this.bindEventsTable(fn, options);
  }

  /**
   * Gives a function the prediction-events bucket (`S3EventStore`, `store: amp`): sets
   * `VIGIL_EVENTS_BUCKET` and grants `s3:PutObject` (RW, WO: each write is a new object) and/or
   * `s3:ListBucket` on the bucket + `s3:GetObject` on its objects (RW, RO: ListObjectsV2 of the
   * day prefixes, GetObject of each); KMS as the other stores: `kms:Decrypt` to read,
   * `kms:GenerateDataKey` to write (SSE-KMS with a bucket key).
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
   */
  bindEventsBucket(fn: LambdaFunction, options: BindOptions): void {
    const bucket = this.eventsBucket;
    if (!bucket)
      throw new Error('bindEventsBucket: this storage has no events bucket (store: timestream)');
    fn.addEnvironment(ENV.EVENTS_BUCKET, bucket.bucketName);
    const read = options.access !== Access.WriteOnly;
    const write = options.access !== Access.ReadOnly;
    if (write) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('events/*')],
        }),
      );
    }
    if (read) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects('events/*')],
        }),
      );
    }
    const bucketArnToken = `<${Stack.of(this).getLogicalId(bucket.node.defaultChild as never)}.Arn>`;
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArnToken}/events/*]`,
      reason:
        'Event object keys are made per write (events/<day>/<service>/<time>-<id>.ndjson); the object wildcard is confined to the events/ prefix of the events bucket, with PutObject for the log ingest functions and GetObject for drift.',
    });
    const key = bucket.encryptionKey;
    if (key) {
      const kmsActions = [
        ...(read ? ['kms:Decrypt'] : []),
        ...(write ? ['kms:GenerateDataKey'] : []),
      ];
      fn.addToRolePolicy(new PolicyStatement({ actions: kmsActions, resources: [key.keyArn] }));
    }
  }

  /**
   * Gives a function the Pushgateway groups table: sets `VIGIL_PUSH_GROUPS_TABLE` and grants, on
   * that table only, the actions `DynamoDbPushGroupStore` sends: reads `dynamodb:Query` (one
   * group) and `dynamodb:Scan` (every group); writes `dynamodb:GetItem` + `dynamodb:PutItem`
   * (one-item group), `dynamodb:PutItem` + `dynamodb:DeleteItem` (the items of a
   * TransactWriteItems, which has no action of its own), `dynamodb:DeleteItem` and
   * `dynamodb:BatchWriteItem` (dropping a group's items). KMS as the other tables: `kms:Decrypt`
   * to read, with `kms:Encrypt` / `kms:GenerateDataKey` to write.
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
   */
  bindPushGroupsTable(fn: LambdaFunction, options: BindOptions): void {
    fn.addEnvironment(ENV.PUSH_GROUPS_TABLE, this.pushGroupsTable.tableName);
    const read = ['dynamodb:Query', 'dynamodb:Scan'];
    const write = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    const actions = {
      [Access.ReadWrite]: [...read, ...write],
      [Access.WriteOnly]: write,
      [Access.ReadOnly]: read,
    }[options.access];
    grantTable(fn, this.pushGroupsTable, actions, options.access);
  }

  /**
   * Gives a function the alert-state table (`AlertStateStore`): sets `VIGIL_ALERT_STATE_TABLE`
   * and grants, on that table only, `dynamodb:GetItem` (RO) or `dynamodb:GetItem` +
   * `dynamodb:PutItem` (RW, WO) — all `DynamoDbAlertStateStore` calls: strongly consistent reads
   * and conditional puts on the document's version. IAM has no condition key that requires a
   * `ConditionExpression`, so "conditional" is the adapter's guarantee, not the policy's.
   * The evaluator and the alerts API (which writes silences) are both RW.
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
   */
  bindAlertStateTable(fn: LambdaFunction, options: BindOptions): void {
    fn.addEnvironment(ENV.ALERT_STATE_TABLE, this.alertStateTable.tableName);
    const actions = {
      [Access.ReadWrite]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [Access.WriteOnly]: ['dynamodb:PutItem'],
      [Access.ReadOnly]: ['dynamodb:GetItem'],
    }[options.access];
    grantTable(fn, this.alertStateTable, actions, options.access);
  }

  /** The Timestream resources, or a synth-time error naming the binding that needs them. */
  private timestream(what: string): {
    database: CfnDatabase;
    samplesTable: CfnTable;
    eventsTable: CfnTable;
  } {
    if (!this.database || !this.samplesTable || !this.eventsTable) {
      throw new Error(`${what}: this storage has no Timestream database (store: ${this.store})`);
    }
    return {
      database: this.database,
      samplesTable: this.samplesTable,
      eventsTable: this.eventsTable,
    };
  }

  /** CDK's built-in template validation warns that Timestream is in maintenance mode. */
  private acknowledgeMaintenanceMode(resource: CfnDatabase | CfnTable): void {
    Validations.of(resource).acknowledge({
      id: 'CloudFormation-Validate::W3697',
      reason:
        'Known and documented: Timestream for LiveAnalytics is closed to new accounts since 2025-06-20 (README); Vigil stores samples behind the SeriesStore port, so another store can replace it.',
    });
  }

  private grantDescribeEndpoints(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
    );
    Validations.of(fn.role ?? fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'timestream:DescribeEndpoints supports no resource-level permission (Resource must be "*"); the SDK calls it for endpoint discovery before every WriteRecords/Query.',
    });
  }
}

export { Storage };
