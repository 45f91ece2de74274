/**
 * One structured log event as `POST /ingest/logs` accepts it, after normalisation.
 *
 * The shape follows the example services' logs (timestamp, level, service, version, trace_id, span_id,
 * request_id, message, context) and python-json-logger's (asctime, levelname, name, message);
 * every original key stays in {@link LogEvent.fields}.
 */
export interface LogEvent {
  /** Event time in ms since the epoch; the request's arrival time when the event has none. */
  readonly timestampMs: number;
  /** Upper-case level (`WARNING` normalised to `WARN`); `UNKNOWN` when the event has none. */
  readonly level: string;
  /** The `service` key, or `unknown`. */
  readonly service: string;
  /** `message` or `msg`; a non-string value as JSON; empty when absent. */
  readonly message: string;
  /** From the event (`correlation_id`, `request_id`, `trace_id`) or the request headers. */
  readonly correlationId?: string;
  /** The event's `trace_id`, else the trace-id of a valid W3C `traceparent` header. */
  readonly traceId?: string;
  /** The event's `span_id`. */
  readonly spanId?: string;
  /** The event's `request_id`. */
  readonly requestId?: string;
  /** True when the configured prediction field holds the configured value. */
  readonly isPrediction: boolean;
  /** The original event object, unchanged. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** An event of a request that was not accepted; the others are. */
export interface RejectedLogEvent {
  /** 0-based index among the request's events (blank NDJSON lines are not counted). */
  readonly index: number;
  /** 1-based line, for NDJSON bodies. */
  readonly line?: number;
  readonly reason: string;
}

/** What {@link parseLogEvents} returns: accepted events, and the rejected ones with reasons. */
export interface ParsedLogEvents {
  readonly events: LogEvent[];
  readonly rejected: RejectedLogEvent[];
}
