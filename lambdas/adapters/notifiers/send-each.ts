import type { Notification } from '../../domain/alerting/types';
import { NotifierError } from '../../domain/errors';

/**
 * Delivers notifications one after another, carrying on past failures, then throws one
 * `NotifierError` naming every group that failed (`what` names the channel in the message).
 */
const sendEach = async (
  notifications: readonly Notification[],
  deliver: (n: Notification) => Promise<void>,
  what: string,
): Promise<void> => {
  const failures: string[] = [];
  const reasons: string[] = [];
  const causes: unknown[] = [];
  for (const n of notifications) {
    try {
      await deliver(n);
    } catch (error) {
      failures.push(n.groupKey);
      causes.push(error);
      reasons.push(`${n.groupKey}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length === 0) return;
  throw new NotifierError(
    `${what} failed for ${failures.length} of ${notifications.length} notification(s): ${reasons.join('; ')}`,
    failures,
    { cause: causes.length === 1 ? causes[0] : causes },
  );
};

export { sendEach };
