/**
 * `LogSink` on CloudWatch Logs: one log group per service (named by the caller's `logGroupOf`),
 * one log stream per function instance, PutLogEvents batches planned by `log-batches.ts`.
 *
 * Streams: the name is `<YYYY/MM/DD>/<random UUID>` taken when the sink is built (one per
 * Lambda instance, the way Lambda names its own streams), so concurrent instances never write
 * the same stream. It is created with CreateLogStream the first time a group is written
 * (`ResourceAlreadyExistsException` counts as success); when PutLogEvents says the stream does
 * not exist (deleted since), it is created again and the batch is sent once more.
 *
 * Faults: ThrottlingException and 5xx (ServiceUnavailableException) are retried with
 * exponential backoff and full jitter (the helper the Timestream adapters use), then become
 * `StorageThrottledError` / `StorageUnavailableError`; a batch that failed is not stored, the
 * batches before it are (a client retrying the request may store those twice).
 * Events CloudWatch Logs reports in `rejectedLogEventsInfo` (too old, expired by the group's
 * retention, too new) are mapped back to their input index; the others of the batch are stored.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_RejectedLogEventsInfo.html
 */
import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { StorageUnavailableError } from '../../domain/errors';
import type { LogEvent } from '../../domain/logs/log-event';
import type { BatchResult, Clock, RejectedItem } from '../../domain/ports';
import type { LogSink } from '../../domain/logs/log-store';
import {
  describeAwsError,
  type RetrySettings,
  retryOptions,
  withRetries,
} from '../storage/timestream/retry';
import { type LogBatch, planLogBatches } from './log-batches';

/** Options of {@link CloudWatchLogSink}. */
interface CloudWatchLogSinkOptions extends RetrySettings {
  /** The client to use; one is built from `clientConfig` when absent. */
  readonly client?: CloudWatchLogsClient;
  /** Config of the default client. @default { maxAttempts: 1 } (this class does the retrying) */
  readonly clientConfig?: CloudWatchLogsClientConfig;
  /** The log group of a service's events (e.g. `/vigil/<project>/<service>`). */
  readonly logGroupOf: (service: string) => string;
  /** @default `<YYYY/MM/DD>/<random UUID>` of the time the sink is built */
  readonly streamName?: string;
  /** Source of "now" for the 14-day / 2-hour limits. @default Date.now */
  readonly clock?: Clock;
  /** PutLogEvents requests in flight at once. @default 4 */
  readonly concurrency?: number;
}

/** A stream name unique to this instance: `2026/11/25/3f0c…`. */
const defaultStreamName = (nowMs: number): string =>
  `${new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '/')}/${randomUUID()}`;

const errorName = (error: unknown): string =>
  (error as { name?: string } | undefined)?.name ?? 'Error';

/** Whether `error` (or the AWS error it wraps) is the named exception. */
const isAwsError = (error: unknown, name: string): boolean =>
  errorName(error) === name ||
  errorName((error as { cause?: unknown } | undefined)?.cause) === name;

/**
 * Indices (within the batch) CloudWatch Logs refused, with reasons.
 * `tooOldLogEventEndIndex` is exclusive, `tooNewLogEventStartIndex` inclusive (API reference);
 * `expiredLogEventEndIndex` is read the same way as the too-old end.
 */
const rejectedInBatch = (
  info: RejectedLogEventsInfo | undefined,
  count: number,
): Map<number, string> => {
  const out = new Map<number, string>();
  if (!info) return out;
  const mark = (from: number, to: number, reason: string): void => {
    for (let i = Math.max(0, from); i < Math.min(count, to); i++)
      if (!out.has(i)) out.set(i, reason);
  };
  if (info.tooOldLogEventEndIndex !== undefined) {
    mark(
      0,
      info.tooOldLogEventEndIndex,
      'CloudWatch Logs refused the event: more than 14 days old',
    );
  }
  if (info.expiredLogEventEndIndex !== undefined) {
    mark(
      0,
      info.expiredLogEventEndIndex,
      "CloudWatch Logs refused the event: older than the log group's retention period",
    );
  }
  if (info.tooNewLogEventStartIndex !== undefined) {
    mark(
      info.tooNewLogEventStartIndex,
      count,
      'CloudWatch Logs refused the event: more than 2 hours in the future',
    );
  }
  return out;
};

/** Structured log events into CloudWatch Logs; see the file comment. */
class CloudWatchLogSink implements LogSink {
  readonly #client: CloudWatchLogsClient;
  readonly #logGroupOf: (service: string) => string;
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #settings: RetrySettings;
  /** Log groups whose stream exists (or is being created), keyed by group name. */
  readonly #streams = new Map<string, Promise<void>>();
  /** The log stream this instance writes in every group. */
  readonly streamName: string;

  constructor(options: CloudWatchLogSinkOptions) {
    this.#client =
      options.client ?? new CloudWatchLogsClient({ maxAttempts: 1, ...options.clientConfig });
    this.#logGroupOf = options.logGroupOf;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.streamName = options.streamName ?? defaultStreamName(this.#clock.now());
    this.#settings = options;
  }

  /** Stores `events`; see the file comment for what is refused and what is thrown. */
  async put(events: readonly LogEvent[]): Promise<BatchResult> {
    const plan = planLogBatches(events, this.#clock.now());
    const rejected: RejectedItem[] = [...plan.rejected];
    const queue = [...plan.batches];
    const worker = async (): Promise<void> => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        rejected.push(...(await this.#putBatch(batch)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: events.length - rejected.length, rejected };
  }

  async #putBatch(batch: LogBatch): Promise<RejectedItem[]> {
    const group = this.#logGroupOf(batch.service);
    await this.#ensureStream(group);
    let info: RejectedLogEventsInfo | undefined;
    try {
      info = await this.#send(group, batch);
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
      // The stream was deleted since we created it (or the group is missing: then
      // CreateLogStream fails and says so).
      this.#streams.delete(group);
      await this.#ensureStream(group);
      info = await this.#send(group, batch);
    }
    const refused = rejectedInBatch(info, batch.events.length);
    return [...refused].map(([i, reason]) => ({
      index: (batch.events[i] as { index: number }).index,
      reason,
    }));
  }

  #send(group: string, batch: LogBatch): Promise<RejectedLogEventsInfo | undefined> {
    const command = new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: this.streamName,
      logEvents: batch.events.map((e) => ({ timestamp: e.timestamp, message: e.message })),
    });
    const retry = retryOptions(this.#settings, `CloudWatch Logs group "${group}"`);
    return withRetries(
      async () => (await this.#client.send(command)).rejectedLogEventsInfo,
      retry,
      (error) => {
        throw new StorageUnavailableError(
          `${retry.resource}: PutLogEvents failed: ${describeAwsError(error)}`,
          { cause: error },
        );
      },
    );
  }

  /** Creates this instance's stream in `group` once; concurrent callers share the request. */
  #ensureStream(group: string): Promise<void> {
    let pending = this.#streams.get(group);
    if (!pending) {
      pending = this.#createStream(group);
      this.#streams.set(group, pending);
      pending.catch(() => {
        if (this.#streams.get(group) === pending) this.#streams.delete(group);
      });
    }
    return pending;
  }

  async #createStream(group: string): Promise<void> {
    const retry = retryOptions(this.#settings, `CloudWatch Logs group "${group}"`);
    const command = new CreateLogStreamCommand({
      logGroupName: group,
      logStreamName: this.streamName,
    });
    await withRetries(
      async () => {
        await this.#client.send(command);
      },
      retry,
      (error) => {
        if (errorName(error) === 'ResourceAlreadyExistsException') return;
        throw new StorageUnavailableError(
          `${retry.resource}: CreateLogStream "${this.streamName}" failed: ${describeAwsError(error)}`,
          { cause: error },
        );
      },
    );
  }
}

export type { CloudWatchLogSinkOptions };
export { CloudWatchLogSink };
export {
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
  planLogBatches,
} from './log-batches';
