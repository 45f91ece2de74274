/**
 * `vigil doctor`: can this machine and this AWS account deploy Vigil? One line per check, each
 * failure with its fix:
 * 1. the config (`vigil.config.yaml` or `$VIGIL_CONFIG`, with its rule files) is valid;
 * 2. AWS credentials and a region are usable (STS GetCallerIdentity);
 * 3. the environment is bootstrapped for the CDK (`/cdk-bootstrap/<qualifier>/version`);
 * 4. which sample store the account can use — Amazon Timestream for LiveAnalytics (closed to new
 *    accounts since 2025-06-20) and Amazon Managed Service for Prometheus — and which one to use
 *    (only the configured store's unavailability fails);
 * 5. the Lambda concurrency quota leaves room for what the config reserves;
 * 6. no earlier, deleted deployment of the project left fixed-name resources behind (the
 *    Timestream database, the `/vigil/<project>/` log groups) that `cdk deploy` would collide with.
 *
 * Exit codes: 0 every check passed (warnings allowed); 1 a check failed; 2 no usable AWS
 * credentials or region (the AWS checks are skipped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AmpClient } from '@aws-sdk/client-amp';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { AmpAvailabilityResult } from '../../lambdas/adapters/aws/amp-availability';
import { oneLine } from '../../lambdas/adapters/aws/aws-errors';
import {
  reservedConcurrencyOf,
  reservedFunctionsOf,
} from '../../lambdas/domain/config/reserved-concurrency';
import type { StoreKind, VigilConfig } from '../../lambdas/domain/config/types';
import { ConfigError } from '../../lambdas/domain/config/validate';
import { configPath, loadConfigFile } from '../../lambdas/shared/config-file';
import { loadRulesDocument } from '../../lambdas/shared/rules-loader';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';

/** The AWS adapters (and so the AWS SDK), loaded when the checks run, not for `--help`. */
const loadAwsChecks = async () => ({
  ...(await import('../../lambdas/adapters/aws/amp-availability')),
  ...(await import('../../lambdas/adapters/aws/caller-identity')),
  ...(await import('../../lambdas/adapters/aws/cdk-bootstrap')),
  ...(await import('../../lambdas/adapters/aws/lambda-concurrency')),
  ...(await import('../../lambdas/adapters/aws/log-group-names')),
  ...(await import('../../lambdas/adapters/aws/stack-status')),
  ...(await import('../../lambdas/adapters/aws/timestream-availability')),
});
type AwsChecks = Awaited<ReturnType<typeof loadAwsChecks>>;

interface DoctorOptions {
  /** Receives one line per check. */
  readonly out: (line: string) => void;
  /** @default `$VIGIL_CONFIG`, else `./vigil.config.yaml` (what `cdk synth` reads) */
  readonly configPath?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Region to check. @default the SDK's region resolution (AWS_REGION, AWS_PROFILE) */
  readonly region?: string;
  /**
   * CDK bootstrap qualifier.
   * @default `@aws-cdk/core:bootstrapQualifier` of ./cdk.json, else 'hnb659fds'
   */
  readonly qualifier?: string;
  /** AWS clients (tests); each defaults to a new client for the region. */
  readonly clients?: {
    readonly sts?: STSClient;
    readonly ssm?: SSMClient;
    readonly lambda?: LambdaClient;
    readonly timestream?: TimestreamWriteClient;
    readonly amp?: AmpClient;
    readonly cloudFormation?: CloudFormationClient;
    readonly logs?: CloudWatchLogsClient;
  };
}

type Status = 'ok' | 'warn' | 'fail' | 'skip';

interface CheckResult {
  readonly status: Status;
  readonly check: string;
  readonly detail: string;
  /** What to do about a failure or a warning. */
  readonly fix?: string;
}

const CHECKS = {
  config: 'config',
  credentials: 'AWS credentials',
  bootstrap: 'CDK bootstrap',
  timestream: 'Timestream for LiveAnalytics',
  amp: 'Amazon Managed Service for Prometheus',
  store: 'store',
  concurrency: 'Lambda concurrency',
  leftovers: 'earlier deployment',
} as const;

const trimPeriod = (s: string): string => s.replace(/\.+$/, '');

/** The line printed for a check: status, check, detail, and the fix when there is one. */
const formatLine = (r: CheckResult): string =>
  `${r.status.padEnd(4)}  ${r.check}: ${trimPeriod(r.detail)}${r.fix ? `. Fix: ${r.fix}` : ''}`;

/** The config and its rule files, as `cdk synth` loads them. */
const checkConfig = (options: DoctorOptions): { result: CheckResult; config?: VigilConfig } => {
  const env = options.env ?? process.env;
  const file = options.configPath ? resolve(options.configPath) : configPath(env);
  try {
    const { config, source } = loadConfigFile(options.configPath, env);
    const rules = config.rules.length > 0 ? loadRulesDocument(config, dirname(file)) : undefined;
    const n = rules?.groups.length ?? 0;
    const groups = rules ? `, ${n} rule group${n === 1 ? '' : 's'}` : '';
    return {
      config,
      result: {
        status: 'ok',
        check: CHECKS.config,
        detail: `${existsSync(file) ? `${source} is valid` : `no ${file}: every default applies`} (project ${config.project}, stack Vigil-${config.project}${groups})`,
      },
    };
  } catch (error) {
    const detail =
      error instanceof ConfigError
        ? `${file} is invalid: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
        : error instanceof Error
          ? error.message
          : String(error);
    return {
      result: {
        status: 'fail',
        check: CHECKS.config,
        detail: oneLine(detail),
        fix: 'correct the keys listed (docs/configuration.md; `npx vigil rules check` for rule files), then run vigil doctor again',
      },
    };
  }
};

/** `@aws-cdk/core:bootstrapQualifier` of ./cdk.json, when the app customizes it. */
const qualifierOfCdkJson = (): string | undefined => {
  const file = resolve('cdk.json');
  if (!existsSync(file)) return undefined;
  try {
    const q = JSON.parse(readFileSync(file, 'utf8'))?.context?.['@aws-cdk/core:bootstrapQualifier'];
    return typeof q === 'string' ? q : undefined;
  } catch {
    return undefined;
  }
};

const checkBootstrap = async (
  aws: AwsChecks,
  options: DoctorOptions,
  account: string,
  region: string,
): Promise<CheckResult> => {
  const env = `aws://${account}/${region}`;
  const bootstrap = `npx cdk bootstrap ${env}`;
  const r = await aws.checkCdkBootstrap({
    client: options.clients?.ssm,
    clientConfig: { region },
    qualifier: options.qualifier ?? qualifierOfCdkJson() ?? aws.DEFAULT_QUALIFIER,
  });
  const check = CHECKS.bootstrap;
  switch (r.status) {
    case 'bootstrapped':
      return { status: 'ok', check, detail: `${env} has bootstrap version ${r.version}` };
    case 'missing':
      return {
        status: 'fail',
        check,
        detail: `${env} is not bootstrapped (no SSM parameter ${r.parameter})`,
        fix: `${bootstrap} (once per account and region)`,
      };
    case 'too-old':
      return {
        status: 'fail',
        check,
        detail: `${env} has bootstrap version ${r.version}; this CDK needs ${aws.MIN_BOOTSTRAP_VERSION} or later`,
        fix: `${bootstrap} (updates the CDKToolkit stack)`,
      };
    case 'not-permitted':
      return {
        status: 'fail',
        check,
        detail: `these credentials may not read ${r.parameter}: ${trimPeriod(r.message)}`,
        fix: `allow ssm:GetParameter on it, or look for the CDKToolkit stack in the CloudFormation console of ${region}`,
      };
    default:
      return {
        status: 'fail',
        check,
        detail: `could not read ${r.parameter}: ${trimPeriod(r.message)}`,
        fix: `check that ${bootstrap} has run, then run vigil doctor again`,
      };
  }
};

/** A failure of the store the config does not use is only a warning. */
const unlessUnused = (r: CheckResult, used: boolean): CheckResult =>
  used || r.status !== 'fail'
    ? r
    : { ...r, status: 'warn', detail: `${r.detail} (not the configured store)` };

const checkTimestream = async (
  aws: AwsChecks,
  options: DoctorOptions,
  region: string,
): Promise<CheckResult> => {
  const r = await aws.checkTimestreamAvailability({ client: options.clients?.timestream, region });
  const check = CHECKS.timestream;
  switch (r.status) {
    case 'available':
      return { status: 'ok', check, detail: `available in ${r.region}` };
    case 'blocked':
      return {
        status: 'fail',
        check,
        detail: `this account cannot use it (closed to new accounts since 2025-06-20): ${trimPeriod(r.message)}`,
        fix: 'set store: amp (Amazon Managed Service for Prometheus, open to every account), or deploy from an account that already uses Timestream; local mode (npm start) needs neither',
      };
    case 'not-permitted':
      return {
        status: 'fail',
        check,
        detail: `these credentials may not call it in ${region} (IAM policy): ${trimPeriod(r.message)}`,
        fix: 'allow timestream:DescribeEndpoints and timestream:ListDatabases, then run vigil doctor again',
      };
    default:
      return {
        status: 'fail',
        check,
        detail: `could not check it in ${r.region ?? region}: ${trimPeriod(r.message)}`,
        fix: 'deploy to a region that offers Timestream for LiveAnalytics (e.g. us-east-1, eu-west-1), or check the network',
      };
  }
};

const checkAmp = (r: AmpAvailabilityResult, region: string): CheckResult => {
  const check = CHECKS.amp;
  switch (r.status) {
    case 'available':
      return {
        status: 'ok',
        check,
        detail: `available in ${r.region}${r.workspaces > 0 ? ' (the account has workspaces)' : ''}`,
      };
    case 'not-permitted':
      return {
        status: 'fail',
        check,
        detail: `these credentials may not call it in ${region} (IAM policy): ${trimPeriod(r.message)}`,
        fix: 'allow aps:ListWorkspaces (and what cdk deploy needs: aps:CreateWorkspace, aps:TagResource...), then run vigil doctor again',
      };
    default:
      return {
        status: 'fail',
        check,
        detail: `could not check it in ${r.region ?? region}: ${trimPeriod(r.message)}`,
        fix: 'deploy to a region that offers Amazon Managed Service for Prometheus (e.g. us-east-1, eu-west-1), or check the network',
      };
  }
};

/**
 * Which store to use: the configured one when it is usable (AMP recommended when both are: no
 * Timestream compute units for the per-minute rule evaluation, Prometheus's own protocols, open
 * to every account; docs/costs.md compares them), else the other one.
 */
const checkStore = (
  configured: StoreKind,
  usable: Readonly<Record<StoreKind, boolean>>,
): CheckResult => {
  const check = CHECKS.store;
  const names = (Object.keys(usable) as StoreKind[]).filter((k) => usable[k]);
  const can = names.length > 0 ? `this account can use ${names.join(' and ')}` : '';
  if (usable[configured]) {
    const advice =
      configured === 'timestream' && usable.amp
        ? '; amp is recommended for a new deployment (priced per sample, no fixed per-minute query cost)'
        : '';
    return { status: 'ok', check, detail: `${configured} is usable (${can})${advice}` };
  }
  const other: StoreKind = configured === 'amp' ? 'timestream' : 'amp';
  return usable[other]
    ? {
        status: 'fail',
        check,
        detail: `${configured} is not usable here; ${can}`,
        fix: `set store: ${other} in vigil.config.yaml`,
      }
    : {
        status: 'fail',
        check,
        detail:
          'this account can use neither Timestream for LiveAnalytics nor Amazon Managed Service for Prometheus here',
        fix: 'see the two lines above; local mode (npm start) needs neither',
      };
};

const checkConcurrency = async (
  aws: AwsChecks,
  options: DoctorOptions,
  region: string,
  config: VigilConfig | undefined,
): Promise<CheckResult> => {
  const check = CHECKS.concurrency;
  const r = await aws.getLambdaConcurrency({
    client: options.clients?.lambda,
    clientConfig: { region },
  });
  if (r.status !== 'ok') {
    return {
      status: 'fail',
      check,
      detail: `could not read the account's settings: ${trimPeriod(r.message)}`,
      fix:
        r.status === 'not-permitted'
          ? 'allow lambda:GetAccountSettings, then run vigil doctor again'
          : 'check the credentials and the network, then run vigil doctor again',
    };
  }
  const needed = config ? reservedConcurrencyOf(config) : 0;
  const quota = `quota ${r.limit} concurrent executions in ${region}, ${r.unreserved} unreserved`;
  if (needed > aws.reservable(r.unreserved)) {
    const names = Object.keys(config ? reservedFunctionsOf(config) : {}).join(', ');
    return {
      status: 'fail',
      check,
      detail: `reservedConcurrency: true reserves ${needed} (${names}) but only ${aws.reservable(r.unreserved)} may be reserved (${quota}; Lambda keeps ${aws.MIN_UNRESERVED_CONCURRENCY} unreserved)`,
      fix: 'set reservedConcurrency: false in vigil.config.yaml (overlapping runs are harmless), or request a higher "Concurrent executions" quota in Service Quotas (AWS Lambda)',
    };
  }
  const reserves = needed > 0 ? `Vigil reserves ${needed}` : 'Vigil reserves none';
  if (r.limit < aws.MIN_UNRESERVED_CONCURRENCY) {
    return {
      status: 'warn',
      check,
      detail: `${quota}; ${reserves}, but every Vigil function shares those ${r.limit}: bursts of ingestion will be throttled (429)`,
      fix: 'request a higher "Concurrent executions" quota in Service Quotas (AWS Lambda) before production traffic',
    };
  }
  return { status: 'ok', check, detail: `${quota}; ${reserves}` };
};

/**
 * After `cdk destroy`, the kept Timestream database and `/vigil/<project>/` log groups keep their
 * names, and a new `cdk deploy` of the project stops on "already exists". CloudFormation can adopt
 * them instead (`--import-existing-resources`: named resources with a Retain or
 * RetainExceptOnCreate deletion policy).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/import-resources-automatically.html
 */
const checkLeftovers = async (
  aws: AwsChecks,
  options: DoctorOptions,
  region: string,
  config: VigilConfig | undefined,
): Promise<CheckResult> => {
  const check = CHECKS.leftovers;
  if (!config) return { status: 'skip', check, detail: 'needs a valid config' };
  const stackName = `Vigil-${config.project}`;
  const stack = await aws.getStackStatus({
    client: options.clients?.cloudFormation,
    clientConfig: { region },
    stackName,
  });
  if (stack.status === 'exists')
    return {
      status: 'ok',
      check,
      detail: `stack ${stackName} exists in ${region} (${stack.stackStatus}): cdk deploy updates it`,
    };
  const cannotLook = (message: string): CheckResult => ({
    status: 'warn',
    check,
    detail: `could not look for resources an earlier ${stackName} kept: ${trimPeriod(message)}`,
    fix: 'allow cloudformation:DescribeStacks, logs:DescribeLogGroups and timestream:DescribeDatabase, or see docs/deploying.md "What cdk destroy keeps"',
  });
  if (stack.status === 'failed') return cannotLook(stack.message);
  const database = config.timestream.database;
  const [db, groups] = await Promise.all([
    aws.timestreamDatabaseExists({ client: options.clients?.timestream, region, database }),
    aws.listLogGroupNames({
      client: options.clients?.logs,
      clientConfig: { region },
      prefix: `/vigil/${config.project}/`,
    }),
  ]);
  if (db.status === 'failed') return cannotLook(db.message);
  if (groups.status === 'failed') return cannotLook(groups.message);
  const left = [
    ...(db.status === 'exists' ? [`${database} (Timestream database)`] : []),
    ...groups.names.map((n) => `${n} (log group)`),
  ];
  if (left.length === 0)
    return {
      status: 'ok',
      check,
      detail: `no stack ${stackName} in ${region} yet, and nothing left with its names`,
    };
  return {
    status: 'fail',
    check,
    detail: `no stack ${stackName} in ${region}, but an earlier one kept ${left.join(', ')}: cdk deploy would stop on "already exists"`,
    fix: 'npx cdk deploy --import-existing-resources (CloudFormation adopts them, data included), or remove them (docs/deploying.md "What cdk destroy keeps")',
  };
};

/**
 * Runs every check and prints one line each.
 * @returns the exit code: 0 ok, 1 a check failed, 2 no usable AWS credentials or region.
 */
async function doctor(options: DoctorOptions): Promise<number> {
  const results: CheckResult[] = [];
  const report = (r: CheckResult) => {
    results.push(r);
    options.out(formatLine(r));
  };
  const { result, config } = checkConfig(options);
  report(result);
  const aws = await loadAwsChecks();

  const identity = await aws.getCallerIdentity({
    client: options.clients?.sts,
    clientConfig: options.region ? { region: options.region } : {},
  });
  if (identity.status !== 'ok') {
    report({
      status: 'fail',
      check: CHECKS.credentials,
      detail:
        identity.status === 'not-configured'
          ? `no usable AWS credentials or region: ${trimPeriod(identity.message)}`
          : `could not reach AWS STS in ${identity.region ?? 'the configured region'}: ${trimPeriod(identity.message)}`,
      fix:
        identity.status === 'not-configured'
          ? 'configure credentials and a region (aws configure, AWS_PROFILE, AWS_REGION), then run vigil doctor again'
          : 'check the network and the region (AWS_REGION), then run vigil doctor again',
    });
    for (const check of [
      CHECKS.bootstrap,
      CHECKS.timestream,
      CHECKS.amp,
      CHECKS.store,
      CHECKS.concurrency,
      CHECKS.leftovers,
    ])
      report({ status: 'skip', check, detail: 'needs AWS credentials and a region' });
    return identity.status === 'not-configured' ? 2 : 1;
  }
  const { account, arn, region } = identity;
  report({
    status: 'ok',
    check: CHECKS.credentials,
    detail: `account ${account} in ${region} as ${arn}`,
  });
  report(await checkBootstrap(aws, options, account, region));
  const configured: StoreKind = config?.store ?? 'timestream';
  const timestream = await checkTimestream(aws, options, region);
  const amp = checkAmp(
    await aws.checkAmpAvailability({ client: options.clients?.amp, region }),
    region,
  );
  report(unlessUnused(timestream, configured === 'timestream'));
  report(unlessUnused(amp, configured === 'amp'));
  report(
    checkStore(configured, { timestream: timestream.status === 'ok', amp: amp.status === 'ok' }),
  );
  report(await checkConcurrency(aws, options, region, config));
  report(await checkLeftovers(aws, options, region, config));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

const USAGE = `usage: vigil doctor [--config <file>] [--region <region>]

Checks before deploying, one line each with the fix: the config, AWS credentials, CDK bootstrap,
Timestream for LiveAnalytics, Amazon Managed Service for Prometheus, the Lambda concurrency
quota, and leftovers of a destroyed stack.

  --config <file>     the Vigil config (default $VIGIL_CONFIG, else ./vigil.config.yaml)
  --region <region>   the region to check (default: the AWS SDK's, from AWS_REGION or the profile)

exit codes: 0 ok, 1 a check failed, 2 no usable AWS credentials or region, or a usage error`;

/** `vigil doctor <args>`: parses the flags, then runs every check; returns the exit code. */
const runDoctor = async (
  args: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> => {
  const parsed = parseFlags(args, {
    ...HELP_FLAG,
    config: { type: 'string' },
    region: { type: 'string' },
  });
  if ('error' in parsed) {
    io.err(`vigil doctor: ${parsed.error}`);
    io.err(USAGE);
    return ExitCode.Usage;
  }
  const { help, config, region } = parsed.values;
  if (help === true) {
    io.out(USAGE);
    return ExitCode.Ok;
  }
  return doctor({
    out: io.out,
    ...(config ? { configPath: config } : {}),
    ...(region ? { region } : {}),
  });
};

export type { DoctorOptions };
export { doctor, runDoctor };
