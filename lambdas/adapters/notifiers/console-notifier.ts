/**
 * `Notifier` for local mode: one readable line per notification, e.g.
 * `[FIRING:2] HighErrorRate severity=critical group={alertname="HighErrorRate"} receiver=sns:
 * Error rate above 5% on a | Error rate above 5% on b`, written through an injected `write`.
 */
import type { Notification } from '../../domain/alerting/types';
import type { Notifier } from '../../domain/alerting/notifier';

interface ConsoleNotifierOptions {
  /** Receives each line, without a trailing newline. @default writes to stdout */
  readonly write?: (line: string) => void;
}

const labelsText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ')}}`;

/** The summary line of one notification. */
const summaryLineOf = (n: Notification): string => {
  const alerts = n.payload.alerts;
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const status = n.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  const names = [...new Set(alerts.map((a) => a.labels.alertname ?? '').filter(Boolean))];
  const details = alerts.map(
    (a) => a.annotations.summary || a.annotations.description || labelsText(a.labels),
  );
  if (n.payload.truncatedAlerts > 0) details.push(`+${n.payload.truncatedAlerts} more`);
  const text = [
    `[${status}] ${names.join(', ') || '(no alertname)'}`,
    `severity=${n.severity || '(none)'}`,
    `group=${labelsText(n.groupLabels)}`,
    `receiver=${n.receiver}:`,
    details.join(' | '),
  ].join(' ');
  return text.replace(/[\r\n]+/g, ' ');
};

/** Prints notifications as summary lines; never fails. */
class ConsoleNotifier implements Notifier {
  readonly #write: (line: string) => void;

  constructor(options: ConsoleNotifierOptions = {}) {
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async send(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) this.#write(summaryLineOf(n));
  }
}

export type { ConsoleNotifierOptions };
export { ConsoleNotifier, summaryLineOf };
