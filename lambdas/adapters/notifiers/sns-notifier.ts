/**
 * `Notifier` publishing each notification to the SNS topic of its severity.
 *
 * One `Publish` per notification, `MessageStructure: 'json'`, so each protocol gets its own body
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html):
 * - `default` (HTTP/S, SQS, Lambda subscribers): the Alertmanager webhook payload, version 4, as
 *   JSON text — what the Slack and PagerDuty functions parse;
 * - `email`: a readable summary (status, severity, alert names, labels, annotations including
 *   summary, description and runbook_url, start/end times, source links). Alerts carry their
 *   value only through annotations, as in Alertmanager, so values appear where rules template them.
 *
 * Limits enforced before publishing:
 * - Subject (./email-text.ts): "UTF-8 text with no line breaks or control characters, and less than 100 characters
 *   long" (PublishInput docs); older SNS docs and Amazon Managed Prometheus' SNS receiver want
 *   ASCII, so the subject is folded to printable ASCII and cut to {@link MAX_SUBJECT_CHARS}.
 * - Size: a message, attributes included, is at most 256 KB = 262,144 bytes
 *   (https://docs.aws.amazon.com/general/latest/gr/sns.html). The email text is cut first (with a
 *   note saying so); the payload stays valid JSON: when it alone is too large, alerts are dropped
 *   from the end and counted in `truncatedAlerts`, as Alertmanager's webhook `max_alerts` does
 *   (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * - Message attributes `severity`, `alertname`, `status` (String) for subscription filter
 *   policies; an attribute with an empty value is left out, since SNS refuses empty values.
 *
 * Failures: throttling and server errors are retried with exponential backoff (on top of the
 * SDK's own retries); after that, or on any other error, `send` throws `NotifierError` naming the
 * group keys that failed. The other notifications of the batch are still published.
 */
import {
  type MessageAttributeValue,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
  type SNSClientConfig,
} from '@aws-sdk/client-sns';
import type { Notification, WebhookPayload } from '../../domain/alerting/types';
import { NotifierError } from '../../domain/errors';
import type { Notifier } from '../../domain/alerting/notifier';
import { backoffMs, retry } from '../../domain/retry';
import {
  alertNames,
  emailTextOf,
  MAX_SUBJECT_CHARS,
  subjectOf,
  toPrintableAscii,
} from './email-text';

/** SNS message size limit, attributes included, bytes. */
const MAX_MESSAGE_BYTES = 262_144;
/** Room always kept for the email text when the payload has to lose alerts. */
const MIN_EMAIL_BYTES = 4096;
/** Publish attempts per notification for retryable failures. */
const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_BASE_DELAY_MS = 200;

/** SNS error names worth retrying (throttling and service-side faults). */
const RETRYABLE_ERRORS = new Set([
  'ThrottledException',
  'ThrottlingException',
  'Throttling',
  'KMSThrottlingException',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
]);

interface SnsNotifierOptions {
  /** @default a new `SNSClient(clientConfig)` */
  readonly client?: SNSClient;
  /** Used only when `client` is not given. */
  readonly clientConfig?: SNSClientConfig;
  /** Topic ARN per severity label value (`critical`, `warning`, …). */
  readonly topicArnBySeverity: Readonly<Record<string, string>>;
  /** Topic of notifications whose severity has no topic of its own. */
  readonly defaultTopicArn: string;
  /** Publish attempts for throttling / 5xx. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay, doubled on each retry. @default 200 */
  readonly baseDelayMs?: number;
  /** Waits between attempts. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Longest prefix of `text` (plus `suffix`) whose JSON string encoding fits in `budget` bytes. */
const cutToJsonBytes = (text: string, suffix: string, budget: number): string => {
  const fits = (len: number): boolean =>
    bytes(JSON.stringify(text.slice(0, len) + suffix)) <= budget;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  // never end on the first half of a surrogate pair
  const code = text.charCodeAt(lo - 1);
  if (lo > 0 && code >= 0xd800 && code <= 0xdbff) lo -= 1;
  return text.slice(0, lo) + suffix;
};

const attributesOf = (n: Notification): Record<string, MessageAttributeValue> => {
  const values: [string, string][] = [
    ['severity', n.severity],
    ['alertname', n.payload.commonLabels.alertname ?? alertNames(n.payload).join(',')],
    ['status', n.status],
  ];
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of values) {
    if (value) attributes[name] = { DataType: 'String', StringValue: value };
  }
  return attributes;
};

const attributesBytes = (attributes: Record<string, MessageAttributeValue>): number =>
  Object.entries(attributes).reduce(
    (sum, [name, v]) => sum + bytes(name) + bytes(v.DataType ?? '') + bytes(v.StringValue ?? ''),
    0,
  );

/**
 * The Publish input of a notification (without `TopicArn`), within SNS's size limit: the email
 * text is cut first; the payload loses alerts from the end only when it alone does not fit.
 */
const publishInputOf = (n: Notification): Omit<PublishCommandInput, 'TopicArn'> => {
  const Subject = subjectOf(n);
  const MessageAttributes = attributesOf(n);
  // {"default":"…","email":"…"} around the two JSON-encoded strings
  const envelope = bytes('{"default":,"email":}');
  const fixed = bytes(Subject) + attributesBytes(MessageAttributes) + envelope;
  const defaultBudget = MAX_MESSAGE_BYTES - fixed - MIN_EMAIL_BYTES;
  const encodedPayload = (p: WebhookPayload): string => JSON.stringify(JSON.stringify(p));

  let payload = n.payload;
  if (bytes(encodedPayload(payload)) > defaultBudget) {
    const withFirst = (k: number): WebhookPayload => ({
      ...n.payload,
      alerts: n.payload.alerts.slice(0, k),
      truncatedAlerts: n.payload.truncatedAlerts + n.payload.alerts.length - k,
    });
    let lo = 0;
    let hi = n.payload.alerts.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (bytes(encodedPayload(withFirst(mid))) <= defaultBudget) lo = mid;
      else hi = mid - 1;
    }
    payload = withFirst(lo);
  }
  const defaultJson = JSON.stringify(payload);
  const emailBudget = MAX_MESSAGE_BYTES - fixed - bytes(JSON.stringify(defaultJson));
  const fullEmail = emailTextOf(n, payload);
  const email =
    bytes(JSON.stringify(fullEmail)) <= emailBudget
      ? fullEmail
      : cutToJsonBytes(fullEmail, '\n\n[message truncated: SNS size limit]', emailBudget);
  return {
    Message: JSON.stringify({ default: defaultJson, email }),
    MessageStructure: 'json',
    Subject,
    MessageAttributes,
  };
};

const isRetryable = (error: unknown): boolean => {
  const e = error as {
    name?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE_ERRORS.has(e?.name ?? '') || status === 429 || status >= 500 || !!e?.$retryable;
};

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Publishes notifications to SNS topics by severity; see the file comment. */
class SnsNotifier implements Notifier {
  readonly #client: SNSClient;
  readonly #topics: Readonly<Record<string, string>>;
  readonly #defaultTopic: string;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: SnsNotifierOptions) {
    this.#client = options.client ?? new SNSClient(options.clientConfig ?? {});
    this.#topics = options.topicArnBySeverity;
    this.#defaultTopic = options.defaultTopicArn;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.#baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.#sleep = options.sleep ?? realSleep;
  }

  /** The topic a severity publishes to. */
  topicArnOf(severity: string): string {
    return Object.hasOwn(this.#topics, severity)
      ? (this.#topics[severity] as string)
      : this.#defaultTopic;
  }

  /** Publishes every notification; throws `NotifierError` naming the group keys that failed. */
  async send(notifications: readonly Notification[]): Promise<void> {
    const results = await Promise.allSettled(notifications.map((n) => this.#publish(n)));
    const failures: { groupKey: string; error: unknown }[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failures.push({ groupKey: (notifications[i] as Notification).groupKey, error: r.reason });
      }
    });
    if (failures.length === 0) return;
    throw new NotifierError(
      `SNS publish failed for ${failures.length} of ${notifications.length} notification(s): ${failures
        .map((f) => `${f.groupKey}: ${describeError(f.error)}`)
        .join('; ')}`,
      failures.map((f) => f.groupKey),
      { cause: failures.length === 1 ? failures[0]?.error : failures.map((f) => f.error) },
    );
  }

  async #publish(n: Notification): Promise<void> {
    const input: PublishCommandInput = {
      TopicArn: this.topicArnOf(n.severity),
      ...publishInputOf(n),
    };
    await retry(() => this.#client.send(new PublishCommand(input)), {
      maxAttempts: this.#maxAttempts,
      sleep: this.#sleep,
      delayMs: (error, attempt) =>
        isRetryable(error) ? backoffMs(attempt, { baseMs: this.#baseDelayMs }) : undefined,
    });
  }
}

export type { SnsNotifierOptions };
export {
  emailTextOf,
  MAX_MESSAGE_BYTES,
  MAX_SUBJECT_CHARS,
  publishInputOf,
  SnsNotifier,
  subjectOf,
  toPrintableAscii,
};
