/**
 * `Notifier` sending each notification to the PagerDuty Events API v2 (`POST /v2/enqueue`,
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events): `trigger` while the group
 * fires, `resolve` with the same `dedup_key` once it resolves. Per "Response Codes & Retry Logic"
 * (https://developer.pagerduty.com/docs/events-api-v2/overview): 202 is success; 429, 5xx and
 * network errors are retried with backoff (429 honours `Retry-After` when given); 400 is not
 * retried and the response's `errors` array is quoted in the error. After the last attempt
 * `send` throws `NotifierError` naming the failed group keys; the rest of the batch is still sent.
 */
import type { Notification } from '../../domain/alerting/types';
import {
  buildPagerDutyEvent,
  PAGERDUTY_EVENTS_URL,
  type PagerDutyEventOptions,
} from '../../domain/notifications/pagerduty-event';
import type { Notifier } from '../../domain/alerting/notifier';
import { type FetchFn, HttpAttemptError, postWithRetries, realSleep } from './http-retry';
import { sendEach } from './send-each';

interface PagerDutyNotifierOptions extends PagerDutyEventOptions {
  /** Events API endpoint. @default 'https://events.pagerduty.com/v2/enqueue' */
  readonly url?: string;
  /** @default `globalThis.fetch` */
  readonly fetch?: FetchFn;
  /** Time limit of one attempt, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts per notification. @default 5 */
  readonly maxAttempts?: number;
  /** First backoff delay, doubled on each retry, ms. @default 1000 */
  readonly baseDelayMs?: number;
  /** Waits between attempts. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wall clock for HTTP-date `Retry-After` values, ms. @default `Date.now` */
  readonly now?: () => number;
}

/** The `errors` of a PagerDuty 400 body (`{ status, message, errors: [...] }`), if readable. */
const errorsOf = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    if (!Array.isArray(parsed.errors)) return undefined;
    const message = typeof parsed.message === 'string' ? `${parsed.message}; ` : '';
    return `${message}errors: ${JSON.stringify(parsed.errors)}`;
  } catch {
    return undefined;
  }
};

/** Sends notifications to one PagerDuty integration; see the file comment. */
class PagerDutyNotifier implements Notifier {
  readonly #event: PagerDutyEventOptions;
  readonly #url: string;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(options: PagerDutyNotifierOptions) {
    this.#event = {
      routingKey: options.routingKey,
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.client === undefined ? {} : { client: options.client }),
      ...(options.clientUrl === undefined ? {} : { clientUrl: options.clientUrl }),
      ...(options.dashboardUrl === undefined ? {} : { dashboardUrl: options.dashboardUrl }),
    };
    this.#url = options.url ?? PAGERDUTY_EVENTS_URL;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#baseDelayMs = options.baseDelayMs ?? 1_000;
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? Date.now;
  }

  /** Sends every notification in order; throws `NotifierError` naming the groups that failed. */
  async send(notifications: readonly Notification[]): Promise<void> {
    await sendEach(notifications, (n) => this.#deliver(n), `PagerDuty ${this.#url}`);
  }

  async #deliver(n: Notification): Promise<void> {
    const event = buildPagerDutyEvent(n, this.#event);
    try {
      await postWithRetries({
        fetch: this.#fetch,
        url: this.#url,
        body: JSON.stringify(event),
        timeoutMs: this.#timeoutMs,
        maxAttempts: this.#maxAttempts,
        baseDelayMs: this.#baseDelayMs,
        sleep: this.#sleep,
        now: this.#now,
      });
    } catch (error) {
      if (error instanceof HttpAttemptError && error.status === 400) {
        const errors = errorsOf(error.body);
        if (errors) {
          throw new Error(`HTTP 400 (${event.event_action} ${event.dedup_key}): ${errors}`, {
            cause: error,
          });
        }
      }
      throw error;
    }
  }
}

export type { PagerDutyNotifierOptions };
export { PagerDutyNotifier };
