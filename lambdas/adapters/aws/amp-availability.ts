/**
 * Can these AWS credentials use Amazon Managed Service for Prometheus in the region? (`vigil
 * doctor`.) AMP is open to every account, but not offered in every region, and the caller's IAM
 * policy may not allow it. The check is one `ListWorkspaces` call (`maxResults: 1`), which needs
 * only `aps:ListWorkspaces` and creates nothing.
 * https://docs.aws.amazon.com/prometheus/latest/APIReference/API_ListWorkspaces.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedserviceforprometheus.html
 */
import { AmpClient, type AmpClientConfig, ListWorkspacesCommand } from '@aws-sdk/client-amp';
import { CREDENTIAL_ERRORS, errorParts, IAM_DENIAL_RE } from './aws-errors';

/** Outcome of {@link checkAmpAvailability}. */
type AmpAvailabilityResult =
  | { readonly status: 'available'; readonly region: string; readonly workspaces: number }
  | {
      readonly status: 'not-permitted' | 'not-configured' | 'failed';
      readonly region?: string;
      /** AWS's own message (or the SDK's), on one line. */
      readonly message: string;
    };

interface AmpAvailabilityOptions {
  /** @default a new `AmpClient({ ...clientConfig, region })` */
  readonly client?: AmpClient;
  /** @default {} */
  readonly clientConfig?: AmpClientConfig;
  /** @default the client's region (AWS_REGION, profile) */
  readonly region?: string;
}

/** Network errors: typically a region without an AMP endpoint. */
const NETWORK_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT']);

/** Checks that the current credentials can call AMP in the region. Never throws. */
const checkAmpAvailability = async (
  options: AmpAvailabilityOptions = {},
): Promise<AmpAvailabilityResult> => {
  const client =
    options.client ??
    new AmpClient({
      ...options.clientConfig,
      ...(options.region ? { region: options.region } : {}),
    });
  let region: string;
  try {
    region = options.region ?? (await client.config.region());
  } catch (error) {
    return { status: 'not-configured', message: errorParts(error).message };
  }
  try {
    const page = await client.send(new ListWorkspacesCommand({ maxResults: 1 }));
    return { status: 'available', region, workspaces: page.workspaces?.length ?? 0 };
  } catch (error) {
    const { name, code, message } = errorParts(error);
    if (CREDENTIAL_ERRORS.has(name)) return { status: 'not-configured', region, message };
    if (name === 'AccessDeniedException' || IAM_DENIAL_RE.test(message)) {
      return { status: 'not-permitted', region, message };
    }
    if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name)) {
      return {
        status: 'failed',
        region,
        message: `no Amazon Managed Service for Prometheus endpoint reachable in ${region} (${code || name}: ${message})`,
      };
    }
    return { status: 'failed', region, message: `${name}: ${message}` };
  }
};

export type { AmpAvailabilityOptions, AmpAvailabilityResult };
export { checkAmpAvailability };
