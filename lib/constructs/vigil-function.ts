import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  type Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { bundledHandlerCode } from './lambda-bundle';

export { UNREACHED_CREDENTIAL_PROVIDERS } from './lambda-bundle';

/** The Lambda runtime of every Vigil function (async handlers only, as Node.js 24 requires). */
const VIGIL_RUNTIME = Runtime.NODEJS_24_X;

/** CloudWatch Logs accepts only these retention periods (days). */
const RETENTION_DAYS: ReadonlySet<number> = new Set(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/**
 * Maps a number of days to the CloudWatch Logs retention enum, failing at synth time on a value
 * CloudWatch would refuse at deploy time.
 *
 * @param days - e.g. 30
 */
const toRetentionDays = (days: number): RetentionDays => {
  if (!RETENTION_DAYS.has(days)) {
    const allowed = [...RETENTION_DAYS].filter((d) => d > 0).join(', ');
    throw new Error(
      `logRetentionDays ${days} is not a CloudWatch Logs retention; use one of ${allowed}`,
    );
  }
  return days as RetentionDays;
};

export interface VigilFunctionProps {
  /** File name of the handler under `lambdas/handlers/`, without extension (`ingest-metrics`). */
  readonly handlerName: string;
  /** Shown in the Lambda console. @default - none */
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(29) (API Gateway's integration timeout) */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for (and capping) this function.
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Whether `reservedConcurrentExecutions` is applied. The `Vigil` construct sets it from the
   * config's `reservedConcurrency` for every function: Lambda refuses a reservation that leaves
   * the account fewer than 100 unreserved concurrent executions, so accounts with a low quota
   * deploy without any.
   * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default true
   */
  readonly reserveConcurrency?: boolean;
  /** Retention of the function's log group, days. @default 30 */
  readonly logRetentionDays?: number;
  /** KMS key encrypting the function's log group. @default - CloudWatch Logs' own encryption */
  readonly logEncryptionKey?: IKey;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Extra environment; prefer the `bindX()` helpers, which also grant access. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Prebuilt code instead of an esbuild bundle. A test seam only: infra tests use it to keep
   * synthesis fast, and one test still bundles for real.
   * @default - the handler is bundled by a local esbuild
   */
  readonly code?: Code;
  /**
   * Files copied into the bundle after esbuild: name in the bundle → absolute path of the local
   * file, e.g. `{ 'rules.json': '/tmp/vigil-rules-x/rules.json' }`; ignored with `code`.
   * @default {}
   */
  readonly bundleFiles?: Readonly<Record<string, string>>;
}

/**
 * The house Lambda: the handler bundled by a local esbuild (never Docker) as ESM split at every
 * `import()`, with source maps (`lambda-bundle.ts`), on nodejs24.x / arm64, with X-Ray tracing
 * and an explicit log group with retention.
 */
class VigilFunction extends LambdaFunction {
  /** The function's own log group (retention and encryption set here, not by Lambda). */
  readonly logGroupResource: LogGroup;

  constructor(scope: Construct, id: string, props: VigilFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: toRetentionDays(props.logRetentionDays ?? 30),
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of Vigil function ${props.handlerName}`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      handler: 'index.handler',
      code: props.code ?? bundledHandlerCode(props.handlerName, props.bundleFiles),
      description: props.description,
      runtime: VIGIL_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      reservedConcurrentExecutions:
        props.reserveConcurrency === false ? undefined : props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    this.logGroupResource = logGroup;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (tracing: ACTIVE) needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permission (Resource must be "*").',
    });
  }
}

export { toRetentionDays, VIGIL_RUNTIME, VigilFunction };
