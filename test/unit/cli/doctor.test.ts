import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DescribeEndpointsCommand,
  ListDatabasesCommand,
  TimestreamWriteClient,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { doctor } from '../../../bin/commands/doctor';

const timestream = mockClient(TimestreamWriteClient);
const sts = mockClient(STSClient);

const awsError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

const run = async (region?: string) => {
  const lines: string[] = [];
  const code = await doctor({
    client: new TimestreamWriteClient({ region: 'eu-west-1' }),
    sts: new STSClient({ region: 'eu-west-1' }),
    region,
    out: (l) => lines.push(l),
  });
  return { code, lines };
};

beforeEach(() => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  timestream.on(DescribeEndpointsCommand).resolves({
    Endpoints: [
      { Address: 'ingest-cell1.timestream.eu-west-1.amazonaws.com', CachePeriodInMinutes: 1440 },
    ],
  });
  timestream.on(ListDatabasesCommand).resolves({ Databases: [] });
});

afterEach(() => {
  timestream.reset();
  sts.reset();
});

describe('Command: vigil doctor', () => {
  it('says ok, with region and account, when the account can use the service', async () => {
    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual([
      'ok: Timestream for LiveAnalytics is available in eu-west-1 (account 123456789012)',
    ]);
    expect(timestream).toHaveReceivedCommandWith(DescribeEndpointsCommand, {});
    expect(timestream).toHaveReceivedCommandWith(ListDatabasesCommand, { MaxResults: 1 });
  });

  it('uses the region it is given', async () => {
    // Act
    const { lines } = await run('us-east-2');

    // Assess
    expect(lines[0]).toContain('available in us-east-2');
  });

  it('says blocked, quoting AWS, when the account is denied the service', async () => {
    // Prepare
    timestream
      .on(DescribeEndpointsCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'Only existing Timestream for LiveAnalytics customers can access the service. Reach out to AWS Support for more information.',
        ),
      );

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines).toEqual([
      "blocked: this account cannot use Timestream for LiveAnalytics (closed to new accounts since 2025-06-20): Only existing Timestream for LiveAnalytics customers can access the service. Reach out to AWS Support for more information. Vigil's AWS deploy needs it; local mode (npm start) does not.",
    ]);
    expect(timestream).not.toHaveReceivedCommand(ListDatabasesCommand);
  });

  it('says blocked when only ListDatabases is denied', async () => {
    // Prepare
    timestream.on(ListDatabasesCommand).rejects(awsError('AccessDeniedException', 'Access denied'));

    // Act
    const { code, lines } = await run();

    // Assess
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^blocked: .*: Access denied\. Vigil's AWS deploy needs it/);
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
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: these credentials may not call Timestream .* \(IAM policy\): User: arn/,
    );
  });

  it('exits 2 with one clear line when there are no credentials', async () => {
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
    expect(lines).toEqual([
      'error: no usable AWS credentials or region: Could not load credentials from any providers. Configure them (aws configure, AWS_PROFILE, AWS_REGION), then run vigil doctor again.',
    ]);
    expect(timestream).not.toHaveReceivedCommand(DescribeEndpointsCommand);
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
    const code = await doctor({ client: new TimestreamWriteClient({}), out: (l) => lines.push(l) });

    // Assess
    process.env = saved;
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: no usable AWS credentials or region: .*[Rr]egion/);
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

  it('explains a region without a Timestream endpoint', async () => {
    // Prepare
    timestream.on(DescribeEndpointsCommand).rejects(
      awsError('Error', 'getaddrinfo ENOTFOUND ingest.timestream.af-south-1.amazonaws.com', {
        code: 'ENOTFOUND',
      }),
    );

    // Act
    const { code, lines } = await run('af-south-1');

    // Assess
    expect(code).toBe(1);
    expect(lines).toEqual([
      'error: could not check Timestream for LiveAnalytics in af-south-1: no Timestream for LiveAnalytics endpoint reachable in af-south-1 (ENOTFOUND: getaddrinfo ENOTFOUND ingest.timestream.af-south-1.amazonaws.com).',
    ]);
  });

  it('keeps a multi-line AWS message on one line', async () => {
    // Prepare
    timestream.on(ListDatabasesCommand).rejects(awsError('InternalServerException', 'boom\nagain'));

    // Act
    const { lines } = await run();

    // Assess
    expect(lines).toEqual([
      'error: could not check Timestream for LiveAnalytics in eu-west-1: InternalServerException: boom again.',
    ]);
  });
});
