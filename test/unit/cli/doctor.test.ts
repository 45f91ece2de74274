import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DescribeDatabaseCommand,
  DescribeEndpointsCommand,
  ListDatabasesCommand,
  TimestreamWriteClient,
} from '@aws-sdk/client-timestream-write';
import { AmpClient, ListWorkspacesCommand } from '@aws-sdk/client-amp';
import { mockClient } from 'aws-sdk-client-mock';
import { doctor } from '../../../bin/commands/doctor';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
const timestream = mockClient(TimestreamWriteClient);
const cloudFormation = mockClient(CloudFormationClient);
const logs = mockClient(CloudWatchLogsClient);
const amp = mockClient(AmpClient);

const awsError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

/** A `vigil.config.yaml` in a directory of its own. */
const configFile = (text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
  const file = join(dir, 'vigil.config.yaml');
  writeFileSync(file, text);
  return file;
};

const DEMO = configFile('project: demo\n');
/** The default dashboards bring the rule evaluator: one reserved execution. */
const RESERVING = configFile('project: demo\nreservedConcurrency: true\n');

const ROLE_ARN = 'arn:aws:sts::123456789012:assumed-role/deployer/ci';

const run = async (config = DEMO, region = 'eu-west-1') => {
  const lines: string[] = [];
  const code = await doctor({
    out: (l) => lines.push(l),
    configPath: config,
    env: {},
    qualifier: 'hnb659fds',
    clients: {
      sts: new STSClient({ region }),
      ssm: new SSMClient({ region }),
      lambda: new LambdaClient({ region }),
      timestream: new TimestreamWriteClient({ region }),
      amp: new AmpClient({ region }),
      cloudFormation: new CloudFormationClient({ region }),
      logs: new CloudWatchLogsClient({ region }),
    },
  });
  return { code, lines };
};

/** Quota `limit`, of which `reserved` are reserved by functions already deployed. */
const quota = (limit: number, reserved = 0) =>
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: limit - reserved },
  });

beforeEach(() => {
  // An account ready for Vigil: credentials, bootstrap version 27, Timestream, quota 1000.
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: ROLE_ARN });
  ssm.on(GetParameterCommand).resolves({
    Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '27' },
  });
  timestream.on(DescribeEndpointsCommand).resolves({
    Endpoints: [
      { Address: 'ingest-cell1.timestream.eu-west-1.amazonaws.com', CachePeriodInMinutes: 1440 },
    ],
  });
  timestream.on(ListDatabasesCommand).resolves({ Databases: [] });
  amp.on(ListWorkspacesCommand).resolves({ workspaces: [] });
  quota(1000);
  // First deploy: no stack, nothing kept from an earlier one.
  cloudFormation
    .on(DescribeStacksCommand)
    .rejects(awsError('ValidationError', 'Stack with id Vigil-demo does not exist'));
  timestream
    .on(DescribeDatabaseCommand)
    .rejects(awsError('ResourceNotFoundException', 'The database vigil-demo does not exist.'));
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
});

afterEach(() => {
  for (const m of [sts, ssm, lambda, timestream, amp, cloudFormation, logs]) m.reset();
});

describe('Command: vigil doctor', () => {
  it('passes every check in an account ready for Vigil', async () => {
    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual([
      `ok    config: ${DEMO} is valid (project demo, stack Vigil-demo)`,
      `ok    AWS credentials: account 123456789012 in eu-west-1 as ${ROLE_ARN}`,
      'ok    CDK bootstrap: aws://123456789012/eu-west-1 has bootstrap version 27',
      'ok    Timestream for LiveAnalytics: available in eu-west-1',
      'ok    Amazon Managed Service for Prometheus: available in eu-west-1',
      'ok    store: timestream is usable (this account can use timestream and amp); amp is recommended for a new deployment (priced per sample, no fixed per-minute query cost)',
      'ok    Lambda concurrency: quota 1000 concurrent executions in eu-west-1, 1000 unreserved; Vigil reserves none',
      'ok    earlier deployment: no stack Vigil-demo in eu-west-1 yet, and nothing left with its names',
    ]);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cdk-bootstrap/hnb659fds/version',
    });
    expect(timestream).toHaveReceivedCommandWith(ListDatabasesCommand, { MaxResults: 1 });
    expect(amp).toHaveReceivedCommandWith(ListWorkspacesCommand, { maxResults: 1 });
  });

  it('fails an account without Timestream for LiveAnalytics, quoting AWS, and says what to do', async () => {
    // Prepare: every Timestream call is denied
    const closed = awsError(
      'AccessDeniedException',
      'Only existing Timestream for LiveAnalytics customers can access the service. Reach out to AWS Support for more information.',
    );
    timestream.on(DescribeEndpointsCommand).rejects(closed);
    timestream.on(DescribeDatabaseCommand).rejects(closed);

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[3]).toBe(
      'fail  Timestream for LiveAnalytics: this account cannot use it (closed to new accounts since 2025-06-20): Only existing Timestream for LiveAnalytics customers can access the service. Reach out to AWS Support for more information. Fix: set store: amp (Amazon Managed Service for Prometheus, open to every account), or deploy from an account that already uses Timestream; local mode (npm start) needs neither',
    );
    expect(lines[5]).toBe(
      'fail  store: timestream is not usable here; this account can use amp. Fix: set store: amp in vigil.config.yaml',
    );
    expect(lines.filter((l) => l.startsWith('ok'))).toHaveLength(5);
    expect(lines[7]).toMatch(/^warn {2}earlier deployment: could not look for resources/);
    expect(timestream).not.toHaveReceivedCommand(ListDatabasesCommand);
  });

  it('tells a missing IAM permission apart from the closure', async () => {
    // Prepare
    timestream
      .on(DescribeEndpointsCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: timestream:DescribeEndpoints because no identity-based policy allows the timestream:DescribeEndpoints action',
        ),
      );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[3]).toMatch(
      /^fail {2}Timestream for LiveAnalytics: these credentials may not call it in eu-west-1 \(IAM policy\): User: arn.*\. Fix: allow timestream:DescribeEndpoints and timestream:ListDatabases/,
    );
  });

  it('explains a region without a Timestream endpoint', async () => {
    // Prepare
    timestream.on(DescribeEndpointsCommand).rejects(
      awsError('Error', 'getaddrinfo ENOTFOUND ingest.timestream.af-south-1.amazonaws.com', {
        code: 'ENOTFOUND',
      }),
    );

    // Act
    const { code, lines } = await run(DEMO, 'af-south-1');

    // Assess
    expect(code).toBe(1);
    expect(lines[3]).toBe(
      'fail  Timestream for LiveAnalytics: could not check it in af-south-1: no Timestream for LiveAnalytics endpoint reachable in af-south-1 (ENOTFOUND: getaddrinfo ENOTFOUND ingest.timestream.af-south-1.amazonaws.com). Fix: deploy to a region that offers Timestream for LiveAnalytics (e.g. us-east-1, eu-west-1), or check the network',
    );
  });

  it('fails an environment that is not bootstrapped, giving the bootstrap command', async () => {
    // Prepare
    ssm
      .on(GetParameterCommand)
      .rejects(
        awsError('ParameterNotFound', 'Parameter /cdk-bootstrap/hnb659fds/version not found.'),
      );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[2]).toBe(
      'fail  CDK bootstrap: aws://123456789012/eu-west-1 is not bootstrapped (no SSM parameter /cdk-bootstrap/hnb659fds/version). Fix: npx cdk bootstrap aws://123456789012/eu-west-1 (once per account and region)',
    );
  });

  it('fails a bootstrap older than the templates accept', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '5' } });

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[2]).toBe(
      'fail  CDK bootstrap: aws://123456789012/eu-west-1 has bootstrap version 5; this CDK needs 6 or later. Fix: npx cdk bootstrap aws://123456789012/eu-west-1 (updates the CDKToolkit stack)',
    );
  });

  it('fails a reservation an account with a quota of 10 cannot make', async () => {
    // Prepare
    quota(10);

    // Act
    const { code, lines } = await run(RESERVING);

    // Assess
    expect(code).toBe(1);
    expect(lines[6]).toBe(
      'fail  Lambda concurrency: reservedConcurrency: true reserves 1 (evaluateRules) but only 0 may be reserved (quota 10 concurrent executions in eu-west-1, 10 unreserved; Lambda keeps 100 unreserved). Fix: set reservedConcurrency: false in vigil.config.yaml (overlapping runs are harmless), or request a higher "Concurrent executions" quota in Service Quotas (AWS Lambda)',
    );
  });

  it('only warns an account with a quota of 10 when Vigil reserves nothing (the default)', async () => {
    // Prepare
    quota(10);

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(0);
    expect(lines[6]).toBe(
      'warn  Lambda concurrency: quota 10 concurrent executions in eu-west-1, 10 unreserved; Vigil reserves none, but every Vigil function shares those 10: bursts of ingestion will be throttled (429). Fix: request a higher "Concurrent executions" quota in Service Quotas (AWS Lambda) before production traffic',
    );
  });

  it('passes a reservation that leaves Lambda its 100 unreserved executions', async () => {
    // Prepare: 101 unreserved of 1000
    quota(1000, 899);

    // Act
    const { code, lines } = await run(RESERVING);

    // Assess
    expect(code).toBe(0);
    expect(lines[6]).toBe(
      'ok    Lambda concurrency: quota 1000 concurrent executions in eu-west-1, 101 unreserved; Vigil reserves 1',
    );
  });

  it('fails a reservation that would leave 99 unreserved', async () => {
    // Prepare: 100 unreserved of 1000
    quota(1000, 900);

    // Act
    const { code, lines } = await run(RESERVING);

    // Assess
    expect(code).toBe(1);
    expect(lines[6]).toMatch(/^fail {2}Lambda concurrency: .* but only 0 may be reserved/);
  });

  it('fails an invalid config with every issue on one line, and still checks the account', async () => {
    // Prepare
    const broken = configFile('project: Demo!\nreservedConcurrency: maybe\n');

    // Act
    const { code, lines } = await run(broken);

    // Assess
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      `fail  config: ${broken} is invalid: project: "Demo!" is not valid (lowercase letters, digits and -, starting with a letter, at most 31 characters); reservedConcurrency: must be true or false. Fix: correct the keys listed (docs/configuration.md; \`npx vigil rules check\` for rule files), then run vigil doctor again`,
    );
    expect(lines.slice(1, 5).every((l) => l.startsWith('ok'))).toBe(true);
    expect(lines[7]).toBe('skip  earlier deployment: needs a valid config');
  });

  it('exits 2 and skips the AWS checks when there are no credentials', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(2);
    expect(lines.slice(1)).toEqual([
      'fail  AWS credentials: no usable AWS credentials or region: Could not load credentials from any providers. Fix: configure credentials and a region (aws configure, AWS_PROFILE, AWS_REGION), then run vigil doctor again',
      'skip  CDK bootstrap: needs AWS credentials and a region',
      'skip  Timestream for LiveAnalytics: needs AWS credentials and a region',
      'skip  Amazon Managed Service for Prometheus: needs AWS credentials and a region',
      'skip  store: needs AWS credentials and a region',
      'skip  Lambda concurrency: needs AWS credentials and a region',
      'skip  earlier deployment: needs AWS credentials and a region',
    ]);
    expect(timestream).not.toHaveReceivedCommand(DescribeEndpointsCommand);
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('fails when a destroyed stack kept the database and log groups a new deploy would collide with', async () => {
    // Prepare
    timestream.on(DescribeDatabaseCommand).resolves({ Database: { DatabaseName: 'vigil-demo' } });
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: '/vigil/demo/api' }, { logGroupName: '/vigil/demo/default' }],
    });

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[7]).toBe(
      'fail  earlier deployment: no stack Vigil-demo in eu-west-1, but an earlier one kept vigil-demo (Timestream database), /vigil/demo/api (log group), /vigil/demo/default (log group): cdk deploy would stop on "already exists". Fix: npx cdk deploy --import-existing-resources (CloudFormation adopts them, data included), or remove them (docs/deploying.md "What cdk destroy keeps")',
    );
    expect(logs).toHaveReceivedCommandWith(DescribeLogGroupsCommand, {
      logGroupNamePrefix: '/vigil/demo/',
    });
    expect(timestream).toHaveReceivedCommandWith(DescribeDatabaseCommand, {
      DatabaseName: 'vigil-demo',
    });
  });

  it('reads every page of log groups', async () => {
    // Prepare
    logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: '/vigil/demo/api' }], nextToken: 'page-2' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/vigil/demo/inference' }] });

    // Act
    const { lines } = await run();

    // Assess
    expect(lines[7]).toMatch(
      /kept \/vigil\/demo\/api \(log group\), \/vigil\/demo\/inference \(log group\): /,
    );
    expect(logs).toHaveReceivedCommandWith(DescribeLogGroupsCommand, { nextToken: 'page-2' });
  });

  it('is content with the kept resources of a stack that still exists (cdk deploy updates it)', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Vigil-demo',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-11-01T00:00:00Z'),
        },
      ],
    });

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(0);
    expect(lines[7]).toBe(
      'ok    earlier deployment: stack Vigil-demo exists in eu-west-1 (UPDATE_COMPLETE): cdk deploy updates it',
    );
    expect(logs).not.toHaveReceivedCommand(DescribeLogGroupsCommand);
  });

  it('only warns when it may not look for leftovers', async () => {
    // Prepare
    logs
      .on(DescribeLogGroupsCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: logs:DescribeLogGroups',
        ),
      );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(0);
    expect(lines[7]).toMatch(
      /^warn {2}earlier deployment: could not look for resources an earlier Vigil-demo kept: AccessDeniedException: .*\. Fix: allow cloudformation:DescribeStacks, logs:DescribeLogGroups and timestream:DescribeDatabase/,
    );
  });

  it('exits 1 and says what to check when AWS cannot be reached', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).rejects(
      awsError('Error', 'getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com', {
        code: 'ENOTFOUND',
      }),
    );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[1]).toBe(
      'fail  AWS credentials: could not reach AWS STS in eu-west-1: Error: getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com. Fix: check the network and the region (AWS_REGION), then run vigil doctor again',
    );
    expect(lines.slice(2).every((l) => l.startsWith('skip'))).toBe(true);
  });

  it('fails a config whose rule file is invalid, as cdk synth would', async () => {
    // Prepare
    const config = configFile('project: demo\nrules: [bad.yml]\n');
    writeFileSync(
      join(dirname(config), 'bad.yml'),
      'groups:\n  - name: broken\n    rules:\n      - alert: BadExpr\n        expr: sum(rate(foo[5m]) >\n',
    );

    // Act
    const { code, lines } = await run(config);

    // Assess
    expect(code).toBe(1);
    expect(lines[0]).toMatch(
      /^fail {2}config: .*bad\.yml.*BadExpr.*\. Fix: correct the keys listed/,
    );
  });

  it('says when no config file exists and every default applies', async () => {
    // Prepare: the default path, in a directory without a config
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    const cwd = process.cwd();
    process.chdir(dir);
    const lines: string[] = [];

    // Act
    try {
      await doctor({ out: (l) => lines.push(l), env: {}, clients: { sts: new STSClient({}) } });
    } finally {
      process.chdir(cwd);
    }

    // Assess
    expect(lines[0]).toBe(
      `ok    config: no ${join(dir, 'vigil.config.yaml')}: every default applies (project vigil, stack Vigil-vigil)`,
    );
  });

  it('exits 2 for expired credentials', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));

    // Act
    const { code } = await run();

    // Assess
    expect(code).toBe(2);
  });

  it('exits 2 when no region is configured', async () => {
    // Prepare
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'])
      delete process.env[name];
    process.env.AWS_CONFIG_FILE = '/nonexistent/vigil-test-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/vigil-test-credentials';
    const lines: string[] = [];

    // Act
    const code = await doctor({
      out: (l) => lines.push(l),
      configPath: DEMO,
      env: {},
      clients: { sts: new STSClient({}) },
    });

    // Assess
    process.env = saved;
    expect(code).toBe(2);
    expect(lines[1]).toMatch(
      /^fail {2}AWS credentials: no usable AWS credentials or region: .*[Rr]egion/,
    );
  });

  it('passes store: amp in an account without Timestream, warning about the unused store only', async () => {
    // Prepare
    const closed = awsError(
      'AccessDeniedException',
      'Only existing Timestream for LiveAnalytics customers can access the service.',
    );
    timestream.on(DescribeEndpointsCommand).rejects(closed);
    amp.on(ListWorkspacesCommand).resolves({ workspaces: [{ workspaceId: 'ws-1' } as never] });

    // Act
    const { code, lines } = await run(configFile('project: demo\nstore: amp\n'));

    // Assess
    expect(code).toBe(0);
    expect(lines[3]).toMatch(
      /^warn {2}Timestream for LiveAnalytics: this account cannot use it .* \(not the configured store\)\. Fix: /,
    );
    expect(lines[4]).toBe(
      'ok    Amazon Managed Service for Prometheus: available in eu-west-1 (the account has workspaces)',
    );
    expect(lines[5]).toBe('ok    store: amp is usable (this account can use amp)');
  });

  it('fails store: amp when the credentials may not call AMP, naming the permission', async () => {
    // Prepare
    amp
      .on(ListWorkspacesCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: aps:ListWorkspaces',
        ),
      );

    // Act
    const { code, lines } = await run(configFile('project: demo\nstore: amp\n'));

    // Assess
    expect(code).toBe(1);
    expect(lines[4]).toMatch(
      /^fail {2}Amazon Managed Service for Prometheus: these credentials may not call it in eu-west-1 \(IAM policy\): .*\. Fix: allow aps:ListWorkspaces/,
    );
    expect(lines[5]).toBe(
      'fail  store: amp is not usable here; this account can use timestream. Fix: set store: timestream in vigil.config.yaml',
    );
  });

  it('keeps a multi-line AWS message on one line', async () => {
    // Prepare
    timestream.on(ListDatabasesCommand).rejects(awsError('InternalServerException', 'boom\nagain'));

    // Act
    const { lines } = await run();

    // Assess
    expect(lines[3]).toMatch(
      /^fail {2}Timestream for LiveAnalytics: could not check it in eu-west-1: InternalServerException: boom again\. Fix: /,
    );
  });
});
