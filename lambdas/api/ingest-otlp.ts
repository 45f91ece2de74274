import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ingestSeries } from '../domain/ingest/ingest-series';
import {
  decodeLogsRequest,
  decodeMetricsRequest,
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeStatus,
  OtlpEncoding,
  otlpEncodingOf,
} from '../domain/otlp/decode';
import { otlpLogsToLogEvents } from '../domain/otlp/logs';
import { OtlpLabelCache } from '../domain/otlp/label-cache';
import { translateMetrics } from '../domain/otlp/metrics';
import { DEFAULT_OTLP_CONFIG } from '../domain/otlp/otlp-settings';
import { metricName } from '../domain/series/labels';
import { headerValue, type RawBodyEvent } from '../shared/middleware/raw-body';
import { countMetric } from '../shared/powertools';
import { type HttpHandler, withMiddlewares } from '../shared/with-middlewares';
import type { ApiDeps } from './deps';
import type { LogsApiDeps } from './ingest-logs';
import { LAMBDA_LABEL_CACHE_SERIES } from './ingest-remote-write';
import { ingestReadLogs, logReadOptions } from './log-ingest-steps';

/** Distinct reasons quoted in a partial-success message. */
const MAX_REASONS = 5;

/** `google.rpc.Code` of an HTTP error status, for the `Status` body. */
const grpcCodeOf = (status: number): number => {
  if (status === 429 || status === 413) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  if (status >= 500) return 13; // INTERNAL
  return 3; // INVALID_ARGUMENT
};

const encodingOfRequest = (event: APIGatewayProxyEvent): OtlpEncoding => {
  try {
    return otlpEncodingOf(headerValue(event, 'content-type'));
  } catch {
    return OtlpEncoding.Json;
  }
};

const binaryResult = (
  statusCode: number,
  encoded: { body: Buffer; contentType: string },
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...headers, 'Content-Type': encoded.contentType },
  body: encoded.body.toString('base64'),
  isBase64Encoded: true,
});

/**
 * OTLP/HTTP answers every failure with a `google.rpc.Status` in the request's encoding (JSON when
 * the content type itself was refused): the status, its message and Retry-After of the shared
 * error mapping, re-encoded.
 * @see https://opentelemetry.io/docs/specs/otlp/#failures-1
 */
const withOtlpErrors =
  (inner: HttpHandler): HttpHandler =>
  async (event: APIGatewayProxyEvent, context: Context) => {
    const result = await inner(event, context);
    if (result.statusCode < 400) return result;
    let message = result.body;
    try {
      const parsed = JSON.parse(result.body) as { error?: unknown };
      if (typeof parsed.error === 'string') message = parsed.error;
    } catch {
      // plain-text message
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {}))
      if (k.toLowerCase() !== 'content-type') headers[k] = String(v);
    return binaryResult(
      result.statusCode,
      encodeStatus(grpcCodeOf(result.statusCode), message.trim(), encodingOfRequest(event)),
      headers,
    );
  };

const reasonsText = (n: number, what: string, reasons: readonly string[]) =>
  n === 0 ? '' : `${n} ${what} refused: ${reasons.slice(0, MAX_REASONS).join('; ')}`;

/**
 * `POST /v1/metrics`: OTLP/HTTP metrics (protobuf or JSON, optionally gzip), translated to
 * Prometheus series as Prometheus's OTLP receiver does and stored through the ingest pipeline.
 * 200 with an empty `ExportMetricsServiceResponse`, or with `partial_success` counting the data
 * points refused (delta temporality, exponential histograms, invalid or over-limit series) and
 * why; 400 malformed body; 413 over the limits; 415 other content types; 503 + Retry-After when
 * the store throttles.
 * @param labelCacheSeries series whose translated labels are kept for the next requests.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
const makeOtlpMetricsHandler = (deps: ApiDeps, labelCacheSeries = LAMBDA_LABEL_CACHE_SERIES) => {
  const labelCache = new OtlpLabelCache(labelCacheSeries);
  return withOtlpErrors(
    withMiddlewares(
      async (event: RawBodyEvent) => {
        const encoding = otlpEncodingOf(headerValue(event, 'content-type'));
        const request = await decodeMetricsRequest(event.rawBody, encoding);
        const config = deps.config.otlp ?? DEFAULT_OTLP_CONFIG;
        const translated = translateMetrics(request, config, labelCache);
        const now = deps.clock.now();
        const result = await ingestSeries(translated.series, deps, deps.config, now);
        countMetric('SamplesAccepted', result.accepted);
        countMetric('SamplesRejected', result.rejected.length);
        // A data point is refused when any of its samples is; target_info is not a data point.
        const refusedPoints = new Set<number>();
        let unmatched = 0;
        const reasons = [...translated.reasons];
        for (const r of result.rejected) {
          const reason = `${metricName(r.labels) ?? ''}: ${r.reason}`;
          if (reasons.length < MAX_REASONS && !reasons.includes(reason)) reasons.push(reason);
          if (metricName(r.labels) === 'target_info') continue;
          const point = translated.pointOf(r.labels, r.sample.t);
          if (point === undefined) unmatched++;
          else refusedPoints.add(point);
        }
        const rejected = Math.min(
          translated.points,
          translated.rejected + refusedPoints.size + unmatched,
        );
        const message = reasons.length === 0 ? '' : reasonsText(rejected, 'data points', reasons);
        return binaryResult(200, encodeMetricsResponse(rejected, message, encoding));
      },
      { rawBody: { maxBytes: deps.config.limits.maxBodyBytes, gzip: true } },
    ),
  );
};

/**
 * `POST /v1/logs`: OTLP/HTTP logs into the log pipeline of `POST /ingest/logs` (log groups,
 * prediction events, `vigil_log_events_total`). 200, with `partial_success` counting the records
 * refused and why; the statuses of failures as for `/v1/metrics`.
 */
const makeOtlpLogsHandler = (deps: LogsApiDeps) =>
  withOtlpErrors(
    withMiddlewares(
      async (event: RawBodyEvent) => {
        const encoding = otlpEncodingOf(headerValue(event, 'content-type'));
        const request = await decodeLogsRequest(event.rawBody, encoding);
        const now = deps.clock.now();
        const parsed = otlpLogsToLogEvents(request, logReadOptions(deps, event, now));
        const result = await ingestReadLogs(deps, parsed, now);
        const reasons = [
          ...new Set([...result.rejected, ...result.predictionsRejected].map((r) => r.reason)),
        ];
        const message = reasonsText(result.rejected.length, 'log records', reasons);
        const note =
          result.rejected.length === 0 && result.predictionsRejected.length > 0
            ? `${result.predictionsRejected.length} prediction records refused (the log records were stored): ${reasons.slice(0, MAX_REASONS).join('; ')}`
            : message;
        return binaryResult(200, encodeLogsResponse(result.rejected.length, note, encoding));
      },
      { rawBody: { maxBytes: deps.logs.limits.maxBodyBytes, gzip: true } },
    ),
  );

export { makeOtlpLogsHandler, makeOtlpMetricsHandler };
