import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DriftConfig } from '../../lambdas/domain/drift/drift-config';
import { driftParsedExprs } from '../../lambdas/domain/drift/parsed-queries';
import type { DriftDocument } from '../../lambdas/domain/drift/monitor-document';
import { loadDriftBaselines } from '../../lambdas/shared/drift-baselines';
import { ENV } from '../../lambdas/shared/env';
import { accessLogsBucket, secureBucket } from './secure-bucket';
import { Access, type Storage } from './storage';
import { type VigilFunctionProps, VigilFunction } from './vigil-function';
import { scheduledLambdaTarget, scheduleDeadLetterQueue } from './schedule-dead-letter-queue';

/** Name of the drift document inside the drift functions' bundles (`VIGIL_DRIFT_DOCUMENT`). */
export const DRIFT_DOCUMENT_FILE = 'drift.json';

/**
 * Writes the drift document (`drift:` plus every baseline CSV's text) to a fresh temporary
 * directory, for `bundleFiles`. Reads and checks the baselines: a missing file or column fails
 * `cdk synth` with the monitor's config path (`ConfigError`).
 *
 * @param drift - the validated `drift:` section
 * @param configDir - the directory baseline paths are relative to (the config file's)
 * @returns the absolute path of the written `drift.json`
 */
const writeDriftDocument = (drift: DriftConfig, configDir: string): string => {
  const baselines = loadDriftBaselines(drift, configDir);
  const doc: DriftDocument = {
    drift,
    baselines: Object.fromEntries([...baselines].map(([name, b]) => [name, b.text])),
    parsedExprs: driftParsedExprs(drift),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-drift-')), DRIFT_DOCUMENT_FILE);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

export interface DriftMonitorsProps {
  /** The validated `drift:` section (at least one monitor). */
  readonly drift: DriftConfig;
  /** Directory the monitors' baseline paths are relative to (the config file's). */
  readonly configDir: string;
  /** Samples (histograms read, drift series written), events (read), series index, push groups. */
  readonly storage: Storage;
  /** Customer-managed key encrypting the reports bucket. */
  readonly encryptionKey: IKey;
  /** House defaults shared by every Vigil function (logs, code seam, runtime config). @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
  /** How long reports are kept. @default Duration.days(365) */
  readonly reportExpiration?: Duration;
  /** What happens to the buckets and the queue when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Scheduled drift monitors:
 * - one EventBridge rule per distinct `schedule.every` (`rate(n minutes)`) invokes the
 *   `run-drift-monitors` function with `{ everyMs, time }`; each monitor with that schedule runs
 *   at the tick of the event's time, so Lambda's asynchronous retries (2) rerun the same tick and
 *   overwrite the same report and samples. Undeliverable ticks land in an SQS dead-letter queue;
 * - the function reads prediction events (Timestream `events`, read only) and histogram samples,
 *   writes `vigil_drift_*` through the ingestion pipeline (samples table, series index,
 *   EMF mirror) and a JSON report and its HTML page per run to the reports bucket (PutObject only);
 * - the `drift-reports` function serves `GET /api/drift/reports[/{id}[.html]]` (GetObject, ListBucket)
 *   and `POST /api/drift/monitors/{name}/run` (invokes the drift function asynchronously);
 * - baseline CSVs are bundled into both functions inside `drift.json` (no S3 read at run time; a
 *   deployment pins monitors and baselines together). Bundles are capped by Lambda's 250 MB
 *   unzipped deployment package, so keep baselines to a sample (tens of MB at most).
 *
 * `Vigil` creates this construct only when `drift.monitors` lists at least one monitor.
 */
class DriftMonitors extends Construct {
  /** The scheduled drift function (`run-drift-monitors`). */
  readonly function: VigilFunction;
  /** The reports API function (`drift-reports`). */
  readonly apiFunction: VigilFunction;
  /** JSON reports and their HTML pages, one each per monitor run (SSE-KMS, TLS only, no public access). */
  readonly reportsBucket: Bucket;
  /** One schedule per distinct `every`, keyed by the interval in minutes. */
  readonly schedules: ReadonlyMap<number, Rule>;
  /** Ticks EventBridge could not deliver to the function. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: DriftMonitorsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const autoDelete = removalPolicy === RemovalPolicy.DESTROY;
    const documentFile = writeDriftDocument(props.drift, props.configDir);
    const bundle = {
      bundleFiles: { [DRIFT_DOCUMENT_FILE]: documentFile },
    };
    const environment = {
      ...props.functionProps?.environment,
      [ENV.DRIFT_DOCUMENT]: DRIFT_DOCUMENT_FILE,
    };

    const accessLogs = accessLogsBucket(this, 'AccessLogsBucket', {
      logsOf: 'the drift reports bucket',
      expiration: Duration.days(365),
      removalPolicy,
      autoDeleteObjects: autoDelete,
    });
    this.reportsBucket = secureBucket(this, 'ReportsBucket', {
      encryptionKey: props.encryptionKey,
      accessLogs,
      accessLogsPrefix: 'drift-reports/',
      expiration: props.reportExpiration ?? Duration.days(365),
      removalPolicy,
      autoDeleteObjects: autoDelete,
    });

    const monitors = props.drift.monitors.length;
    this.function = new VigilFunction(this, 'Function', {
      ...props.functionProps,
      handlerName: 'run-drift-monitors',
      description: `Vigil: drift monitors (${monitors} monitor${monitors === 1 ? '' : 's'})`,
      // Windows of prediction events are compared in memory; more memory also means more CPU.
      memorySize: 1769,
      timeout: Duration.minutes(5),
      environment: {
        ...environment,
        [ENV.DRIFT_REPORTS_BUCKET]: this.reportsBucket.bucketName,
      },
      ...bundle,
    });
    props.storage.bindSamples(this.function, { access: Access.ReadWrite });
    // Read: pushed histograms; write: each monitor's series are pushed as a group (monitor-job.ts).
    props.storage.bindPushGroupsTable(this.function, { access: Access.ReadWrite });
    props.storage.bindSeriesIndexTable(this.function);
    props.storage.bindEvents(this.function, { access: Access.ReadOnly });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.reportsBucket.arnForObjects('*')],
      }),
    );
    // SSE-KMS PutObject: the caller needs GenerateDataKey on the bucket's key.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
    props.encryptionKey.grant(this.function, 'kms:GenerateDataKey');

    this.apiFunction = new VigilFunction(this, 'ApiFunction', {
      ...props.functionProps,
      handlerName: 'drift-reports',
      description: 'Vigil: drift reports API and run-now',
      environment: {
        ...environment,
        [ENV.DRIFT_REPORTS_BUCKET]: this.reportsBucket.bucketName,
        [ENV.DRIFT_FUNCTION]: this.function.functionName,
      },
      ...bundle,
    });
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.reportsBucket.arnForObjects('*')],
      }),
    );
    // ListBucket also makes a missing key answer NoSuchKey (404) rather than AccessDenied.
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.reportsBucket.bucketArn],
      }),
    );
    props.encryptionKey.grant(this.apiFunction, 'kms:Decrypt');
    // The function's own ARN only (grantInvoke would add `:*`, every version and alias).
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
    const bucketArnToken = `<${Stack.of(this).getLogicalId(this.reportsBucket.node.defaultChild as never)}.Arn>`;
    for (const fn of [this.function, this.apiFunction]) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketArnToken}/*]`,
        reason:
          'Report object keys are made per monitor run (reports/<monitor>/<time>.json, index/<time>.<monitor>); the object wildcard is confined to the drift reports bucket, and each function gets one action on it (PutObject for the drift function, GetObject for the API).',
      });
    }

    this.deadLetterQueue = scheduleDeadLetterQueue(this, {
      of: 'the drift schedules (EventBridge targets)',
      removalPolicy: removalPolicy,
    });

    const schedules = new Map<number, Rule>();
    const everyMinutes = [...new Set(props.drift.monitors.map((m) => m.schedule.everyMs / 60_000))];
    for (const minutes of everyMinutes.sort((a, b) => a - b)) {
      schedules.set(
        minutes,
        new Rule(this, `Schedule${minutes}m`, {
          description: `Vigil: runs the drift monitors scheduled every ${minutes} min`,
          // `every` is validated as whole minutes ≥ 1, what rate() accepts.
          // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
          schedule: Schedule.rate(Duration.minutes(minutes)),
          targets: [
            scheduledLambdaTarget(this.function, this.deadLetterQueue, {
              event: RuleTargetInput.fromObject({
                everyMs: minutes * 60_000,
                time: EventField.time,
              }),
              retryAttempts: 2,
              maxEventAge: Duration.hours(1),
            }),
          ],
        }),
      );
    }
    this.schedules = schedules;
  }

  /**
   * Lets a notifier function find a monitor's newest report (ListBucket on the reports bucket,
   * no object read), so its drift alerts link the report page.
   */
  bindReportLinks(fn: VigilFunction): void {
    fn.addEnvironment(ENV.DRIFT_REPORTS_BUCKET, this.reportsBucket.bucketName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.reportsBucket.bucketArn],
      }),
    );
  }
}

export { DriftMonitors, writeDriftDocument };
