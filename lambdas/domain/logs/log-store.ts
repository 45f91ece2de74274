import type { BatchResult, TimeRange } from '../ports';
import type { LogEvent } from './log-event';

/**
 * Durable storage of structured log events: a CloudWatch Logs group per service on AWS, NDJSON
 * files per service and day locally.
 */
export interface LogSink {
  /**
   * Stores events (any order, any services). Events the backend cannot take (CloudWatch Logs:
   * older than 14 days, more than 2 h ahead) are returned with their index and reason; the rest
   * are stored. Throws `StorageThrottledError` / `StorageUnavailableError` on retryable faults.
   */
  put(events: readonly LogEvent[]): Promise<BatchResult>;
}

/** What `vigil logs` asks for. Absent fields do not filter. */
export interface LogQuery {
  readonly service?: string;
  readonly correlationId?: string;
  readonly level?: string;
  readonly range: TimeRange;
  /** Most events returned, newest first cut. @default 1000 */
  readonly limit?: number;
}

/** Reads stored log events back (local files; Logs Insights on AWS). */
export interface LogReader {
  /** Matching events sorted by time, oldest first. */
  query(query: LogQuery): Promise<LogEvent[]>;
}
