import type { APIGatewayProxyResult } from 'aws-lambda';
import type { IngestResult } from '../domain/ingest/ingest-series';
import { describeSeries } from '../domain/ingest/validate-series';
import { countMetric } from '../shared/powertools';
import type { ResponseBudget } from './response-budget';

/** Most rejected samples listed one by one in a response; the rest are counted. */
const MAX_LISTED_REJECTIONS = 100;

/** A Prometheus HTTP API success envelope. */
const prometheusSuccess = (
  data: unknown,
  warnings: readonly string[] = [],
): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(
    warnings.length > 0 ? { status: 'success', data, warnings } : { status: 'success', data },
  ),
});

/**
 * `prometheusSuccess(items)` for a list (series, label names, label values), encoded item by item
 * under a size budget: it throws `ResponseTooLargeError` as soon as the budget is spent, having
 * encoded at most one item past it. The body is the same as `prometheusSuccess`'s.
 *
 * @param items - the `data` array; each item is encoded with `JSON.stringify`
 * @param unit - what an item is, for the refusal's message (`series`, `label names`)
 */
const prometheusListSuccess = (
  items: readonly unknown[],
  budget: ResponseBudget,
  unit: string,
): APIGatewayProxyResult => {
  const out: string[] = [];
  const put = (piece: string) => {
    budget.add(piece);
    out.push(piece);
  };
  const n = items.length;
  budget.progress(0, n, unit);
  put('{"status":"success","data":[');
  for (let i = 0; i < n; i++) {
    budget.progress(i, n, unit);
    put(`${i > 0 ? ',' : ''}${JSON.stringify(items[i])}`);
  }
  budget.progress(n, n, unit);
  put(']}');
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: out.join(''),
  };
};

const formatValue = (v: number): string =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? '+Inf'
      : v === Number.NEGATIVE_INFINITY
        ? '-Inf'
        : String(v);

/** The rejected samples, as a list a client can act on. */
const rejectionList = (result: IngestResult) =>
  result.rejected.slice(0, MAX_LISTED_REJECTIONS).map((r) => ({
    series: describeSeries(r.labels),
    timestamp: r.sample.t,
    value: formatValue(r.sample.v),
    reason: r.reason,
  }));

/**
 * Answer to an ingest request. All accepted → `okStatus`. Some rejected → 400 (a sender must not
 * retry bad data), naming each rejected sample and its reason; the accepted ones are stored.
 */
const ingestResponse = (
  result: IngestResult,
  format: 'json' | 'text',
  okStatus: number,
): APIGatewayProxyResult => {
  const rejected = result.rejected.length;
  countMetric('SamplesAccepted', result.accepted);
  countMetric('SamplesRejected', rejected);
  if (format === 'json') {
    const body =
      rejected === 0
        ? { status: 'success', accepted: result.accepted }
        : {
            status: 'error',
            errorType: 'bad_data',
            error: `${rejected} of ${rejected + result.accepted} samples rejected; the other ${result.accepted} were stored`,
            accepted: result.accepted,
            rejected: rejectionList(result),
            ...(rejected > MAX_LISTED_REJECTIONS
              ? { rejectedNotListed: rejected - MAX_LISTED_REJECTIONS }
              : {}),
          };
    return {
      statusCode: rejected === 0 ? okStatus : 400,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    };
  }
  if (rejected === 0) return { statusCode: okStatus, headers: {}, body: '' };
  const lines = rejectionList(result).map((r) => `${r.series} @${r.timestamp}: ${r.reason}`);
  const more =
    rejected > MAX_LISTED_REJECTIONS ? [`... and ${rejected - MAX_LISTED_REJECTIONS} more`] : [];
  return {
    statusCode: 400,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: `${rejected} of ${rejected + result.accepted} samples rejected (the other ${result.accepted} were stored):\n${[...lines, ...more].join('\n')}\n`,
  };
};

export { formatValue, ingestResponse, prometheusListSuccess, prometheusSuccess };
