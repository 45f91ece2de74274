/**
 * POST-with-retries shared by the HTTP notifiers (webhook, Slack, PagerDuty).
 *
 * A 5xx, a 429 or a network failure/timeout is retried with exponential backoff; a 429 or 503
 * with `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3) waits that long instead, capped
 * at {@link MAX_RETRY_AFTER_MS}. Other 4xx are the receiver refusing the payload and are not
 * retried (Slack: https://api.slack.com/docs/rate-limits; PagerDuty: Events API v2 "Response
 * Codes & Retry Logic", https://developer.pagerduty.com/docs/events-api-v2/overview).
 */
import { backoffMs, retry } from '../../domain/retry';

/** Longest wait honoured from a `Retry-After` header. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Characters of a refused response body quoted in the error message. */
const MAX_BODY_CHARS = 200;
/** Characters of a refused response body kept on the error for callers that parse it. */
const MAX_KEPT_BODY_CHARS = 8_000;

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** One failed attempt; `retryAfterMs` set when the receiver said when to come back. */
class HttpAttemptError extends Error {
  override readonly name = 'HttpAttemptError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** HTTP status, or undefined for a network failure or timeout. */
  readonly status: number | undefined;
  /** The response body (first {@link MAX_KEPT_BODY_CHARS} characters), '' when none. */
  readonly body: string;
  constructor(
    message: string,
    details: {
      readonly retryable: boolean;
      readonly retryAfterMs?: number;
      readonly status?: number;
      readonly body?: string;
    },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    this.body = details.body ?? '';
  }
}

/**
 * The receiver kept answering 429 until retries ran out. `retryAfterMs` is its last
 * `Retry-After` (or the next backoff delay when it sent none), so a caller redelivering later
 * (SQS visibility timeout, DLQ redrive) knows how long to wait.
 */
class NotifierRateLimitedError extends Error {
  override readonly name = 'NotifierRateLimitedError';
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** How to POST and how hard to retry. */
interface PostWithRetriesOptions {
  readonly fetch: FetchFn;
  readonly url: string;
  /** JSON text sent as the body. */
  readonly body: string;
  /** Extra request headers; `Content-Type: application/json` is always sent. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit of one attempt, ms. */
  readonly timeoutMs: number;
  /** Attempts in all (at least 1). */
  readonly maxAttempts: number;
  /** First backoff delay, doubled on each retry, ms. */
  readonly baseDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Wall clock for HTTP-date `Retry-After` values, ms. */
  readonly now: () => number;
  /** Awaited before every attempt (e.g. a per-URL rate limit). */
  readonly beforeAttempt?: () => Promise<void>;
}

/** What a successful POST answered. */
interface PostResult {
  readonly status: number;
  readonly body: string;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
const parseRetryAfter = (value: string | null, nowMs: number): number | undefined => {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  // Date.parse reads bare numbers such as "-3" as years; only HTTP dates may get past here.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
};

const postOnce = async (o: PostWithRetriesOptions): Promise<PostResult> => {
  let response: Response;
  try {
    response = await o.fetch(o.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...o.headers },
      body: o.body,
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as { name?: unknown } | undefined)?.name === 'TimeoutError'
        ? `no response within ${o.timeoutMs} ms`
        : `request failed: ${(error as { message?: unknown } | undefined)?.message ?? String(error)}`;
    throw new HttpAttemptError(reason, { retryable: true }, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: response.status, body: text };
  const snippet = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
  const status = response.status;
  const retryAfterMs =
    status === 429 || status === 503
      ? parseRetryAfter(response.headers.get('retry-after'), o.now())
      : undefined;
  throw new HttpAttemptError(`HTTP ${status}${snippet ? `: ${snippet}` : ''}`, {
    retryable: status === 429 || status >= 500,
    retryAfterMs,
    status,
    body: text.slice(0, MAX_KEPT_BODY_CHARS),
  });
};

/**
 * POSTs `body` until a 2xx answers or retries run out; throws the last {@link HttpAttemptError},
 * or {@link NotifierRateLimitedError} when that last answer was a 429.
 * @example await postWithRetries({ fetch, url, body: '{}', timeoutMs: 10_000, maxAttempts: 4, baseDelayMs: 500, sleep, now: Date.now })
 */
const postWithRetries = (o: PostWithRetriesOptions): Promise<PostResult> => {
  const failure = (error: unknown) => error as Partial<HttpAttemptError> | undefined;
  const waitMs = (error: unknown, attempt: number): number =>
    failure(error)?.retryAfterMs ?? backoffMs(attempt, { baseMs: o.baseDelayMs });
  return retry(
    async () => {
      await o.beforeAttempt?.();
      return await postOnce(o);
    },
    {
      maxAttempts: Math.max(1, o.maxAttempts),
      sleep: o.sleep,
      delayMs: (error, attempt) => (failure(error)?.retryable ? waitMs(error, attempt) : undefined),
      giveUp: (error, attempts) =>
        failure(error)?.status === 429
          ? new NotifierRateLimitedError((error as Error).message, waitMs(error, attempts), {
              cause: error,
            })
          : error,
    },
  );
};

export type { FetchFn, PostResult, PostWithRetriesOptions };
export {
  HttpAttemptError,
  MAX_RETRY_AFTER_MS,
  NotifierRateLimitedError,
  parseRetryAfter,
  postWithRetries,
  realSleep,
};
