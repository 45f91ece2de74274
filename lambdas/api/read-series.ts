import type { APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError } from '../domain/errors';
import { formatFederation } from '../domain/exposition';
import { LABEL_NAME_RE } from '../domain/series/labels';
import { isStaleNaN } from '../domain/series/sample';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import type { ApiDeps } from './deps';
import { parseSeriesSelector, requestParams, timeWindow } from './request-params';
import { ResponseBudget, ResponseHint } from './response-budget';
import { prometheusListSuccess } from './responses';
import { decodePathSegment } from '../domain/http/percent-decoding';

/** Prometheus's default lookback delta: the newest sample within 5 minutes is "current". */
const LOOKBACK_DELTA_MS = 5 * 60 * 1000;

const matchSets = (params: URLSearchParams, required: boolean) => {
  const raw = params.getAll('match[]');
  if (required && raw.length === 0) throw new BadRequestError('no match[] parameter provided');
  return raw.map(parseSeriesSelector);
};

/** A budget of `limits.maxResponseBytes` for one response. */
const budgetOf = (deps: ApiDeps, hint: ResponseHint) =>
  new ResponseBudget(deps.config.limits.maxResponseBytes, hint);

const series = async (deps: ApiDeps, params: URLSearchParams) => {
  const sets = matchSets(params, true);
  const window = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return prometheusListSuccess(
    await deps.store.series(sets, window),
    budgetOf(deps, ResponseHint.Series),
    'series',
  );
};

const labels = async (deps: ApiDeps, params: URLSearchParams) => {
  const window = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return prometheusListSuccess(
    await deps.store.labelNames(matchSets(params, false), window),
    budgetOf(deps, ResponseHint.Labels),
    'label names',
  );
};

const labelValues = async (deps: ApiDeps, params: URLSearchParams, name: string) => {
  if (!LABEL_NAME_RE.test(name))
    throw new BadRequestError(`invalid label name: ${JSON.stringify(name)}`);
  const window = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return prometheusListSuccess(
    await deps.store.labelValues(name, matchSets(params, false), window),
    budgetOf(deps, ResponseHint.Labels),
    'label values',
  );
};

/** `/federate`: the newest sample (within the lookback) of each matching series, in text format. */
const federate = async (deps: ApiDeps, params: URLSearchParams): Promise<APIGatewayProxyResult> => {
  const now = deps.clock.now();
  const out: { labels: Record<string, string>; value: number; timestampMs: number }[] = [];
  const seen = new Set<string>();
  for (const matchers of matchSets(params, true)) {
    for (const s of await deps.store.select(matchers, {
      startMs: now - LOOKBACK_DELTA_MS,
      endMs: now,
    })) {
      const last = s.samples[s.samples.length - 1];
      const key = JSON.stringify(s.labels);
      if (!last || isStaleNaN(last.v) || seen.has(key)) continue;
      seen.add(key);
      out.push({ labels: { ...s.labels }, value: last.v, timestampMs: last.t });
    }
  }
  const budget = budgetOf(deps, ResponseHint.Federate);
  const body = formatFederation(out, (piece, written, total) => {
    budget.progress(written, total, 'series');
    budget.add(piece);
  });
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
    body,
  };
};

/**
 * Read endpoints that need no PromQL: `/api/v1/series`, `/api/v1/labels`,
 * `/api/v1/label/<name>/values` (Prometheus HTTP API shapes) and `/federate`. A response larger
 * than `limits.maxResponseBytes` is refused with 422 `execution` while it is being encoded.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#querying-metadata
 */
const makeReadSeriesHandler = (deps: ApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const params = requestParams(event);
      const path = event.path.replace(/\/+$/, '');
      if (path === '/api/v1/series') return series(deps, params);
      if (path === '/api/v1/labels') return labels(deps, params);
      if (path === '/federate') return federate(deps, params);
      const m = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
      if (m)
        return labelValues(
          deps,
          params,
          decodePathSegment(m[1] as string, 'path parameter "name"'),
        );
      throw new BadRequestError(`unknown read endpoint ${path}`);
    },
    { rawBody: { maxBytes: deps.config.limits.maxBodyBytes }, errorFormat: ErrorFormat.Prometheus },
  );

export { makeReadSeriesHandler };
