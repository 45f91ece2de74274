/**
 * The one retry loop: every adapter that retries a call (Timestream, DynamoDB, SNS, webhooks,
 * AMP, the remote query engine) and the silences' read-modify-write say only what may be retried
 * and after how long; waiting is injected, so tests and the domain stay free of timers.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
 */

/** How a call is retried. */
interface RetryOptions {
  /** Attempts in all, the first included (at least one is made). */
  readonly maxAttempts: number;
  /**
   * The wait before the next attempt after attempt `attempt` (1-based) failed with `error`, ms;
   * `undefined` when the error is not worth another attempt (it is thrown as it is). May throw
   * an error of its own instead (e.g. when a time budget is spent).
   */
  readonly delayMs: (error: unknown, attempt: number) => number | undefined;
  /** What is thrown when the last attempt failed with a retryable error. @default that error */
  readonly giveUp?: (error: unknown, attempts: number) => unknown;
  /** Waits `ms` (a timer in production, a recorder in tests); needed when a delay can be > 0. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `call(attempt)` until it resolves, waiting `delayMs` between failed attempts, at most
 * `maxAttempts` times in all.
 */
const retry = async <T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const delay = options.delayMs(error, attempt);
      if (delay === undefined) throw error;
      if (attempt >= options.maxAttempts) throw options.giveUp?.(error, attempt) ?? error;
      if (delay > 0) {
        if (!options.sleep) throw new Error(`retry: a ${delay} ms wait needs a sleep function`);
        await options.sleep(delay);
      }
    }
  }
};

/** Exponential backoff settings. */
interface BackoffOptions {
  /** Backoff before the first retry, ms; doubled for every further retry. */
  readonly baseMs: number;
  /** Largest backoff, ms. @default no cap */
  readonly maxMs?: number;
  /** With a random source, full jitter: uniform in [0, backoff), whole milliseconds. */
  readonly random?: () => number;
}

/**
 * The backoff before retry number `retry` (1-based): `min(maxMs, baseMs * 2^(retry-1))`, or with
 * `random` a whole number uniform in [0, that).
 */
const backoffMs = (retryNumber: number, o: BackoffOptions): number => {
  const cap = Math.min(o.maxMs ?? Number.POSITIVE_INFINITY, o.baseMs * 2 ** (retryNumber - 1));
  return o.random ? Math.floor(o.random() * cap) : cap;
};

export { backoffMs, retry };
export type { BackoffOptions, RetryOptions };
