/**
 * `LogSink` and `LogReader` for local mode: NDJSON files `<dir>/<service>/<YYYY-MM-DD>.ndjson`,
 * one file per service and UTC day of the event's timestamp.
 *
 * Line format (one JSON object per line, the `LogEvent` as parsed, so a read gives back exactly
 * what was stored):
 * `{"timestampMs":1700000000000,"level":"ERROR","service":"fraud-api","message":"…",
 *   "correlationId":"req-1","traceId":"…","spanId":"…","requestId":"…","isPrediction":false,
 *   "fields":{…the original event, unchanged…}}`
 * (`correlationId`, `traceId`, `spanId`, `requestId` only when present).
 *
 * Appends are durable (fsync before `put` resolves) and serialized per file within the process.
 * The directory of a service is its name made path-safe (`safeSegment`: no `/`, no `..`);
 * since two names can share a directory, reads keep only lines of the exact service asked for.
 * A query reads only the day files its range covers.
 */
import { join } from 'node:path';
import type { LogEvent } from '../../domain/logs/log-event';
import type { BatchResult } from '../../domain/ports';
import type { LogQuery, LogReader, LogSink } from '../../domain/logs/log-store';
import {
  appendLines,
  dayFileName,
  readDays,
  safeSegment,
  subdirectories,
} from '../files/ndjson-day-files';
import { normalizeLevel } from './log-levels';

/** Default most events a query returns (the port's documented default). */
const DEFAULT_LOG_QUERY_LIMIT = 1000;

/** Options of {@link FileLogStore}. */
interface FileLogStoreOptions {
  /** Directory of the service directories; created on first write. */
  readonly dir: string;
}

/** The directory local mode keeps log files in, under the data directory. */
const localLogsDir = (dataDir: string): string => join(dataDir, 'logs');

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored line back into a LogEvent, or undefined when it is not one. */
const eventOf = (line: unknown): LogEvent | undefined => {
  if (!isObj(line)) return undefined;
  const { timestampMs, level, service, message, isPrediction, fields } = line;
  if (
    typeof timestampMs !== 'number' ||
    typeof level !== 'string' ||
    typeof service !== 'string' ||
    typeof message !== 'string' ||
    !isObj(fields)
  ) {
    return undefined;
  }
  const optional = (key: string): Record<string, string> =>
    typeof line[key] === 'string' ? { [key]: line[key] as string } : {};
  return {
    timestampMs,
    level,
    service,
    message,
    ...optional('correlationId'),
    ...optional('traceId'),
    ...optional('spanId'),
    ...optional('requestId'),
    isPrediction: isPrediction === true,
    fields,
  };
};

/** The stored line of an event (key order fixed, optional keys only when set). */
const lineOf = (e: LogEvent): string =>
  JSON.stringify({
    timestampMs: e.timestampMs,
    level: e.level,
    service: e.service,
    message: e.message,
    ...(e.correlationId !== undefined && { correlationId: e.correlationId }),
    ...(e.traceId !== undefined && { traceId: e.traceId }),
    ...(e.spanId !== undefined && { spanId: e.spanId }),
    ...(e.requestId !== undefined && { requestId: e.requestId }),
    isPrediction: e.isPrediction,
    fields: e.fields,
  });

/**
 * Whether `e` matches the query's filters: service exact; level case-insensitive with `WARNING` = `WARN` (as the parser folds them); the
 * correlation id against the event's correlation, request and trace ids.
 */
const matches = (e: LogEvent, q: LogQuery): boolean => {
  if (e.timestampMs < q.range.startMs || e.timestampMs > q.range.endMs) return false;
  if (q.service !== undefined && e.service !== q.service) return false;
  if (q.level !== undefined && e.level !== normalizeLevel(q.level)) return false;
  if (
    q.correlationId !== undefined &&
    e.correlationId !== q.correlationId &&
    e.requestId !== q.correlationId &&
    e.traceId !== q.correlationId
  ) {
    return false;
  }
  return true;
};

/** Local log storage as NDJSON day files; see the file comment for the layout. */
class FileLogStore implements LogSink, LogReader {
  readonly #dir: string;

  constructor(options: FileLogStoreOptions) {
    this.#dir = options.dir;
  }

  /** Appends every event to its service's day file; local mode refuses none. */
  async put(events: readonly LogEvent[]): Promise<BatchResult> {
    const byFile = new Map<string, string[]>();
    for (const e of events) {
      const path = join(this.#dir, safeSegment(e.service), dayFileName(e.timestampMs));
      let lines = byFile.get(path);
      if (!lines) {
        lines = [];
        byFile.set(path, lines);
      }
      lines.push(lineOf(e));
    }
    await Promise.all([...byFile].map(([path, lines]) => appendLines(path, lines)));
    return { accepted: events.length, rejected: [] };
  }

  /** Matching events, oldest first; the newest `limit` when more match. */
  async query(query: LogQuery): Promise<LogEvent[]> {
    const limit = Math.max(0, query.limit ?? DEFAULT_LOG_QUERY_LIMIT);
    const dirs =
      query.service !== undefined ? [safeSegment(query.service)] : await subdirectories(this.#dir);
    const found: LogEvent[] = [];
    for (const d of dirs) {
      for (const line of await readDays(join(this.#dir, d), query.range)) {
        const e = eventOf(line);
        if (e && matches(e, query)) found.push(e);
      }
    }
    // Stable: events of one timestamp keep their file order.
    found.sort((a, b) => a.timestampMs - b.timestampMs);
    return limit === 0 ? [] : found.slice(-limit);
  }
}

export type { FileLogStoreOptions };
export { DEFAULT_LOG_QUERY_LIMIT, FileLogStore, localLogsDir };
