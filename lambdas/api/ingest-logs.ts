import type { APIGatewayProxyResult } from 'aws-lambda';
import type { RuntimeConfig } from '../domain/config/types';
import { UnsupportedMediaTypeError } from '../domain/errors';
import type { LogIngestPorts, LogIngestResult } from '../domain/logs/ingest-log-events';
import type { LogsConfig } from '../domain/logs/logs-config';
import { parseLogEvents } from '../domain/logs/parse-log-events';
import type { Clock } from '../domain/ports';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import { withMiddlewares } from '../shared/with-middlewares';
import { ingestReadLogs, logReadOptions } from './log-ingest-steps';

/**
 * What the log endpoints need: the log, event and counter stores, and the metric ingest ports
 * for `vigil_log_events_total`. AWS: CloudWatch Logs, Timestream `events`, DynamoDB counters
 * (lambdas/wiring/aws-deps.ts); local: files under the data directory (lambdas/wiring/local-deps.ts).
 */
export interface LogsApiDeps extends LogIngestPorts {
  readonly clock: Clock;
  /** Metric limits and mirror, for the counter samples. */
  readonly config: RuntimeConfig;
  readonly logs: LogsConfig;
}

/** Most rejected events listed one by one in a response; the rest are counted. */
const MAX_LISTED_REJECTIONS = 100;

/** A request header, case-insensitively. */
const header = (event: RawBodyEvent, name: string): string | undefined => {
  for (const [k, v] of Object.entries(event.headers ?? {}))
    if (k.toLowerCase() === name && v !== undefined) return v;
  return undefined;
};

const mimeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * One form-encoded POST of Python's stock `logging.handlers.HTTPHandler` (the LogRecord's
 * attributes, `urllib.parse.urlencode(record.__dict__)`) as one event object: `created` (epoch
 * seconds) is its time, `levelname` its level, `msg` its message (HTTPHandler sends the
 * unformatted message, its `args` beside it), `name` (the logger) its service when no `service`
 * extra is given. Every other attribute stays a string field.
 * @see https://docs.python.org/3/library/logging.handlers.html#httphandler
 */
const formEvent = (body: string): string => {
  const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(body));
  if (fields.timestamp === undefined && typeof fields.created === 'string')
    fields.timestamp = Number(fields.created);
  if (fields.service === undefined && typeof fields.name === 'string') fields.service = fields.name;
  return JSON.stringify(fields);
};

/** The rejections of a result, as listed in a response. */
const rejectionList = (result: LogIngestResult) =>
  [...result.rejected, ...result.predictionsRejected]
    .sort((a, b) => a.index - b.index)
    .slice(0, MAX_LISTED_REJECTIONS);

/**
 * Answer to a log ingest: `okStatus` when everything was stored; otherwise 400 (bad data, not to
 * be retried) listing each rejected event (index, NDJSON line, reason) — the others are stored.
 */
const logIngestResponse = (
  result: LogIngestResult,
  format: 'json' | 'text',
  okStatus: number,
): APIGatewayProxyResult => {
  const problems = result.rejected.length + result.predictionsRejected.length;
  const total = result.accepted + result.rejected.length;
  const listed = rejectionList(result);
  const summary = `${result.rejected.length} of ${total} log events rejected, ${result.predictionsRejected.length} prediction records refused; the other ${result.accepted} events were stored`;
  if (format === 'text') {
    if (problems === 0) return { statusCode: okStatus, headers: {}, body: '' };
    const more = problems > listed.length ? [`... and ${problems - listed.length} more`] : [];
    return {
      statusCode: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: `${summary}:\n${[...listed.map((r) => r.reason), ...more].join('\n')}\n`,
    };
  }
  const body =
    problems === 0
      ? { status: 'success', accepted: result.accepted, predictions: result.predictions }
      : {
          status: 'error',
          errorType: 'bad_data',
          error: summary,
          accepted: result.accepted,
          predictions: result.predictions,
          rejected: listed,
          ...(problems > listed.length ? { rejectedNotListed: problems - listed.length } : {}),
        };
  return {
    statusCode: problems === 0 ? okStatus : 400,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
};

/**
 * `POST /ingest/logs`: structured log events as one JSON object, a JSON array or NDJSON
 * (`parseLogEvents`), or one form-encoded Python `HTTPHandler` record. 200 when every event is
 * stored; 400 listing the rejected ones (the others are stored); 413 over the limits; 415 for
 * other content types; 503 when a store is throttling or down (retry).
 */
const makeIngestLogsHandler = (deps: LogsApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const now = deps.clock.now();
      const contentType = header(event, 'content-type');
      const mime = mimeOf(contentType);
      let body = event.rawBody.toString('utf8');
      const form = mime === 'application/x-www-form-urlencoded';
      // `curl -d` labels JSON as a form too: only a body that is not JSON is read as a record.
      if (form && !/^\s*[[{]/.test(body)) body = formEvent(body);
      else if (!form && mime !== '' && !mime.includes('json') && mime !== 'text/plain')
        throw new UnsupportedMediaTypeError(
          `Content-Type ${JSON.stringify(contentType)} is not accepted: send application/json, application/x-ndjson or a form-encoded Python HTTPHandler record`,
        );
      const parsed = parseLogEvents(body, {
        ...(contentType !== undefined && { contentType }),
        ...logReadOptions(deps, event, now),
      });
      const result = await ingestReadLogs(deps, parsed, now);
      return logIngestResponse(result, 'json', 200);
    },
    {
      rawBody: { maxBytes: deps.logs.limits.maxBodyBytes, gzip: true },
      errorFormat: ErrorFormat.Prometheus,
    },
  );

export { formEvent, logIngestResponse, makeIngestLogsHandler };
