/**
 * The account's Lambda concurrency in the region: `GetAccountSettings` gives the quota
 * (`AccountLimit.ConcurrentExecutions`) and what is left unreserved
 * (`AccountLimit.UnreservedConcurrentExecutions`). Lambda refuses a reservation that would leave
 * fewer than 100 unreserved executions ("You can reserve up to the Unreserved account
 * concurrency value minus 100"), so an account whose quota is 10 or 50 can reserve nothing.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html
 */
import {
  GetAccountSettingsCommand,
  LambdaClient,
  type LambdaClientConfig,
} from '@aws-sdk/client-lambda';
import { CREDENTIAL_ERRORS, errorParts, IAM_DENIAL_RE } from './aws-errors';

/** Unreserved concurrent executions Lambda always keeps for functions without a reservation. */
const MIN_UNRESERVED_CONCURRENCY = 100;

type LambdaConcurrency =
  | {
      readonly status: 'ok';
      /** The account's quota of concurrent executions in the region. */
      readonly limit: number;
      /** The quota minus every function's reservation. */
      readonly unreserved: number;
    }
  | {
      readonly status: 'not-permitted' | 'not-configured' | 'failed';
      readonly message: string;
    };

interface LambdaConcurrencyOptions {
  /** @default a new `LambdaClient(clientConfig)` */
  readonly client?: LambdaClient;
  /** @default {} */
  readonly clientConfig?: LambdaClientConfig;
}

/** Reads the account's concurrency settings. Never throws: every failure is a result. */
const getLambdaConcurrency = async (
  options: LambdaConcurrencyOptions = {},
): Promise<LambdaConcurrency> => {
  const client = options.client ?? new LambdaClient(options.clientConfig ?? {});
  try {
    const out = await client.send(new GetAccountSettingsCommand({}));
    const limit = out.AccountLimit?.ConcurrentExecutions;
    const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined)
      return { status: 'failed', message: 'GetAccountSettings returned no AccountLimit' };
    return { status: 'ok', limit, unreserved };
  } catch (error) {
    const { name, message } = errorParts(error);
    if (CREDENTIAL_ERRORS.has(name)) return { status: 'not-configured', message };
    if (name === 'AccessDeniedException' || IAM_DENIAL_RE.test(message))
      return { status: 'not-permitted', message };
    return { status: 'failed', message: `${name}: ${message}` };
  }
};

/**
 * How much a deployment may still reserve: the unreserved executions above Lambda's minimum.
 * @param unreserved - `UnreservedConcurrentExecutions`
 */
const reservable = (unreserved: number): number =>
  Math.max(0, unreserved - MIN_UNRESERVED_CONCURRENCY);

export type { LambdaConcurrency, LambdaConcurrencyOptions };
export { getLambdaConcurrency, MIN_UNRESERVED_CONCURRENCY, reservable };
