/**
 * `vigil doctor`: tells, in one line, whether this AWS account can deploy Vigil, i.e. whether it
 * can use Amazon Timestream for LiveAnalytics (closed to new AWS accounts on 2025-06-20).
 *
 * Exit codes: 0 available; 1 blocked, not permitted by IAM, or unreachable; 2 no usable AWS
 * credentials or region.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import {
  type AvailabilityResult,
  checkTimestreamAvailability,
} from '../../lambdas/adapters/aws/timestream-availability';

interface DoctorOptions {
  /** @default a new `TimestreamWriteClient` for `region` */
  readonly client?: TimestreamWriteClient;
  /** @default a new `STSClient` for `region` */
  readonly sts?: STSClient;
  /** @default the SDK's region resolution (AWS_REGION, AWS_PROFILE) */
  readonly region?: string;
  /** Receives the single result line. */
  readonly out: (line: string) => void;
}

const trimPeriod = (s: string): string => s.replace(/\.+$/, '');

/** The one line printed for a result, and the exit code. */
const report = (r: AvailabilityResult): [string, number] => {
  switch (r.status) {
    case 'available':
      return [
        `ok: Timestream for LiveAnalytics is available in ${r.region} (account ${r.account})`,
        0,
      ];
    case 'blocked':
      return [
        `blocked: this account cannot use Timestream for LiveAnalytics (closed to new accounts since 2025-06-20): ${trimPeriod(r.message)}. Vigil's AWS deploy needs it; local mode (npm start) does not.`,
        1,
      ];
    case 'not-permitted':
      return [
        `error: these credentials may not call Timestream for LiveAnalytics in ${r.region} (IAM policy): ${trimPeriod(r.message)}. Allow timestream:DescribeEndpoints and timestream:ListDatabases, then run vigil doctor again.`,
        1,
      ];
    case 'not-configured':
      return [
        `error: no usable AWS credentials or region: ${trimPeriod(r.message)}. Configure them (aws configure, AWS_PROFILE, AWS_REGION), then run vigil doctor again.`,
        2,
      ];
    case 'failed':
      return [
        `error: could not check Timestream for LiveAnalytics in ${r.region ?? 'the configured region'}: ${trimPeriod(r.message)}.`,
        1,
      ];
    default: {
      const never: never = r;
      throw new Error(`unknown availability result ${JSON.stringify(never)}`);
    }
  }
};

/**
 * Checks the current AWS account for Timestream for LiveAnalytics and prints exactly one line.
 * @returns the exit code: 0 available, 1 not usable, 2 no credentials or region.
 */
async function doctor(options: DoctorOptions): Promise<number> {
  const result = await checkTimestreamAvailability({
    client: options.client,
    sts: options.sts,
    region: options.region,
  });
  const [line, code] = report(result);
  options.out(line);
  return code;
}

export type { DoctorOptions };
export { doctor };
