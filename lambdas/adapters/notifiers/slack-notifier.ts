/**
 * `Notifier` posting each notification as a Block Kit message to a Slack incoming webhook
 * (https://api.slack.com/messaging/webhooks). Messages are sent one at a time, at most one per
 * second per webhook, as Slack asks (https://api.slack.com/docs/rate-limits: "no more than one
 * message per second"). A 429 waits for its `Retry-After`; a 5xx or a network failure is retried
 * with backoff; any other 4xx (`invalid_payload`, `channel_not_found`, `no_service`) is not retried
 * and its body is quoted in the error. After the last attempt `send` throws `NotifierError`
 * naming the failed group keys; the rest of the batch is still sent.
 *
 * With `latestDriftReport`, each alert of a drift monitor links that monitor's newest HTML drift
 * report (under the notification's `externalURL`); a failed look-up only leaves the link out.
 */
import type { Notification } from '../../domain/alerting/types';
import {
  buildSlackMessage,
  type SlackMessageOptions,
} from '../../domain/notifications/slack-message';
import type { Notifier } from '../../domain/alerting/notifier';
import { driftMonitorOf, driftReportPageUrl } from '../../domain/notifications/drift-report-link';
import { type FetchFn, postWithRetries, realSleep } from './http-retry';
import { sendEach } from './send-each';

/** Smallest gap between two posts to one webhook, ms. */
const SLACK_MIN_INTERVAL_MS = 1_000;

interface SlackNotifierOptions {
  /** The incoming webhook URL (a secret: never logged). */
  readonly webhookUrl: string;
  /** Dashboard and Logs Insights links added to every message. */
  readonly message?: SlackMessageOptions;
  /** The id of a drift monitor's newest report, for the "Drift report" link of its alerts. */
  readonly latestDriftReport?: (monitor: string) => Promise<string | undefined>;
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
  readonly #o: Required<Omit<SlackNotifierOptions, 'message' | 'latestDriftReport'>> & {
    readonly message: SlackMessageOptions;
  };
  readonly #latestDriftReport: SlackNotifierOptions['latestDriftReport'];
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
    this.#latestDriftReport = options.latestDriftReport;
  }

  /** Posts every notification in order; throws `NotifierError` naming the groups that failed. */
  async send(notifications: readonly Notification[]): Promise<void> {
    await sendEach(notifications, (n) => this.#deliver(n), 'Slack webhook');
  }

  /** The message options plus the drift report links of the notification's drift alerts. */
  async #messageOptions(n: Notification): Promise<SlackMessageOptions> {
    const latest = this.#latestDriftReport;
    const monitors = [
      ...new Set(n.payload.alerts.map(driftMonitorOf).filter((m) => m !== undefined)),
    ];
    if (!latest || monitors.length === 0 || !n.payload.externalURL) return this.#o.message;
    const urls = new Map<string, string>();
    await Promise.all(
      monitors.map(async (monitor) => {
        const id = await latest(monitor).catch(() => undefined);
        const url = id === undefined ? undefined : driftReportPageUrl(n.payload.externalURL, id);
        if (url) urls.set(monitor, url);
      }),
    );
    return {
      ...this.#o.message,
      driftReportUrl: (a) => {
        const monitor = driftMonitorOf(a);
        return monitor === undefined ? undefined : urls.get(monitor);
      },
    };
  }

  async #deliver(n: Notification): Promise<void> {
    const message = buildSlackMessage(n, await this.#messageOptions(n));
    await postWithRetries({
      fetch: this.#o.fetch,
      url: this.#o.webhookUrl,
      body: JSON.stringify(message),
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
