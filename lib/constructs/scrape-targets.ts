import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { type CfnPolicy, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../lambdas/domain/config/validate';
import {
  deployedScrapeIssues,
  MIN_DEPLOYED_SCRAPE_INTERVAL_MS,
  referencedSecrets,
  type ScrapeConfig,
} from '../../lambdas/domain/scrape/scrape-config';
import { ENV } from '../../lambdas/shared/env';
import { Access, type Storage } from './storage';
import { VigilFunction, type VigilFunctionProps } from './vigil-function';
import { scheduledLambdaTarget, scheduleDeadLetterQueue } from './schedule-dead-letter-queue';

/** Name of the jobs file inside the scrape function's bundle (`VIGIL_SCRAPE_JOBS`). */
export const SCRAPE_JOBS_FILE = 'scrape-jobs.json';

/**
 * Writes the jobs to a fresh temporary directory for `bundleFiles` (outside `cdk.out`): the jobs
 * travel in the bundle, not the environment, whose variables hold 4 KB in all.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
const writeScrapeJobs = (scrape: ScrapeConfig): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-scrape-')), SCRAPE_JOBS_FILE);
  writeFileSync(file, JSON.stringify(scrape.jobs));
  return file;
};

export interface ScrapeTargetsProps {
  /** `scrape_configs` (at least one job) and `scrape.vpc`. */
  readonly scrape: ScrapeConfig;
  /** Samples and series index (written), alert-state table (per-target state). */
  readonly storage: Storage;
  /** House defaults shared by every Vigil function. @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
  /** What happens to the dead-letter queue when the stack is deleted. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The schedule of the scrape function: the greatest common divisor of the jobs' intervals, in
 * minutes, so every job's interval is a whole number of ticks (1m and 2m jobs → every minute;
 * 2m and 4m → every 2 minutes).
 * @param scrape - validated jobs (intervals whole minutes, see `deployedScrapeIssues`)
 */
const scrapeScheduleMinutes = (scrape: ScrapeConfig): number =>
  scrape.jobs
    .map((j) => Math.max(1, Math.round(j.scrapeIntervalMs / MIN_DEPLOYED_SCRAPE_INTERVAL_MS)))
    .reduce(gcd);

/** Targets scraped at the same time by one run (`runScrape`'s default concurrency). */
const SCRAPE_CONCURRENCY = 16;

/**
 * The function's timeout: enough for every target to time out (rounds of 16 at the jobs'
 * longest `scrape_timeout`) plus 30 s for the writes, at least the schedule period, at most
 * Lambda's 15 minutes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
const scrapeFunctionTimeoutSeconds = (scrape: ScrapeConfig, scheduleMinutes: number): number => {
  const targets = scrape.jobs.reduce(
    (n, j) => n + j.staticConfigs.reduce((m, s) => m + s.targets.length, 0),
    0,
  );
  const longest = Math.max(...scrape.jobs.map((j) => j.scrapeTimeoutMs)) / 1000;
  const rounds = Math.ceil(targets / SCRAPE_CONCURRENCY);
  return Math.min(900, Math.max(scheduleMinutes * 60, Math.ceil(rounds * longest) + 30));
};

/**
 * The ARN granting one `*_secret` reference: an ARN as given (a partial ARN, without Secrets
 * Manager's 6-character suffix, gets `-??????`), a name as `secret:<name>-??????`.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
 */
const secretArnOf = (scope: Construct, secretId: string): string => {
  if (secretId.startsWith('arn:')) {
    const parts = Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME);
    return /-[A-Za-z0-9]{6}$/.test(parts.resourceName ?? '') ? secretId : `${secretId}-??????`;
  }
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
};

/**
 * Scrape targets: an EventBridge rule runs the `scrape-targets` function at the jobs'
 * common interval; each run scrapes the due targets and writes their samples, `up` and
 * `scrape_*` series through the ingestion pipeline, keeping per-target state in the alert-state
 * table.
 *
 * - Synth refuses what cannot work deployed (`deployedScrapeIssues`): intervals under a minute
 *   or not whole minutes, credentials other than `*_secret`.
 * - `secretsmanager:GetSecretValue` on exactly the referenced secrets.
 * - `scrape.vpc`: the function runs in the given subnets with the given security groups (for
 *   private targets); the subnets need a route to Timestream, DynamoDB, Secrets Manager and
 *   CloudWatch Logs (NAT gateway or VPC endpoints).
 * - Reserved concurrency 1, no retries, stale ticks dropped, undeliverable ticks in an SQS DLQ,
 *   as the rule evaluator.
 *
 * `Vigil` creates this construct only when `scrape_configs` lists at least one job.
 */
class ScrapeTargets extends Construct {
  readonly function: VigilFunction;
  /** The local file copied into the bundle as {@link SCRAPE_JOBS_FILE}. */
  readonly jobsFile: string;
  readonly schedule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScrapeTargetsProps) {
    super(scope, id);
    const { scrape } = props;
    const issues = deployedScrapeIssues(scrape);
    if (issues.length > 0) throw new ConfigError('scrape_configs', issues);
    const minutes = scrapeScheduleMinutes(scrape);
    const targets = scrape.jobs.reduce(
      (n, j) => n + j.staticConfigs.reduce((m, s) => m + s.targets.length, 0),
      0,
    );

    this.jobsFile = writeScrapeJobs(scrape);
    this.function = new VigilFunction(this, 'Function', {
      ...props.functionProps,
      handlerName: 'scrape-targets',
      description: `Vigil: scrapes ${targets} target${targets === 1 ? '' : 's'} (${scrape.jobs.length} job${scrape.jobs.length === 1 ? '' : 's'}), every ${minutes} min`,
      timeout: Duration.seconds(scrapeFunctionTimeoutSeconds(scrape, minutes)),
      reservedConcurrentExecutions: 1,
      bundleFiles: { [SCRAPE_JOBS_FILE]: this.jobsFile },
      environment: {
        ...props.functionProps?.environment,
        [ENV.SCRAPE_JOBS]: SCRAPE_JOBS_FILE,
      },
    });
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    props.storage.bindSamples(this.function, { access: Access.WriteOnly });
    props.storage.bindSeriesIndexTable(this.function);
    props.storage.bindAlertStateTable(this.function, { access: Access.ReadWrite });

    const secrets = referencedSecrets(scrape);
    if (secrets.length > 0) {
      // A policy of its own, so the acknowledgment below covers this statement only.
      const secretsPolicy = new Policy(this, 'ScrapeSecrets', {
        statements: [
          new PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: secrets.map((s) => secretArnOf(this, s)),
          }),
        ],
      });
      if (this.function.role) secretsPolicy.attachToRole(this.function.role);
      Validations.of(secretsPolicy).acknowledge({
        id: 'AwsSolutions-IAM5',
        reason:
          'A secret referenced by name or partial ARN is granted as <arn>-?????? : Secrets Manager appends a random 6-character suffix to every secret ARN, so the wildcard matches exactly that one secret.',
      });
    }

    if (scrape.vpc) {
      // Escape hatch instead of an IVpc: only the subnet and security group ids are needed.
      const cfn = this.function.node.defaultChild as CfnFunction;
      cfn.vpcConfig = {
        subnetIds: [...scrape.vpc.subnetIds],
        securityGroupIds: [...scrape.vpc.securityGroupIds],
      };
      // What AWSLambdaVPCAccessExecutionRole grants; Lambda checks it when the function is
      // created, so the function depends on the policy.
      // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
      const eni = new Policy(this, 'VpcAccess', {
        statements: [
          new PolicyStatement({
            actions: [
              'ec2:CreateNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeSubnets',
              'ec2:DeleteNetworkInterface',
              'ec2:AssignPrivateIpAddresses',
              'ec2:UnassignPrivateIpAddresses',
            ],
            resources: ['*'],
          }),
        ],
      });
      if (this.function.role) eni.attachToRole(this.function.role);
      cfn.addResourceDependency(eni.node.defaultChild as CfnPolicy);
      Validations.of(eni).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Lambda creates and deletes the network interfaces of a VPC function itself; the EC2 network-interface actions support no resource-level permission for this use (AWSLambdaVPCAccessExecutionRole grants them on *).',
      });
    }

    this.deadLetterQueue = scheduleDeadLetterQueue(this, {
      of: 'the scrape schedule (EventBridge target)',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Vigil: runs the scrape of scrape_configs targets',
      schedule: Schedule.rate(Duration.minutes(minutes)),
      targets: [scheduledLambdaTarget(this.function, this.deadLetterQueue)],
    });
  }
}

export { ScrapeTargets, scrapeFunctionTimeoutSeconds, scrapeScheduleMinutes, secretArnOf };
