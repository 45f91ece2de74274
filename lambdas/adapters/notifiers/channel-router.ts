/**
 * `Notifier` routing each notification to the channels of its topic severity (`channels:` in
 * vigil.config.yaml): the topic is `topicSeverityOf(notification.severity)`; Slack gets it when
 * `severities[topic].slack`, PagerDuty when `severities[topic].pagerduty`, and the base notifier
 * (SNS on AWS, the email text on the console locally) always gets it. This is what SNS topic
 * subscriptions do on AWS, done in-process for local mode so `npm start` delivers through the
 * same Slack and PagerDuty notifier code. Every channel is tried even when another fails;
 * failures are gathered into one `NotifierError` whose `failed` lists each group key once.
 */
import type { Notification } from '../../domain/alerting/types';
import { NotifierError } from '../../domain/errors';
import { type ChannelsConfig, topicSeverityOf } from '../../domain/notifications/channels-config';
import type { Notifier } from '../../domain/alerting/notifier';

interface ChannelRouterOptions {
  /** Receives every notification (email topic / console). */
  readonly base: Notifier;
  /** Which topic severities go to Slack and PagerDuty, aliases and default topic. */
  readonly channels: ChannelsConfig;
  /** Slack notifier; severities routed to Slack are skipped (not failed) when absent. */
  readonly slack?: Notifier;
  /** PagerDuty notifier; severities routed to PagerDuty are skipped when absent. */
  readonly pagerduty?: Notifier;
}

/** Sends each notification to the base notifier and to the channels of its severity. */
class ChannelRouter implements Notifier {
  readonly #o: ChannelRouterOptions;

  constructor(options: ChannelRouterOptions) {
    this.#o = options;
  }

  /** The notifications of `all` whose topic severity enables `channel`. */
  #routed(all: readonly Notification[], channel: 'slack' | 'pagerduty'): Notification[] {
    const { channels } = this.#o;
    return all.filter((n) => channels.severities[topicSeverityOf(n.severity, channels)][channel]);
  }

  /**
   * Sends through the base notifier and the routed channels concurrently. A `NotifierError`
   * contributes its `failed` keys; any other error fails every notification that channel got.
   */
  async send(notifications: readonly Notification[]): Promise<void> {
    const jobs: { notifier: Notifier; batch: readonly Notification[] }[] = [
      { notifier: this.#o.base, batch: notifications },
    ];
    for (const channel of ['slack', 'pagerduty'] as const) {
      const notifier = this.#o[channel];
      const batch = notifier ? this.#routed(notifications, channel) : [];
      if (notifier && batch.length > 0) jobs.push({ notifier, batch });
    }
    const results = await Promise.allSettled(jobs.map((j) => j.notifier.send(j.batch)));
    const failed = new Set<string>();
    const errors: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      errors.push(r.reason);
      const keys =
        r.reason instanceof NotifierError
          ? r.reason.failed
          : (jobs[i]?.batch ?? []).map((n) => n.groupKey);
      for (const key of keys) failed.add(key);
    });
    if (errors.length === 0) return;
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    throw new NotifierError(
      `${errors.length} of ${jobs.length} channel(s) failed: ${messages.join('; ')}`,
      [...failed],
      { cause: errors.length === 1 ? errors[0] : errors },
    );
  }
}

export type { ChannelRouterOptions };
export { ChannelRouter };
