import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BadRequestError } from '../domain/errors';

/**
 * Query parameters of a Prometheus HTTP API call: the query string plus, for POST, an
 * `application/x-www-form-urlencoded` body (Prometheus accepts both; Grafana uses POST).
 * Repeated keys (`match[]`) keep every value.
 */
const requestParams = (event: APIGatewayProxyEvent & { rawBody?: Buffer }): URLSearchParams => {
  const params = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters ?? {};
  const single = event.queryStringParameters ?? {};
  for (const [k, vs] of Object.entries(multi)) for (const v of vs ?? []) params.append(k, v);
  for (const [k, v] of Object.entries(single))
    if (!(k in multi) && v !== undefined) params.append(k, v);
  if (event.httpMethod.toUpperCase() === 'POST') {
    const body = event.rawBody ? event.rawBody.toString('utf8') : (event.body ?? '');
    for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
  }
  return params;
};

/**
 * Parses a Prometheus API time: Unix seconds (float) or RFC 3339. Returns ms.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview
 */
const parseTimeParam = (raw: string, name: string): number => {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadRequestError(
    `invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`,
  );
};

/** The `start`/`end` window of a metadata call; absent means the whole retention up to now. */
const timeWindow = (
  params: URLSearchParams,
  nowMs: number,
  retentionMs: number,
): { startMs: number; endMs: number } => {
  const start = params.get('start');
  const end = params.get('end');
  const endMs = end ? parseTimeParam(end, 'end') : nowMs;
  const startMs = start ? parseTimeParam(start, 'start') : Math.min(endMs, nowMs) - retentionMs;
  if (endMs < startMs)
    throw new BadRequestError(
      'invalid parameter "end": end timestamp must not be before start time',
    );
  return { startMs, endMs };
};

export { parseTimeParam, requestParams, timeWindow };
