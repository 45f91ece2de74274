import { BadRequestError, PayloadTooLargeError } from '../errors';
import type { LogEvent, ParsedLogEvents, RejectedLogEvent } from './log-event';

/** Longest part of the body a {@link LogParseError} quotes. */
const SNIPPET_MAX_CHARS = 200;
/** Epoch numbers above this are milliseconds, below it seconds (1e12 ms is 2001-09-09). */
const EPOCH_MS_THRESHOLD = 1e12;
const DEFAULT_PREDICTION_FIELD = 'event';
const DEFAULT_PREDICTION_VALUE = 'prediction';
const DEFAULT_SERVICE = 'unknown';
const DEFAULT_LEVEL = 'UNKNOWN';

/** Keys read for the timestamp, in order; `asctime` is python-json-logger's. */
const TIMESTAMP_KEYS = ['timestamp', '@timestamp', 'time', 'ts', 'asctime'] as const;
/** Keys read for the level, in order (`levelname` is Python's, `severity` GCP's/OTel's). */
const LEVEL_KEYS = ['level', 'levelname', 'severity'] as const;
/** Keys read for the correlation id, in order. */
const CORRELATION_KEYS = ['correlation_id', 'request_id', 'trace_id'] as const;

/**
 * Level spellings folded into one: Python says `WARNING`, Powertools, log4j and the example services say
 * `WARN`; `vigil_log_events_total{level}` should count them as one level.
 */
const LEVEL_ALIASES: Readonly<Record<string, string>> = {
  WARNING: 'WARN',
  ERR: 'ERROR',
  CRIT: 'CRITICAL',
};
/** pino's numeric levels. @see https://getpino.io/#/docs/api?id=levels */
const NUMERIC_LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * ISO 8601 / RFC 3339 date-time, also with a space instead of `T` and a comma before the
 * fraction (Python's `asctime`: `2024-01-15 10:30:00,123`). No offset means UTC: Python's
 * `datetime.utcnow().isoformat()` (the example services) writes none.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/**
 * W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex; version `ff`
 * and all-zero ids are invalid; a future version may append fields after a dash.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\x21-\x7e]*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/**
 * The body of `POST /ingest/logs` is not JSON in any accepted form. Maps to 400.
 * `position` is the 0-based character offset when the JSON parser reports one, and `line`/`column`
 * (1-based) are derived from it.
 */
class LogParseError extends BadRequestError {
  override readonly name: string = 'LogParseError';
  readonly position?: number;
  readonly line?: number;
  readonly column?: number;

  constructor(
    message: string,
    where: { body?: string; position?: number } = {},
    options?: ErrorOptions,
  ) {
    const { body, position } = where;
    let line: number | undefined;
    let column: number | undefined;
    const details: string[] = [];
    if (body !== undefined && position !== undefined) {
      const before = body.slice(0, position);
      line = before.split('\n').length;
      column = position - before.lastIndexOf('\n');
      const start = body.lastIndexOf('\n', position - 1) + 1;
      const end = body.indexOf('\n', position);
      const snippet = body.slice(start, end < 0 ? body.length : end).slice(0, SNIPPET_MAX_CHARS);
      details.push(`line ${line}, column ${column}: ${snippet}`);
    }
    super(message, details, options);
    if (position !== undefined) this.position = position;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/** Options of {@link parseLogEvents}. */
interface ParseLogEventsOptions {
  /** The request's Content-Type; `application/x-ndjson` (or `jsonl`) forces NDJSON. */
  readonly contentType?: string;
  /** Arrival time, used for events without a timestamp. */
  readonly receivedAtMs: number;
  /** Request headers (any case): `X-Correlation-Id` and `traceparent` are read. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** More events than this in one request → {@link PayloadTooLargeError}. */
  readonly maxEvents: number;
  /** An event whose JSON is larger than this (UTF-8 bytes) is rejected. */
  readonly maxEventBytes: number;
  /** @default 'event' */
  readonly predictionField?: string;
  /** @default 'prediction' */
  readonly predictionValue?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8 = new TextEncoder();

const jsonErrorPosition = (e: unknown, body: string): number | undefined => {
  const msg = e instanceof Error ? e.message : '';
  const m = /at position (\d+)/.exec(msg);
  if (m) return Number(m[1]);
  if (/Unexpected end of JSON input/.test(msg)) return body.length;
  return undefined;
};

const headerValue = (
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined => {
  for (const [k, v] of Object.entries(headers))
    if (k.toLowerCase() === name && v !== undefined && v.trim() !== '') return v.trim();
  return undefined;
};

/**
 * The trace-id of a W3C `traceparent` header, or undefined when it is absent or invalid.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header-field-values
 */
const traceIdFromTraceparent = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID)
    return undefined;
  // Version 00 has exactly four fields; only later versions may append more.
  if (version === '00' && rest !== undefined) return undefined;
  return traceId;
};

/** A non-empty string, or a finite number as a string; otherwise undefined. */
const idString = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
};

const parseIsoMs = (s: string): number | undefined => {
  const m = ISO_DATE_TIME.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  const check = new Date(t);
  // Date.UTC rolls 2024-02-31 into March; a round trip catches impossible dates.
  if (
    Number.isNaN(t) ||
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(sec) > 60
  )
    return undefined;
  if (tz === undefined || tz === 'Z' || tz === 'z') return t;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return t - sign * offMin * 60_000;
};

const epochToMs = (n: number): number | undefined => {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n > EPOCH_MS_THRESHOLD ? n : n * 1000;
  return Math.round(ms);
};

/** Event timestamp in ms, `null` when absent, or a reason string when unusable. */
const readTimestamp = (o: Obj): number | null | string => {
  for (const key of TIMESTAMP_KEYS) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    let ms: number | undefined;
    if (typeof v === 'number') ms = epochToMs(v);
    else if (typeof v === 'string')
      ms = /^\d+(\.\d+)?$/.test(v.trim()) ? epochToMs(Number(v)) : parseIsoMs(v);
    if (ms === undefined || !Number.isFinite(new Date(ms).getTime()))
      return `${key}: not an ISO 8601 time or epoch number: ${JSON.stringify(v).slice(0, 100)}`;
    return ms;
  }
  return null;
};

const readLevel = (o: Obj): string => {
  for (const key of LEVEL_KEYS) {
    const v = o[key];
    if (typeof v === 'number' && Object.hasOwn(NUMERIC_LEVELS, v))
      return NUMERIC_LEVELS[v] as string;
    if (typeof v === 'string' && v.trim() !== '') {
      const up = v.trim().toUpperCase();
      return Object.hasOwn(LEVEL_ALIASES, up) ? (LEVEL_ALIASES[up] as string) : up;
    }
  }
  return DEFAULT_LEVEL;
};

const readMessage = (o: Obj): string => {
  const v = o.message ?? o.msg;
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  // Parsed from JSON, so it always stringifies.
  return JSON.stringify(v);
};

interface EventContext {
  readonly opts: ParseLogEventsOptions;
  readonly headerCorrelationId?: string;
  readonly headerTraceId?: string;
}

/** Objects and arrays inside one another in an event; deeper events are rejected, not stored. */
const MAX_EVENT_DEPTH = 100;

/** Whether `value` nests objects and arrays more than `max` levels deep (iterative: no stack to overflow). */
const nestedDeeperThan = (value: unknown, max: number): boolean => {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
};

/**
 * One candidate event → a LogEvent, or a reason it is rejected. `timestampMs` overrides the
 * event's own time keys (Loki entries carry their time beside the line).
 */
const toLogEvent = (raw: unknown, ctx: EventContext, timestampMs?: number): LogEvent | string => {
  if (!isObj(raw))
    return `must be a JSON object, got ${Array.isArray(raw) ? 'array' : raw === null ? 'null' : typeof raw}`;
  const { opts } = ctx;
  if (nestedDeeperThan(raw, MAX_EVENT_DEPTH))
    return `event nests objects and arrays more than ${MAX_EVENT_DEPTH} levels deep`;
  const bytes = utf8.encode(JSON.stringify(raw)).length;
  if (bytes > opts.maxEventBytes)
    return `event is ${bytes} bytes, more than the limit of ${opts.maxEventBytes}`;
  const ts = timestampMs ?? readTimestamp(raw);
  if (typeof ts === 'string') return ts;
  let correlationId: string | undefined;
  for (const key of CORRELATION_KEYS) {
    correlationId = idString(raw[key]);
    if (correlationId !== undefined) break;
  }
  correlationId ??= ctx.headerCorrelationId ?? ctx.headerTraceId;
  const traceId = idString(raw.trace_id) ?? ctx.headerTraceId;
  const spanId = idString(raw.span_id);
  const requestId = idString(raw.request_id);
  const service = idString(raw.service) ?? DEFAULT_SERVICE;
  const predictionField = opts.predictionField ?? DEFAULT_PREDICTION_FIELD;
  const predictionValue = opts.predictionValue ?? DEFAULT_PREDICTION_VALUE;
  return {
    timestampMs: ts ?? opts.receivedAtMs,
    level: readLevel(raw),
    service,
    message: readMessage(raw),
    ...(correlationId !== undefined && { correlationId }),
    ...(traceId !== undefined && { traceId }),
    ...(spanId !== undefined && { spanId }),
    ...(requestId !== undefined && { requestId }),
    isPrediction: Object.hasOwn(raw, predictionField) && raw[predictionField] === predictionValue,
    fields: raw,
  };
};

const tooMany = (n: number, max: number): PayloadTooLargeError =>
  new PayloadTooLargeError(`${n} log events in one request, more than the limit of ${max}`);

const isNdjsonType = (contentType: string | undefined): boolean => {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mime === 'application/x-ndjson' ||
    mime === 'application/jsonl' ||
    mime === 'application/x-jsonlines'
  );
};

const firstLineParses = (trimmed: string): boolean => {
  try {
    JSON.parse(trimmed.slice(0, trimmed.indexOf('\n')));
    return true;
  } catch {
    return false;
  }
};

const parseNdjson = (body: string, ctx: EventContext): ParsedLogEvents => {
  const lines = body.split('\n');
  const nonBlank = lines.filter((l) => l.trim() !== '').length;
  if (nonBlank > ctx.opts.maxEvents) throw tooMany(nonBlank, ctx.opts.maxEvents);
  const events: LogEvent[] = [];
  const rejected: RejectedLogEvent[] = [];
  let index = 0;
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const line = i + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      rejected.push({ index: index++, line, reason: `line ${line}: invalid JSON: ${msg}` });
      return;
    }
    const ev = toLogEvent(raw, ctx);
    if (typeof ev === 'string') rejected.push({ index, line, reason: `line ${line}: ${ev}` });
    else events.push(ev);
    index++;
  });
  return { events, rejected };
};

const parseItems = (items: readonly unknown[], ctx: EventContext): ParsedLogEvents => {
  if (items.length > ctx.opts.maxEvents) throw tooMany(items.length, ctx.opts.maxEvents);
  const events: LogEvent[] = [];
  const rejected: RejectedLogEvent[] = [];
  items.forEach((raw, index) => {
    const ev = toLogEvent(raw, ctx);
    if (typeof ev === 'string') rejected.push({ index, reason: `event ${index}: ${ev}` });
    else events.push(ev);
  });
  return { events, rejected };
};

const eventContext = (opts: ParseLogEventsOptions): EventContext => {
  const headerCorrelationId = headerValue(opts.headers, 'x-correlation-id');
  const headerTraceId = traceIdFromTraceparent(headerValue(opts.headers, 'traceparent'));
  return {
    opts,
    ...(headerCorrelationId !== undefined && { headerCorrelationId }),
    ...(headerTraceId !== undefined && { headerTraceId }),
  };
};

/**
 * The per-event normalisation of {@link parseLogEvents} for other log formats (Loki pushes):
 * returns a function turning one decoded object into a {@link LogEvent}, or the reason it is
 * rejected. `maxEvents` is not checked here.
 */
const logEventReader = (
  opts: ParseLogEventsOptions,
): ((raw: unknown, timestampMs?: number) => LogEvent | string) => {
  const ctx = eventContext(opts);
  return (raw, timestampMs) => toLogEvent(raw, ctx, timestampMs);
};

/**
 * Parses the body of `POST /ingest/logs` into log events.
 *
 * Accepted forms: one JSON object; a JSON array of objects; NDJSON (one object per line, blank
 * lines skipped), chosen by `Content-Type: application/x-ndjson` or by a body that starts with
 * `{`, is not one JSON value, and has several lines.
 *
 * - A JSON syntax error in an object or array body throws {@link LogParseError} (400) with its
 *   position; in NDJSON only that line is rejected (`line N: invalid JSON: …`) and the rest kept.
 * - More than `maxEvents` events throws {@link PayloadTooLargeError} (413); an event over
 *   `maxEventBytes` (UTF-8 of its JSON), a non-object, or an unreadable timestamp is rejected with
 *   its index and reason, and the others are accepted.
 * - Timestamps: ISO 8601 (no offset = UTC), Python's `asctime` (`2024-01-15 10:30:00,123`, UTC),
 *   epoch numbers (above 1e12 ms, else seconds); absent → `receivedAtMs`.
 * - Correlation id: the event's `correlation_id`, `request_id`, `trace_id`; else the
 *   `X-Correlation-Id` header; else the trace-id of a valid W3C `traceparent` header.
 *
 * @example
 * parseLogEvents('{"level":"info","message":"ok"}', { receivedAtMs: 0, headers: {}, maxEvents: 10_000, maxEventBytes: 262_144 })
 * // → { events: [{ timestampMs: 0, level: 'INFO', service: 'unknown', message: 'ok', isPrediction: false, fields: {...} }], rejected: [] }
 */
const parseLogEvents = (body: string, opts: ParseLogEventsOptions): ParsedLogEvents => {
  const ctx = eventContext(opts);
  if (isNdjsonType(opts.contentType)) return parseNdjson(body, ctx);
  const trimmed = body.trim();
  if (trimmed === '')
    throw new LogParseError('empty body: expected a JSON object, array or NDJSON');
  let whole: unknown;
  try {
    whole = JSON.parse(body);
  } catch (e) {
    // A pretty-printed object with a typo is not NDJSON: only fall back when the first line
    // is a JSON value on its own.
    if (trimmed.startsWith('{') && trimmed.includes('\n') && firstLineParses(trimmed))
      return parseNdjson(body, ctx);
    const msg = e instanceof Error ? e.message : String(e);
    const position = jsonErrorPosition(e, body);
    throw new LogParseError(
      `invalid JSON: ${msg}`,
      { body, ...(position !== undefined && { position }) },
      { cause: e },
    );
  }
  if (Array.isArray(whole)) return parseItems(whole, ctx);
  if (isObj(whole)) return parseItems([whole], ctx);
  throw new LogParseError(
    'body must be a JSON object, a JSON array of objects, or NDJSON (application/x-ndjson)',
  );
};

export type { ParseLogEventsOptions };
export {
  DEFAULT_PREDICTION_FIELD,
  DEFAULT_PREDICTION_VALUE,
  EPOCH_MS_THRESHOLD,
  LogParseError,
  logEventReader,
  parseLogEvents,
  traceIdFromTraceparent,
};
