/**
 * `Notifier` POSTing each notification's Alertmanager webhook payload (version 4) as JSON to a
 * URL, as Alertmanager's `webhook_config` does
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Used locally
 * (`npm start`) to reach any webhook receiver named in the config.
 *
 * Retries: a 5xx, a 429 or a network failure/timeout is retried with exponential backoff; a 429
 * or 503 with `Retry-After` (seconds or an HTTP date, RFC 9110 §10.2.3) waits that long instead,
 * capped at {@link MAX_RETRY_AFTER_MS}. Other 4xx are the receiver refusing the payload and are
 * not retried. After the last attempt `send` throws `NotifierError` naming the failed group keys;
 * the other notifications of the batch are still sent.
 */
import type { Notification } from '../../domain/alerting/types';
import { NotifierError } from '../../domain/errors';
import type { Notifier } from '../../domain/ports';

/** Longest wait honoured from a `Retry-After` header. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Characters of a refused response body quoted in the error. */
const MAX_BODY_CHARS = 200;

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

interface WebhookNotifierOptions {
  /** Receiver URL. */
  readonly url: string;
  /** @default `globalThis.fetch` */
  readonly fetch?: FetchFn;
  /** Time limit of one attempt, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts per notification. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay, doubled on each retry, ms. @default 500 */
  readonly baseDelayMs?: number;
  /** Extra request headers (e.g. an Authorization header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Waits between attempts. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wall clock for HTTP-date `Retry-After` values, ms. @default `Date.now` */
  readonly now?: () => number;
}

/** One attempt's failure; `retryAfterMs` set when the receiver said when to come back. */
class AttemptError extends Error {
  override readonly name = 'AttemptError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryable: boolean, retryAfterMs?: number, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
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

/** Sends notifications to one webhook URL; see the file comment. */
class WebhookNotifier implements Notifier {
  readonly #url: string;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(options: WebhookNotifierOptions) {
    this.#url = options.url;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#headers = options.headers ?? {};
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? Date.now;
  }

  /** Posts every notification; throws `NotifierError` naming the group keys that failed. */
  async send(notifications: readonly Notification[]): Promise<void> {
    const results = await Promise.allSettled(notifications.map((n) => this.#deliver(n)));
    const failures: string[] = [];
    const reasons: string[] = [];
    const causes: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        const key = (notifications[i] as Notification).groupKey;
        failures.push(key);
        causes.push(r.reason);
        reasons.push(`${key}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    });
    if (failures.length === 0) return;
    throw new NotifierError(
      `webhook ${this.#url} failed for ${failures.length} of ${notifications.length} notification(s): ${reasons.join('; ')}`,
      failures,
      { cause: causes.length === 1 ? causes[0] : causes },
    );
  }

  async #deliver(n: Notification): Promise<void> {
    const body = JSON.stringify(n.payload);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#post(body);
        return;
      } catch (error) {
        const e = error as AttemptError;
        if (!e.retryable || attempt >= this.#maxAttempts) throw error;
        await this.#sleep(e.retryAfterMs ?? this.#baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  async #post(body: string): Promise<void> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...this.#headers },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason =
        (error as { name?: unknown } | undefined)?.name === 'TimeoutError'
          ? `no response within ${this.#timeoutMs} ms`
          : `request failed: ${(error as { message?: unknown } | undefined)?.message ?? String(error)}`;
      throw new AttemptError(reason, true, undefined, { cause: error });
    }
    if (response.ok) {
      // The body is not needed; cancelling frees the connection. Not awaited: a cancel can
      // wait on the other branch of a teed stream.
      response.body?.cancel().catch(() => undefined);
      return;
    }
    const text = await response.text().catch(() => '');
    const snippet = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
    const status = response.status;
    const retryable = status === 429 || status >= 500;
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(response.headers.get('retry-after'), this.#now())
        : undefined;
    throw new AttemptError(
      `HTTP ${status}${snippet ? `: ${snippet}` : ''}`,
      retryable,
      retryAfterMs,
    );
  }
}

export type { FetchFn, WebhookNotifierOptions };
export { MAX_RETRY_AFTER_MS, parseRetryAfter, WebhookNotifier };
