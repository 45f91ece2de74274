/**
 * `Notifier` posting each notification as a Block Kit message to a Slack incoming webhook
 * (https://api.slack.com/messaging/webhooks). Messages are sent one at a time, at most one per
 * second per webhook, as Slack asks (https://api.slack.com/docs/rate-limits: "no more than one
 * message per second"). A 429 waits for its `Retry-After`; a 5xx or a network failure is retried
 * with backoff; any other 4xx (`invalid_payload`, `channel_not_found`, `no_service`) is not retried
 * and its body is quoted in the error. After the last attempt `send` throws `NotifierError`
 * naming the failed group keys; the rest of the batch is still sent.
 */
import type { Notification } from '../../domain/alerting/types';
import {
  buildSlackMessage,
  type SlackMessageOptions,
} from '../../domain/notifications/slack-message';
import type { Notifier } from '../../domain/alerting/notifier';
import { type FetchFn, postWithRetries, realSleep } from './http-retry';
import { sendEach } from './send-each';

/** Smallest gap between two posts to one webhook, ms. */
const SLACK_MIN_INTERVAL_MS = 1_000;

interface SlackNotifierOptions {
  /** The incoming webhook URL (a secret: never logged). */
  readonly webhookUrl: string;
  /** Dashboard and Logs Insights links added to every message. */
  readonly message?: SlackMessageOptions;
  /** @default `globalThis.fetch` */
  readonly fetch?: FetchFn;
  /** Time limit of one attempt, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts per notification. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay, doubled on each retry, ms. @default 1000 */
  readonly baseDelayMs?: number;
  /** Smallest gap between two posts, ms. @default 1000 */
  readonly minIntervalMs?: number;
  /** Waits between attempts and for the rate limit. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wall clock, ms. @default `Date.now` */
  readonly now?: () => number;
}

/** Posts notifications to one Slack incoming webhook; see the file comment. */
class SlackNotifier implements Notifier {
  readonly #o: Required<Omit<SlackNotifierOptions, 'message'>> & {
    readonly message: SlackMessageOptions;
  };
  #lastPostAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: SlackNotifierOptions) {
    this.#o = {
      webhookUrl: options.webhookUrl,
      message: options.message ?? {},
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 10_000,
      maxAttempts: Math.max(1, options.maxAttempts ?? 4),
      baseDelayMs: options.baseDelayMs ?? 1_000,
      minIntervalMs: options.minIntervalMs ?? SLACK_MIN_INTERVAL_MS,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
    };
  }

  /** Posts every notification in order; throws `NotifierError` naming the groups that failed. */
  async send(notifications: readonly Notification[]): Promise<void> {
    await sendEach(notifications, (n) => this.#deliver(n), 'Slack webhook');
  }

  async #deliver(n: Notification): Promise<void> {
    await postWithRetries({
      fetch: this.#o.fetch,
      url: this.#o.webhookUrl,
      body: JSON.stringify(buildSlackMessage(n, this.#o.message)),
      timeoutMs: this.#o.timeoutMs,
      maxAttempts: this.#o.maxAttempts,
      baseDelayMs: this.#o.baseDelayMs,
      sleep: this.#o.sleep,
      now: this.#o.now,
      beforeAttempt: () => this.#paceAttempt(),
    });
  }

  /** Waits until `minIntervalMs` has passed since the previous post, then claims the slot. */
  async #paceAttempt(): Promise<void> {
    const waitMs = this.#lastPostAtMs + this.#o.minIntervalMs - this.#o.now();
    if (waitMs > 0) await this.#o.sleep(waitMs);
    this.#lastPostAtMs = Math.max(this.#o.now(), this.#lastPostAtMs + this.#o.minIntervalMs);
  }
}

export type { SlackNotifierOptions };
export { SLACK_MIN_INTERVAL_MS, SlackNotifier };
