/**
 * Can this AWS account use Amazon Timestream for LiveAnalytics?
 *
 * AWS closed Timestream for LiveAnalytics to new customers on 2025-06-20; accounts that did not
 * use it before get `AccessDeniedException` from every Timestream call, with a message telling
 * them to contact AWS Support
 * (https://docs.aws.amazon.com/timestream/latest/developerguide/AmazonTimestreamForLiveAnalytics-availability-change.html,
 * and e.g. https://github.com/aws-solutions/innovation-sandbox-on-aws/issues/159).
 * The check calls DescribeEndpoints (what every SDK call does first) and ListDatabases, so it
 * needs only `timestream:DescribeEndpoints` and `timestream:ListDatabases`. Who the caller is
 * (STS) is `caller-identity.ts`'s business; `vigil doctor` runs that first.
 *
 * An `AccessDeniedException` whose message has IAM's wording ("… is not authorized to perform:
 * timestream:…") is a missing IAM permission of the caller, not the closure, and is reported as
 * such; any other `AccessDeniedException` is the closure. AWS does not document the closure
 * message, so the check does not depend on its wording.
 */
import {
  DescribeDatabaseCommand,
  DescribeEndpointsCommand,
  ListDatabasesCommand,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
} from '@aws-sdk/client-timestream-write';
import { CREDENTIAL_ERRORS, errorParts, IAM_DENIAL_RE } from './aws-errors';

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
  | { readonly status: 'available'; readonly region: string }
  | {
      readonly status: Exclude<TimestreamAvailability, 'available'>;
      readonly region?: string;
      /** AWS's own message (or the SDK's), on one line. */
      readonly message: string;
    };

interface TimestreamAvailabilityOptions {
  /** @default a new `TimestreamWriteClient({ ...clientConfig, region })` */
  readonly client?: TimestreamWriteClient;
  /** @default {} */
  readonly clientConfig?: TimestreamWriteClientConfig;
  /** @default the client's region (AWS_REGION, profile) */
  readonly region?: string;
}

/** Network errors: typically a region without a Timestream for LiveAnalytics endpoint. */
const NETWORK_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT']);

const classify = (error: unknown, region: string): AvailabilityResult => {
  const { name, code, message } = errorParts(error);
  if (CREDENTIAL_ERRORS.has(name)) {
    return { status: TimestreamAvailability.NotConfigured, region, message };
  }
  if (name === 'AccessDeniedException') {
    const status = IAM_DENIAL_RE.test(message)
      ? TimestreamAvailability.NotPermitted
      : TimestreamAvailability.Blocked;
    return { status, region, message };
  }
  if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name)) {
    return {
      status: TimestreamAvailability.Failed,
      region,
      message: `no Timestream for LiveAnalytics endpoint reachable in ${region} (${code || name}: ${message})`,
    };
  }
  return { status: TimestreamAvailability.Failed, region, message: `${name}: ${message}` };
};

/**
 * Checks that the current AWS credentials can use Timestream for LiveAnalytics.
 * Never throws: every failure is a result.
 */
const checkTimestreamAvailability = async (
  options: TimestreamAvailabilityOptions = {},
): Promise<AvailabilityResult> => {
  const client =
    options.client ??
    new TimestreamWriteClient({
      ...options.clientConfig,
      ...(options.region ? { region: options.region } : {}),
    });
  let region: string;
  try {
    region = options.region ?? (await client.config.region());
  } catch (error) {
    return { status: TimestreamAvailability.NotConfigured, message: errorParts(error).message };
  }
  if (!region) {
    return { status: TimestreamAvailability.NotConfigured, message: 'no AWS region is configured' };
  }
  try {
    await client.send(new DescribeEndpointsCommand({}));
    await client.send(new ListDatabasesCommand({ MaxResults: 1 }));
  } catch (error) {
    return classify(error, region);
  }
  return { status: TimestreamAvailability.Available, region };
};

/**
 * Does a Timestream database exist? `DescribeDatabase` answers `ResourceNotFoundException` when
 * it does not. `vigil doctor` looks for the database an earlier stack kept.
 * https://docs.aws.amazon.com/timestream/latest/developerguide/API_DescribeDatabase.html
 */
const timestreamDatabaseExists = async (
  options: TimestreamAvailabilityOptions & { readonly database: string },
): Promise<
  | { readonly status: 'exists' | 'missing' }
  | { readonly status: 'failed'; readonly message: string }
> => {
  const client =
    options.client ??
    new TimestreamWriteClient({
      ...options.clientConfig,
      ...(options.region ? { region: options.region } : {}),
    });
  try {
    await client.send(new DescribeDatabaseCommand({ DatabaseName: options.database }));
    return { status: 'exists' };
  } catch (error) {
    const { name, message } = errorParts(error);
    if (name === 'ResourceNotFoundException') return { status: 'missing' };
    return { status: 'failed', message: `${name}: ${message}` };
  }
};

export type { AvailabilityResult, TimestreamAvailabilityOptions };
export { checkTimestreamAvailability, TimestreamAvailability, timestreamDatabaseExists };
