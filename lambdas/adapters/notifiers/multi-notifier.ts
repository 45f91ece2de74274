/**
 * `Notifier` fanning out to several notifiers (SNS and console on AWS, console and webhooks
 * locally), in the manner of cdk-monitoring-constructs' `MultipleAlarmActionStrategy`: every
 * notifier gets every notification, even when another fails; failures are gathered into one
 * `NotifierError` whose `failed` lists each failed group key once.
 */
import type { Notification } from '../../domain/alerting/types';
import { NotifierError } from '../../domain/errors';
import type { Notifier } from '../../domain/alerting/notifier';

/** Sends to all of its notifiers concurrently. */
class MultiNotifier implements Notifier {
  readonly #notifiers: readonly Notifier[];

  constructor(notifiers: readonly Notifier[]) {
    this.#notifiers = notifiers;
  }

  /**
   * Sends through every notifier. A `NotifierError` contributes its `failed` keys; any other
   * error counts every notification of the batch as failed.
   */
  async send(notifications: readonly Notification[]): Promise<void> {
    const results = await Promise.allSettled(this.#notifiers.map((n) => n.send(notifications)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length === 0) return;
    const failed = new Set<string>();
    for (const error of errors) {
      const keys =
        error instanceof NotifierError ? error.failed : notifications.map((n) => n.groupKey);
      for (const key of keys) failed.add(key);
    }
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    throw new NotifierError(
      `${errors.length} of ${this.#notifiers.length} notifier(s) failed: ${messages.join('; ')}`,
      [...failed],
      { cause: errors.length === 1 ? errors[0] : errors },
    );
  }
}

export { MultiNotifier };
