import type { APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError } from '../domain/errors';
import { formatFederation } from '../domain/exposition';
import { LABEL_NAME_RE } from '../domain/series/labels';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import type { EngineListResult } from '../domain/query/query-engine';
import type { ApiDeps } from './deps';
import { seriesListerOf } from './series-lister';
import { requestParams, timeWindow } from './request-params';
import { parseSeriesSelector } from './series-selector';
import { ResponseBudget, ResponseHint } from './response-budget';
import { prometheusListSuccess } from './responses';
import { decodePathSegment } from '../domain/http/percent-decoding';

const matchSets = async (params: URLSearchParams, required: boolean) => {
  const raw = params.getAll('match[]');
  if (required && raw.length === 0) throw new BadRequestError('no match[] parameter provided');
  return Promise.all(raw.map(parseSeriesSelector));
};

/** A budget of `limits.maxResponseBytes` for one response. */
const budgetOf = (deps: ApiDeps, hint: ResponseHint) =>
  new ResponseBudget(deps.config.limits.maxResponseBytes, hint);

/**
 * A list answer under the response budget: a remote engine's body as it came, else Prometheus's
 * envelope around the data.
 */
const listResponse = <T extends readonly unknown[]>(
  result: EngineListResult<T>,
  budget: ResponseBudget,
  unit: string,
): APIGatewayProxyResult => {
  if (result.raw === undefined) return prometheusListSuccess(result.data, budget, unit);
  budget.add(result.raw);
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: result.raw };
};

const series = async (deps: ApiDeps, params: URLSearchParams) => {
  const matcherSets = await matchSets(params, true);
  const range = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return listResponse(
    await seriesListerOf(deps).series({ matcherSets, range }),
    budgetOf(deps, ResponseHint.Series),
    'series',
  );
};

const labels = async (deps: ApiDeps, params: URLSearchParams) => {
  const range = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return listResponse(
    await seriesListerOf(deps).labelNames({ matcherSets: await matchSets(params, false), range }),
    budgetOf(deps, ResponseHint.Labels),
    'label names',
  );
};

const labelValues = async (deps: ApiDeps, params: URLSearchParams, name: string) => {
  if (!LABEL_NAME_RE.test(name))
    throw new BadRequestError(`invalid label name: ${JSON.stringify(name)}`);
  const range = timeWindow(params, deps.clock.now(), deps.config.maxSampleAgeMs);
  return listResponse(
    await seriesListerOf(deps).labelValues(name, {
      matcherSets: await matchSets(params, false),
      range,
    }),
    budgetOf(deps, ResponseHint.Labels),
    'label values',
  );
};

/**
 * `/federate`: the newest sample (within the 5-minute lookback, none after a staleness marker)
 * of each matching series, in text format. Vigil's own engine reads it from the store with the
 * sample's own timestamp; a remote engine answers one instant query per `match[]` (no raw
 * samples pulled), whose timestamp is the query time.
 */
const federate = async (deps: ApiDeps, params: URLSearchParams): Promise<APIGatewayProxyResult> => {
  const out = await seriesListerOf(deps).latest(await matchSets(params, true), deps.clock.now());
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
 * Read endpoints, answered by the query engine (`deps.queryEngine`, else Vigil's over the
 * store): `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values` (Prometheus HTTP API
 * shapes) and `/federate`. A response larger than `limits.maxResponseBytes` is refused with 422
 * `execution` while it is being encoded.
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
