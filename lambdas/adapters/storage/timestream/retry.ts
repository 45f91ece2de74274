/**
 * Retries for Timestream calls: exponential backoff with full jitter on throttling and server
 * faults, and the translation of what is left into our storage errors.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
 */
import { StorageThrottledError, StorageUnavailableError } from '../../../domain/errors';
import { backoffMs as domainBackoffMs, retry } from '../../../domain/retry';

/** Retry settings. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Cap of the first backoff, ms; doubled on every attempt. */
  readonly baseDelayMs: number;
  /** Largest backoff, ms. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** Names the resource in error messages, e.g. `Timestream table "db"."samples"`. */
  readonly resource: string;
  /** Called on every throttled attempt, retried or not (self-monitoring counts them). */
  readonly onThrottled?: () => void;
}

/** The retry knobs an adapter's options expose (all optional, defaults below). */
export interface RetrySettings {
  /** Attempts per request, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry, ms, doubled per retry (full jitter). @default 50 */
  readonly baseDelayMs?: number;
  /** Largest backoff, ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Default attempts (first + 4 retries). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Default first backoff cap, ms. */
export const DEFAULT_BASE_DELAY_MS = 50;
/** Default largest backoff, ms. */
export const DEFAULT_MAX_DELAY_MS = 5_000;

/** The AWS error kinds this adapter tells apart. */
export const AwsFault = {
  Throttled: 'throttled',
  Server: 'server',
  Missing: 'missing',
  Other: 'other',
} as const;
export type AwsFault = (typeof AwsFault)[keyof typeof AwsFault];

interface AwsErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const SERVER_NAMES = new Set([
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
]);
const MISSING_NAMES = new Set(['AccessDeniedException', 'ResourceNotFoundException']);

/** Classifies an error thrown by an SDK client. */
const classify = (error: unknown): AwsFault => {
  const e = (error ?? {}) as AwsErrorLike;
  const name = e.name ?? '';
  if (THROTTLING_NAMES.has(name) || e.$metadata?.httpStatusCode === 429) return AwsFault.Throttled;
  if (MISSING_NAMES.has(name)) return AwsFault.Missing;
  if (SERVER_NAMES.has(name) || (e.$metadata?.httpStatusCode ?? 0) >= 500) return AwsFault.Server;
  return AwsFault.Other;
};

const describe = (error: unknown): string => {
  const e = (error ?? {}) as AwsErrorLike;
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
};

/** The backoff before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))). */
const backoffMs = (attempt: number, o: RetryOptions): number =>
  domainBackoffMs(attempt, { baseMs: o.baseDelayMs, maxMs: o.maxDelayMs, random: o.random });

/** An error no retry helps: handed to `other` once the loop is left. */
class NotRetried {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `call`, retrying throttling and server faults up to `maxAttempts` in all. Access-denied
 * and missing resources fail at once with a {@link StorageUnavailableError} that names the
 * resource; any other error is handed to `other` (which returns or throws).
 */
const withRetries = async <T>(
  call: () => Promise<T>,
  o: RetryOptions,
  other: (error: unknown) => T | Promise<T> = (error) => {
    throw new StorageUnavailableError(`${o.resource}: ${describe(error)}`, { cause: error });
  },
): Promise<T> => {
  try {
    return await retry(call, {
      maxAttempts: o.maxAttempts,
      sleep: o.sleep,
      delayMs: (error, attempt) => {
        const fault = classify(error);
        if (fault === AwsFault.Missing) {
          throw new StorageUnavailableError(
            `${o.resource} is not reachable: ${describe(error)} (check that it exists and that the function's role may use it)`,
            { cause: error },
          );
        }
        if (fault === AwsFault.Other) throw new NotRetried(error);
        if (fault === AwsFault.Throttled) o.onThrottled?.();
        return attempt >= o.maxAttempts ? 0 : backoffMs(attempt, o);
      },
      giveUp: (error, attempts) =>
        classify(error) === AwsFault.Throttled
          ? new StorageThrottledError(
              `${o.resource} throttled the request ${attempts} times: ${describe(error)}`,
              Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempts),
              { cause: error },
            )
          : new StorageUnavailableError(
              `${o.resource} failed ${attempts} times: ${describe(error)}`,
              { cause: error },
            ),
    });
  } catch (thrown) {
    if (thrown instanceof NotRetried) return other(thrown.error);
    throw thrown;
  }
};

/** {@link RetryOptions} from an adapter's optional settings and the resource it names. */
const retryOptions = (settings: RetrySettings, resource: string): RetryOptions => ({
  maxAttempts: Math.max(1, settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
  baseDelayMs: settings.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
  maxDelayMs: settings.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
  sleep: settings.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  random: settings.random ?? Math.random,
  resource,
});

export { backoffMs, classify, describe as describeAwsError, retryOptions, withRetries };
