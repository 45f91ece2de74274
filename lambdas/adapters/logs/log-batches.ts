/**
 * Plans CloudWatch Logs `PutLogEvents` requests for log events: pure, so the sink, its tests and
 * the benchmark share it.
 *
 * The rules, from the PutLogEvents API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
 * - "The maximum batch size is 1,048,576 bytes. This size is calculated as the sum of all event
 *   messages in UTF-8, plus 26 bytes for each log event."
 * - "The maximum number of log events in a batch is 10,000."
 * - "The log events in the batch must be in chronological order by their timestamp."
 * - A batch "cannot span more than 24 hours" (older revisions say "Otherwise, the operation
 *   fails"; the current one limits the span of the valid events).
 * - "Events more than 2 hours in the future are rejected"; "Events older than 14 days or
 *   preceding the log group's retention period are rejected while processing remaining valid
 *   events."
 * - "Each log event can be no larger than 1 MB" (raised from 256 KB in April 2025:
 *   https://aws.amazon.com/about-aws/whats-new/2025/04/amazon-cloudwatch-logs-increases-log-event-size-1-mb/).
 *   An event must also fit a batch with its 26 bytes of overhead, so a message holds at most
 *   1,048,576 - 26 bytes.
 */
import type { LogEvent } from '../../domain/logs/log-event';
import type { RejectedItem } from '../../domain/ports';

/** Bytes of one PutLogEvents batch: UTF-8 messages + {@link EVENT_OVERHEAD_BYTES} per event. */
const MAX_BATCH_BYTES = 1_048_576;
/** Bytes CloudWatch Logs counts per event on top of its message. */
const EVENT_OVERHEAD_BYTES = 26;
/** Events per PutLogEvents batch. */
const MAX_BATCH_EVENTS = 10_000;
/** Largest span (last − first timestamp) of one batch, ms. */
const MAX_BATCH_SPAN_MS = 24 * 3_600_000;
/** Largest message of one event, UTF-8 bytes: it must fit a batch with its overhead. */
const MAX_EVENT_MESSAGE_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
/** Events older than this (relative to now) are refused by CloudWatch Logs, ms. */
const MAX_EVENT_AGE_MS = 14 * 86_400_000;
/** Events further ahead than this are refused by CloudWatch Logs, ms. */
const MAX_EVENT_AHEAD_MS = 2 * 3_600_000;

/** Keys that carry a correlation id in an event, as `parseLogEvents` reads them. */
const CORRELATION_KEYS = ['correlation_id', 'request_id', 'trace_id'] as const;

/** One event of a planned batch. */
interface PlannedLogEvent {
  /** Index of the event in the input of {@link planLogBatches}. */
  readonly index: number;
  readonly timestamp: number;
  readonly message: string;
}

/** One PutLogEvents request for one service's log group, events in chronological order. */
interface LogBatch {
  readonly service: string;
  readonly events: readonly PlannedLogEvent[];
  /** Batch size as CloudWatch Logs counts it (messages + 26 per event). */
  readonly bytes: number;
}

/** What {@link planLogBatches} returns. */
interface LogBatchPlan {
  readonly batches: readonly LogBatch[];
  /** Events refused before sending, with their input index and reason. */
  readonly rejected: readonly RejectedItem[];
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The message stored for an event: its original JSON object, so Logs Insights discovers every
 * field. The normalised values a query filters on are added when the original lacks them, so
 * one query finds every event: `level` (when the event had none under that key, e.g. Python's
 * `levelname`), `service` (`unknown` when absent) and `correlation_id` (when the id came from a
 * request header, not from the event).
 */
const logMessageOf = (event: LogEvent): string => {
  const f = event.fields;
  const extra: Record<string, string> = {};
  if (!Object.hasOwn(f, 'level')) extra.level = event.level;
  if (!Object.hasOwn(f, 'service')) extra.service = event.service;
  if (
    event.correlationId !== undefined &&
    !CORRELATION_KEYS.some((k) => f[k] !== undefined && f[k] !== null && f[k] !== '')
  ) {
    extra.correlation_id = event.correlationId;
  }
  return JSON.stringify(Object.keys(extra).length === 0 ? f : { ...f, ...extra });
};

/** Why CloudWatch Logs would refuse this event, or undefined. */
const refusal = (timestamp: number, bytes: number, nowMs: number): string | undefined => {
  if (bytes > MAX_EVENT_MESSAGE_BYTES) {
    return `event is ${bytes} bytes, more than the ${MAX_EVENT_MESSAGE_BYTES} bytes CloudWatch Logs takes per event (1 MB batch minus ${EVENT_OVERHEAD_BYTES} bytes of overhead)`;
  }
  if (timestamp < nowMs - MAX_EVENT_AGE_MS) {
    return `timestamp ${new Date(timestamp).toISOString()} is more than 14 days old (CloudWatch Logs refuses it)`;
  }
  if (timestamp > nowMs + MAX_EVENT_AHEAD_MS) {
    return `timestamp ${new Date(timestamp).toISOString()} is more than 2 hours in the future (CloudWatch Logs refuses it)`;
  }
  return undefined;
};

/**
 * Splits events into PutLogEvents batches: one service per batch, chronological order (stable
 * for equal timestamps), at most 10,000 events, 1,048,576 bytes and a 24 h span per batch.
 * Events CloudWatch Logs would refuse (too large, more than 14 days old, more than 2 h ahead of
 * `nowMs`) are returned in `rejected` with their input index.
 * @param events the events to store, any order, any services
 * @param nowMs the current time, ms
 * @example
 * planLogBatches([{ timestampMs: now, service: 'api', fields: { message: 'ok' }, ... }], now)
 * // → { batches: [{ service: 'api', events: [{ index: 0, timestamp: now, message: '{"message":"ok","level":"INFO"}' }], bytes: 57 }], rejected: [] }
 */
const planLogBatches = (events: readonly LogEvent[], nowMs: number): LogBatchPlan => {
  const rejected: RejectedItem[] = [];
  const byService = new Map<string, (PlannedLogEvent & { bytes: number })[]>();
  events.forEach((event, index) => {
    const message = logMessageOf(event);
    const bytes = utf8Bytes(message);
    const timestamp = Math.trunc(event.timestampMs);
    const why = refusal(timestamp, bytes, nowMs);
    if (why !== undefined) {
      rejected.push({ index, reason: why });
      return;
    }
    let list = byService.get(event.service);
    if (!list) {
      list = [];
      byService.set(event.service, list);
    }
    list.push({ index, timestamp, message, bytes });
  });
  const batches: LogBatch[] = [];
  for (const [service, list] of byService) {
    list.sort((a, b) => a.timestamp - b.timestamp || a.index - b.index);
    let current: PlannedLogEvent[] = [];
    let bytes = 0;
    let first = 0;
    for (const e of list) {
      const size = e.bytes + EVENT_OVERHEAD_BYTES;
      if (
        current.length > 0 &&
        (current.length >= MAX_BATCH_EVENTS ||
          bytes + size > MAX_BATCH_BYTES ||
          e.timestamp - first > MAX_BATCH_SPAN_MS)
      ) {
        batches.push({ service, events: current, bytes });
        current = [];
        bytes = 0;
      }
      if (current.length === 0) first = e.timestamp;
      current.push({ index: e.index, timestamp: e.timestamp, message: e.message });
      bytes += size;
    }
    if (current.length > 0) batches.push({ service, events: current, bytes });
  }
  rejected.sort((a, b) => a.index - b.index);
  return { batches, rejected };
};

export type { LogBatch, LogBatchPlan, PlannedLogEvent };
export {
  EVENT_OVERHEAD_BYTES,
  logMessageOf,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_AHEAD_MS,
  MAX_EVENT_MESSAGE_BYTES,
  planLogBatches,
};
