/**
 * OTLP log records → Vigil's log events, so they take the path of `POST /ingest/logs`:
 * `service` = the resource's `service.name`; `level` from the severity number (TRACE, DEBUG, INFO,
 * WARN, ERROR, FATAL), else the severity text; `message` = the body (a map or list as JSON);
 * `trace_id` / `span_id` in hex (the trace id is the correlation id); every attribute under its own
 * key (one that would hide a key above is kept as `<key>_extracted`); the other resource attributes
 * under `resource`, the scope's name under `scope`. The event time is the record's time, else its
 * observed time, else the arrival time.
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/
 */
import { PayloadTooLargeError } from '../errors';
import type { LogEvent, ParsedLogEvents, RejectedLogEvent } from '../logs/log-event';
import { logEventReader, type ParseLogEventsOptions } from '../logs/parse-log-events';
import { anyValueJson, nanosToMs } from './attributes';
import type { ExportLogsServiceRequest, KeyValue, LogRecord } from './types';

/** `SeverityNumber` ranges of the log data model, 4 numbers per level. */
const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
const EXTRACTED_SUFFIX = '_extracted';

const levelOf = (r: LogRecord): string | undefined => {
  const n = r.severityNumber ?? 0;
  if (n >= 1 && n <= 24) return SEVERITY_LEVELS[Math.floor((n - 1) / 4)];
  const text = r.severityText ?? '';
  return text === '' ? undefined : text;
};

const hexId = (id: Uint8Array | undefined): string | undefined => {
  if (!id || id.length === 0) return undefined;
  const hex = Buffer.from(id).toString('hex');
  return /^0+$/.test(hex) ? undefined : hex;
};

const attributesObject = (attrs: readonly KeyValue[] | undefined): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const kv of attrs ?? []) out[kv.key ?? ''] = anyValueJson(kv.value);
  return out;
};

/** The event object of one record. */
const recordFields = (
  r: LogRecord,
  service: unknown,
  resource: Record<string, unknown>,
  scope: string | undefined,
): Record<string, unknown> => {
  const own: Record<string, unknown> = {};
  if (typeof service === 'string') own.service = service;
  const level = levelOf(r);
  if (level !== undefined) own.level = level;
  if (r.severityText) own.severity_text = r.severityText;
  if (r.body) own.message = anyValueJson(r.body);
  const traceId = hexId(r.traceId);
  if (traceId !== undefined) own.trace_id = traceId;
  const spanId = hexId(r.spanId);
  if (spanId !== undefined) own.span_id = spanId;
  if (r.eventName) own.event_name = r.eventName;
  if (Object.keys(resource).length > 0) own.resource = resource;
  if (scope) own.scope = scope;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributesObject(r.attributes)))
    fields[Object.hasOwn(own, k) ? `${k}${EXTRACTED_SUFFIX}` : k] = v;
  return Object.assign(fields, own);
};

/**
 * Turns a request's records into log events (indexed across the request in order) and the
 * rejected ones with their reasons. More records than `maxEvents` → 413.
 */
const otlpLogsToLogEvents = (
  request: ExportLogsServiceRequest,
  opts: ParseLogEventsOptions,
): ParsedLogEvents => {
  let total = 0;
  for (const rl of request.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? []) total += sl.logRecords?.length ?? 0;
  if (total > opts.maxEvents)
    throw new PayloadTooLargeError(
      `${total} log records in one request, more than the limit of ${opts.maxEvents}`,
    );
  const read = logEventReader(opts);
  const events: LogEvent[] = [];
  const rejected: RejectedLogEvent[] = [];
  let index = 0;
  for (const rl of request.resourceLogs ?? []) {
    const resource = attributesObject(rl.resource?.attributes);
    const service = resource['service.name'];
    delete resource['service.name'];
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        const t = nanosToMs(r.timeUnixNano) || nanosToMs(r.observedTimeUnixNano);
        const ev = read(
          recordFields(r, service, resource, sl.scope?.name || undefined),
          t > 0 ? t : opts.receivedAtMs,
        );
        if (typeof ev === 'string') rejected.push({ index, reason: `log record ${index}: ${ev}` });
        else events.push(ev);
        index++;
      }
    }
  }
  return { events, rejected };
};

export { otlpLogsToLogEvents };
