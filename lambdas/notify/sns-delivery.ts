/**
 * The shared body of the Slack and PagerDuty notifier functions (SNS topic subscriptions): each
 * record's message is decoded into a `Notification` and sent through the channel's notifier.
 *
 * Idempotency per SNS message id: SNS delivers at least once, and the same message reaches both
 * functions, so the record key is `sns/<channel>/<MessageId>` in the alert state store. A record
 * that exists means "already delivered": the message is skipped. The record is written only AFTER
 * a successful send, so a failed send leaves nothing behind and Lambda's asynchronous retries (then
 * the dead-letter queue the CDK stack configures) deliver it again. The price is a small duplicate
 * window: two deliveries of one message running concurrently, or a crash between the send and the
 * save, can post twice (harmless for PagerDuty, which deduplicates on `dedup_key`).
 *
 * A failure throws (after the other records were tried), naming the failed message ids.
 */
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { AlertStateStore, Clock } from '../domain/ports';
import type { Notifier } from '../domain/alerting/notifier';
import { notificationFromSnsMessage } from './webhook-notification';

/** How long a delivery record is kept: longer than SNS retries and the 14-day DLQ retention. */
const DELIVERY_RECORD_TTL_MS = 15 * 24 * 3600 * 1000;

/** The notifier channels that have a function of their own. */
const NOTIFY_CHANNELS = ['slack', 'pagerduty'] as const;
type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/** Delivery of some records of an SNS event failed; Lambda retries the event. */
class NotifyDeliveryError extends Error {
  override readonly name = 'NotifyDeliveryError';
  readonly messageIds: readonly string[];
  constructor(message: string, messageIds: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.messageIds = messageIds;
  }
}

/** Minimal structured logger (powertools `Logger` fits). */
interface NotifyLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

interface SnsNotifyDeps {
  readonly channel: NotifyChannel;
  /** The channel's notifier; async because its secret is fetched on first use. */
  readonly notifier: () => Promise<Notifier>;
  /** Idempotency records (the DynamoDB alert state table on AWS). */
  readonly state: AlertStateStore;
  readonly clock: Clock;
  readonly log: NotifyLog;
}

/** What one invocation did, for logs and tests. */
interface SnsNotifySummary {
  readonly delivered: number;
  readonly duplicates: number;
}

/** The idempotency key of one SNS message for one channel. */
const idempotencyKeyOf = (channel: NotifyChannel, messageId: string): string =>
  `sns/${channel}/${messageId}`;

const severityOf = (record: SNSEventRecord): string =>
  record.Sns.MessageAttributes?.severity?.Value ?? '';

/** Builds the SNS event handler of one channel; see the file comment. */
const makeSnsNotifyHandler =
  (deps: SnsNotifyDeps) =>
  async (event: SNSEvent): Promise<SnsNotifySummary> => {
    let delivered = 0;
    let duplicates = 0;
    const failed: string[] = [];
    const causes: unknown[] = [];
    for (const record of event.Records) {
      const messageId = record.Sns.MessageId;
      const key = idempotencyKeyOf(deps.channel, messageId);
      try {
        if (await deps.state.load(key)) {
          duplicates++;
          deps.log.info('notification already delivered', { channel: deps.channel, messageId });
          continue;
        }
        const notification = notificationFromSnsMessage(record.Sns.Message, severityOf(record));
        await (await deps.notifier()).send([notification]);
        delivered++;
        const at = deps.clock.now();
        const saved = await deps.state.save(key, { at }, 0, {
          expiresAtMs: at + DELIVERY_RECORD_TTL_MS,
        });
        deps.log.info('notification delivered', {
          channel: deps.channel,
          messageId,
          groupKey: notification.groupKey,
          status: notification.status,
          ...(saved ? {} : { concurrentDuplicate: true }),
        });
      } catch (error) {
        failed.push(messageId);
        causes.push(error);
        deps.log.error('notification delivery failed', {
          channel: deps.channel,
          messageId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
    if (failed.length > 0) {
      throw new NotifyDeliveryError(
        `${deps.channel}: ${failed.length} of ${event.Records.length} SNS message(s) not delivered: ${failed.join(', ')}`,
        failed,
        { cause: causes.length === 1 ? causes[0] : causes },
      );
    }
    return { delivered, duplicates };
  };

export type { NotifyChannel, NotifyLog, SnsNotifyDeps, SnsNotifySummary };
export { idempotencyKeyOf, makeSnsNotifyHandler, NOTIFY_CHANNELS, NotifyDeliveryError };
