import type { Notification } from './types';

/** Delivers alert notifications (SNS topic per severity on AWS; console and webhooks locally). */
export interface Notifier {
  /** Sends every notification or throws `NotifierError` naming the ones that failed. */
  send(notifications: readonly Notification[]): Promise<void>;
}
