/**
 * `Notifier` for local mode printing the email body each notification would have on its SNS
 * topic (`emailTextOf`, the `email` part of the SNS `MessageStructure: json` publish), so a user
 * sees locally what the email subscribers receive on AWS.
 */
import type { Notification } from '../../domain/alerting/types';
import type { Notifier } from '../../domain/alerting/notifier';
import { emailTextOf } from './email-text';

interface EmailConsoleNotifierOptions {
  /** Receives each email body followed by a separator line. @default writes to stdout */
  readonly write?: (text: string) => void;
}

/** Prints notifications as email bodies; never fails. */
class EmailConsoleNotifier implements Notifier {
  readonly #write: (text: string) => void;

  constructor(options: EmailConsoleNotifierOptions = {}) {
    this.#write = options.write ?? ((text) => process.stdout.write(`${text}\n`));
  }

  async send(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) this.#write(`${emailTextOf(n, n.payload)}\n${'-'.repeat(40)}`);
  }
}

export type { EmailConsoleNotifierOptions };
export { EmailConsoleNotifier };
