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
import type { Notifier } from '../../domain/alerting/notifier';
import {
  type FetchFn,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  postWithRetries,
  realSleep,
} from './http-retry';

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
    await postWithRetries({
      fetch: this.#fetch,
      url: this.#url,
      body: JSON.stringify(n.payload),
      headers: this.#headers,
      timeoutMs: this.#timeoutMs,
      maxAttempts: this.#maxAttempts,
      baseDelayMs: this.#baseDelayMs,
      sleep: this.#sleep,
      now: this.#now,
    });
  }
}

export type { FetchFn, WebhookNotifierOptions };
export { MAX_RETRY_AFTER_MS, parseRetryAfter, WebhookNotifier };
