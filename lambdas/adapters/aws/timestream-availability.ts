/**
 * Can this AWS account use Amazon Timestream for LiveAnalytics?
 *
 * AWS closed Timestream for LiveAnalytics to new customers on 2025-06-20; accounts that did not
 * use it before get `AccessDeniedException` from every Timestream call, with a message telling
 * them to contact AWS Support
 * (https://docs.aws.amazon.com/timestream/latest/developerguide/AmazonTimestreamForLiveAnalytics-availability-change.html,
 * and e.g. https://github.com/aws-solutions/innovation-sandbox-on-aws/issues/159).
 * The check calls DescribeEndpoints (what every SDK call does first) and ListDatabases, so it
 * needs only `timestream:DescribeEndpoints` and `timestream:ListDatabases`, plus
 * `sts:GetCallerIdentity` to name the account.
 *
 * An `AccessDeniedException` whose message has IAM's wording ("… is not authorized to perform:
 * timestream:…") is a missing IAM permission of the caller, not the closure, and is reported as
 * such; any other `AccessDeniedException` is the closure. AWS does not document the closure
 * message, so the check does not depend on its wording.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DescribeEndpointsCommand,
  ListDatabasesCommand,
  TimestreamWriteClient,
} from '@aws-sdk/client-timestream-write';

/** Outcome categories of {@link checkTimestreamAvailability}. */
const TimestreamAvailability = {
  /** The account can use the service in the region. */
  Available: 'available',
  /** The account is denied the service (closed to new accounts). */
  Blocked: 'blocked',
  /** The caller's IAM policy does not allow the calls. */
  NotPermitted: 'not-permitted',
  /** No usable credentials or region. */
  NotConfigured: 'not-configured',
  /** Anything else: no endpoint in the region, network, service error. */
  Failed: 'failed',
} as const;
type TimestreamAvailability = (typeof TimestreamAvailability)[keyof typeof TimestreamAvailability];

type AvailabilityResult =
  | { readonly status: 'available'; readonly region: string; readonly account: string }
  | {
      readonly status: Exclude<TimestreamAvailability, 'available'>;
      readonly region?: string;
      readonly account?: string;
      /** AWS's own message (or the SDK's), on one line. */
      readonly message: string;
    };

interface TimestreamAvailabilityOptions {
  /** @default a new `TimestreamWriteClient({ region })` */
  readonly client?: TimestreamWriteClient;
  /** @default a new `STSClient({ region })` */
  readonly sts?: STSClient;
  /** @default the SDK's region resolution (AWS_REGION, profile) */
  readonly region?: string;
}

/** Errors meaning "no usable credentials", from the credential chain or from the service. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'TokenRefreshRequired',
]);
/** Network errors: typically a region without a Timestream for LiveAnalytics endpoint. */
const NETWORK_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT']);
const IAM_DENIAL_RE = /is not authorized to perform/i;

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

const errorParts = (error: unknown): { name: string; code: string; message: string } => {
  if (error instanceof Error) {
    const code = String((error as { code?: unknown }).code ?? '');
    return { name: error.name, code, message: oneLine(error.message) };
  }
  return { name: 'Error', code: '', message: oneLine(String(error)) };
};

const classify = (
  error: unknown,
  region: string,
  account: string | undefined,
): AvailabilityResult => {
  const { name, code, message } = errorParts(error);
  if (CREDENTIAL_ERRORS.has(name)) {
    return { status: TimestreamAvailability.NotConfigured, region, account, message };
  }
  if (name === 'AccessDeniedException') {
    const status = IAM_DENIAL_RE.test(message)
      ? TimestreamAvailability.NotPermitted
      : TimestreamAvailability.Blocked;
    return { status, region, account, message };
  }
  if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name)) {
    return {
      status: TimestreamAvailability.Failed,
      region,
      account,
      message: `no Timestream for LiveAnalytics endpoint reachable in ${region} (${code || name}: ${message})`,
    };
  }
  return { status: TimestreamAvailability.Failed, region, account, message: `${name}: ${message}` };
};

/**
 * Checks that the current AWS credentials can use Timestream for LiveAnalytics.
 * Never throws: every failure is a result.
 */
const checkTimestreamAvailability = async (
  options: TimestreamAvailabilityOptions = {},
): Promise<AvailabilityResult> => {
  const client = options.client ?? new TimestreamWriteClient({ region: options.region });
  let region: string;
  try {
    region = options.region ?? (await client.config.region());
  } catch (error) {
    return { status: TimestreamAvailability.NotConfigured, message: errorParts(error).message };
  }
  if (!region) {
    return { status: TimestreamAvailability.NotConfigured, message: 'no AWS region is configured' };
  }
  const sts = options.sts ?? new STSClient({ region });
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    return classify(error, region, undefined);
  }
  try {
    await client.send(new DescribeEndpointsCommand({}));
    await client.send(new ListDatabasesCommand({ MaxResults: 1 }));
  } catch (error) {
    return classify(error, region, account);
  }
  return { status: TimestreamAvailability.Available, region, account: account ?? 'unknown' };
};

export type { AvailabilityResult, TimestreamAvailabilityOptions };
export { checkTimestreamAvailability, TimestreamAvailability };
