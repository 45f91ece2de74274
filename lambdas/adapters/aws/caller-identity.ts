/**
 * Who and where the current AWS credentials are: STS `GetCallerIdentity` (allowed to every
 * principal, no IAM permission needed) and the SDK's region resolution. `vigil doctor`'s first
 * AWS check; the others run in the account and region it finds.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { CREDENTIAL_ERRORS, errorParts } from './aws-errors';

type CallerIdentity =
  | {
      readonly status: 'ok';
      readonly account: string;
      readonly arn: string;
      readonly region: string;
    }
  | {
      /** `not-configured`: no credentials or no region; `failed`: anything else (network…). */
      readonly status: 'not-configured' | 'failed';
      readonly region?: string;
      readonly message: string;
    };

interface CallerIdentityOptions {
  /** @default a new `STSClient(clientConfig)` */
  readonly client?: STSClient;
  /** @default {} (region and credentials from the environment, profile or instance) */
  readonly clientConfig?: STSClientConfig;
}

/** The caller's account, ARN and region. Never throws: every failure is a result. */
const getCallerIdentity = async (options: CallerIdentityOptions = {}): Promise<CallerIdentity> => {
  const client = options.client ?? new STSClient(options.clientConfig ?? {});
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch (error) {
    return { status: 'not-configured', message: errorParts(error).message };
  }
  if (!region) return { status: 'not-configured', message: 'no AWS region is configured' };
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { status: 'ok', account: out.Account ?? 'unknown', arn: out.Arn ?? 'unknown', region };
  } catch (error) {
    const { name, message } = errorParts(error);
    const status = CREDENTIAL_ERRORS.has(name) ? 'not-configured' : 'failed';
    return { status, region, message: status === 'failed' ? `${name}: ${message}` : message };
  }
};

export type { CallerIdentity, CallerIdentityOptions };
export { getCallerIdentity };
