import { createError } from '@middy/util';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError } from '../domain/errors';
import {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
  type QueryRequest,
  type QueryResult,
  type QueryValue,
} from '../domain/promql';
import { parseDurationMs } from '../domain/promql/lexical';
import { parseQuery, RangeQueryTypeError } from '../domain/promql/parse-query';
import { parseWithRegexEngine } from '../domain/promql/regex-engine';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { VIGIL_VERSION } from '../shared/version';
import { withMiddlewares } from '../shared/with-middlewares';
import type { EngineQueryResult, QueryEngine } from '../domain/query/query-engine';
import { type ApiDeps, queryEngineOf } from './deps';
import { queryResponseJson, successJson } from './query-json';
import { DEFAULT_QUERY_MAX_SAMPLES } from './query-limits';
import { parseTimeParam, requestParams } from './request-params';
import { ResponseBudget, ResponseHint } from './response-budget';

/** Prometheus's `--query.timeout` default: 2 minutes. */
const DEFAULT_QUERY_TIMEOUT_MS = 2 * 60 * 1000;
/**
 * Query timeout on Lambda: API Gateway's REST integration timeout is 29 s, so a query must give
 * up (and answer 503 `timeout`) before API Gateway answers 504 on its own.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
const LAMBDA_QUERY_TIMEOUT_MS = 25 * 1000;
/**
 * Most points per series of a range query (Prometheus web/api/v1/api.go: "sufficient for 60s
 * resolution for a week or 1h resolution for a year").
 */
const MAX_POINTS_PER_SERIES = 11_000;
/** Most warnings and infos returned (Prometheus `annotations.AsStrings(query, 10, 10)`). */
const MAX_ANNOTATIONS = 10;

/**
 * Evaluates one query within its limits and encodes the response body ({@link responseBody}). On Lambda the engine runs in the function's own process; local
 * mode runs both evaluation and encoding in worker threads (`lambdas/local/query-workers.ts`), so
 * that no query, however large its result, holds up ingestion or `/health`.
 */
export type QueryEvaluator = (req: QueryRequest, encoding: ResponseEncoding) => Promise<string>;

/** Limits of the query endpoints, and the engine that evaluates. */
export interface QueryHandlerOptions {
  /** Upper bound of a query's run time; a `timeout` parameter can only lower it. @default 120000 */
  readonly maxTimeoutMs?: number;
  /**
   * Most samples a query may hold (`--query.max-samples`).
   * @default DEFAULT_QUERY_MAX_SAMPLES, what the query function's 1024 MB hold
   */
  readonly maxSamples?: number;
  /** @default `deps.queryEngine`, else Vigil's engine in this process over `deps.store`, timed by `deps.clock` */
  readonly evaluate?: QueryEvaluator;
}

/** Handler options with their defaults applied. */
interface QueryLimits {
  readonly maxTimeoutMs: number;
  readonly maxSamples: number;
  readonly evaluate: QueryEvaluator;
}

/** An HTTP error with Prometheus's error envelope (`errorType` as in web/api/v1/api.go). */
const apiError = (
  status: number,
  errorType: string,
  message: string,
  cause?: unknown,
): Error & { statusCode: number } =>
  createError(status, JSON.stringify({ status: 'error', errorType, error: message }), {
    expose: true,
    cause,
  }) as Error & { statusCode: number };

/** `invalid parameter "x": ...`, Prometheus's `invalidParamError` (400 bad_data). */
const invalidParam = (name: string, reason: string, cause?: unknown): BadRequestError =>
  new BadRequestError(`invalid parameter ${JSON.stringify(name)}: ${reason}`, [], { cause });

/**
 * Parses a Prometheus API duration: float seconds (`15`, `0.5`) or a duration (`1m30s`). Returns
 * ms. Like Prometheus's `parseDuration` in web/api/v1/api.go.
 */
const parseDurationParam = (raw: string, name: string): number => {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    const ms = Number(raw) * 1000;
    // Go's time.Duration is int64 nanoseconds.
    if (Math.abs(ms) * 1e6 > 9.223372036854776e18)
      throw invalidParam(
        name,
        `cannot parse ${JSON.stringify(raw)} to a valid duration. It overflows int64`,
      );
    return Math.round(ms);
  }
  const ms = parseDurationMs(raw);
  if (ms === undefined)
    throw invalidParam(name, `cannot parse ${JSON.stringify(raw)} to a valid duration`);
  return ms;
};

/** A time parameter, `fallback` when absent or empty (Prometheus `parseTimeParam`). */
const timeParam = (params: URLSearchParams, name: string, fallback?: number): number => {
  const raw = params.get(name) ?? '';
  if (raw === '' && fallback !== undefined) return fallback;
  try {
    return parseTimeParam(raw, name);
  } catch (e) {
    if (raw === '') throw invalidParam(name, `cannot parse "" to a valid timestamp`, e);
    throw e;
  }
};

/** `limit`: a non-negative integer, 0 (the default) meaning no limit. */
const limitParam = (params: URLSearchParams): number => {
  const raw = params.get('limit') ?? '';
  if (raw === '') return 0;
  if (!/^[+-]?\d+$/.test(raw))
    throw invalidParam('limit', `strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = Number(raw);
  if (n < 0) throw invalidParam('limit', 'limit must be non-negative');
  return n;
};

/**
 * Parses and type-checks the `query` parameter before anything runs (both are bad_data), with
 * the RE2 engine loaded when the query needs it.
 */
const checkQuery = async (query: string, range: boolean): Promise<void> => {
  try {
    await parseWithRegexEngine(
      () => parseQuery(query, range ? 'range' : 'instant'),
      (parsed) => parsed.expr,
    );
  } catch (e) {
    if (e instanceof PromqlParseError) throw invalidParam('query', e.message, e);
    if (e instanceof RangeQueryTypeError) throw invalidParam('query', e.message, e);
    throw e;
  }
};

/** `limit` applied to vector and matrix results, with Prometheus's warning when it cut. */
const truncate = (value: QueryValue, limit: number): { value: QueryValue; cut: boolean } => {
  if (limit <= 0) return { value, cut: false };
  if (value.type === 'vector' && value.samples.length > limit)
    return { value: { ...value, samples: value.samples.slice(0, limit) }, cut: true };
  if (value.type === 'matrix' && value.series.length > limit)
    return { value: { ...value, series: value.series.slice(0, limit) }, cut: true };
  return { value, cut: false };
};

/** At most `MAX_ANNOTATIONS`, then `N more warning annotations omitted` (annotations.AsStrings). */
const capAnnotations = (list: readonly string[], kind: 'warning' | 'info'): string[] =>
  list.length <= MAX_ANNOTATIONS
    ? [...list]
    : [
        ...list.slice(0, MAX_ANNOTATIONS),
        `${list.length - MAX_ANNOTATIONS} more ${kind} annotations omitted`,
      ];

const jsonResponse = (body: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body,
});

/**
 * Runs a query under the timeout: the engine checks its deadline inside its loops, and a
 * wall-clock race covers a store call that hangs. Engine errors become Prometheus's error types.
 */
const runQuery = async (
  opts: QueryLimits,
  req: QueryRequest,
  encoding: ResponseEncoding,
): Promise<APIGatewayProxyResult> => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PromqlTimeoutError('query execution')), req.timeoutMs);
  });
  try {
    return jsonResponse(await Promise.race([opts.evaluate(req, encoding), timedOut]));
  } catch (e) {
    if (e instanceof PromqlTimeoutError) throw apiError(503, 'timeout', e.message, e);
    if (e instanceof PromqlExecutionError) throw apiError(422, 'execution', e.message, e);
    if (e instanceof PromqlParseError) throw invalidParam('query', e.message, e);
    throw e;
  } finally {
    clearTimeout(timer);
  }
};

/** How a query's response body is encoded: the `limit` parameter and the size budget. */
export interface ResponseEncoding {
  readonly limit: number;
  /** `limits.maxResponseBytes` */
  readonly maxResponseBytes: number;
  readonly hint: ResponseHint;
}

/**
 * The success body of a query: `limit` applied, annotations capped, Prometheus's JSON encoded
 * under `limits.maxResponseBytes`: a larger result is refused (422 `execution`,
 * `ResponseTooLargeError`) as soon as the encoder passes the limit. A remote engine's body is
 * returned as it came when `limit` cuts nothing (and it fits the budget).
 */
const responseBody = (result: QueryResult | EngineQueryResult, enc: ResponseEncoding): string => {
  const raw = 'raw' in result ? result.raw : undefined;
  const asReceived = (body: string): string => {
    new ResponseBudget(enc.maxResponseBytes, enc.hint).add(body);
    return body;
  };
  // Without a limit the remote's body is the answer: its value is never read.
  if (raw !== undefined && enc.limit <= 0) return asReceived(raw);
  const { value, cut } = truncate(result.value, enc.limit);
  if (raw !== undefined && !cut) return asReceived(raw);
  const warnings = capAnnotations(result.warnings, 'warning');
  if (cut) warnings.push('results truncated due to limit');
  return queryResponseJson(
    value,
    warnings,
    capAnnotations(result.infos, 'info'),
    new ResponseBudget(enc.maxResponseBytes, enc.hint),
  );
};

/** The query timeout: the `timeout` parameter, never above the handler's maximum. */
const timeoutOf = (params: URLSearchParams, maxMs: number): number => {
  const raw = params.get('timeout') ?? '';
  if (raw === '') return maxMs;
  const ms = parseDurationParam(raw, 'timeout');
  // Prometheus starts such a query past its deadline and answers 503; it can only be a mistake.
  if (ms <= 0)
    throw invalidParam('timeout', `must be a positive duration, got ${JSON.stringify(raw)}`);
  return Math.min(ms, maxMs);
};

const instantQuery = async (deps: ApiDeps, params: URLSearchParams, opts: QueryLimits) => {
  const limit = limitParam(params);
  const at = timeParam(params, 'time', deps.clock.now());
  const timeoutMs = timeoutOf(params, opts.maxTimeoutMs);
  const query = params.get('query') ?? '';
  await checkQuery(query, false);
  return runQuery(
    opts,
    {
      kind: 'instant',
      query,
      startMs: at,
      endMs: at,
      stepMs: 0,
      maxSamples: opts.maxSamples,
      timeoutMs,
    },
    {
      limit,
      maxResponseBytes: deps.config.limits.maxResponseBytes,
      hint: ResponseHint.Query,
    },
  );
};

const rangeQuery = async (deps: ApiDeps, params: URLSearchParams, opts: QueryLimits) => {
  const limit = limitParam(params);
  const start = timeParam(params, 'start');
  const end = timeParam(params, 'end');
  if (end < start) throw new BadRequestError('end timestamp must not be before start time');
  const step = parseDurationParam(params.get('step') ?? '', 'step');
  if (step <= 0)
    throw new BadRequestError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  if (Math.trunc((end - start) / step) > MAX_POINTS_PER_SERIES)
    throw new BadRequestError(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  const timeoutMs = timeoutOf(params, opts.maxTimeoutMs);
  const query = params.get('query') ?? '';
  await checkQuery(query, true);
  return runQuery(
    opts,
    {
      kind: 'range',
      query,
      startMs: start,
      endMs: end,
      stepMs: step,
      maxSamples: opts.maxSamples,
      timeoutMs,
    },
    {
      limit,
      maxResponseBytes: deps.config.limits.maxResponseBytes,
      hint: ResponseHint.QueryRange,
    },
  );
};

/**
 * Evaluates a {@link QueryRequest} through a query engine: Vigil's own (its sample limit and
 * deadline apply) or a remote Prometheus API (its own quotas apply; the timeout is sent along).
 */
const evaluateWith =
  (engine: QueryEngine): QueryEvaluator =>
  async (req, encoding) => {
    const limits = { maxSamples: req.maxSamples, timeoutMs: req.timeoutMs };
    const result =
      req.kind === 'instant'
        ? await engine.instantQuery({ query: req.query, timeMs: req.startMs, ...limits })
        : await engine.rangeQuery({
            query: req.query,
            startMs: req.startMs,
            endMs: req.endMs,
            stepMs: req.stepMs,
            ...limits,
          });
    return responseBody(result, encoding);
  };

/** `/api/v1/metadata` (`metric`): the engine's metadata; Vigil's own engine keeps none (`{}`). */
const metadata = async (engine: QueryEngine, params: URLSearchParams) => {
  const metric = params.get('metric') ?? '';
  const result = await engine.metadata(metric === '' ? undefined : metric);
  return jsonResponse(result.raw ?? successJson(JSON.stringify(result.data), result.warnings));
};

/** `/api/v1/query_exemplars`: Vigil stores no exemplars; the query is still validated. */
const queryExemplars = async (deps: ApiDeps, params: URLSearchParams) => {
  const start = timeParam(params, 'start', 0);
  const end = timeParam(params, 'end', deps.clock.now());
  if (end < start) throw new BadRequestError('end timestamp must not be before start timestamp');
  await checkQuery(params.get('query') ?? '', false);
  return jsonResponse(successJson('[]'));
};

/** `/api/v1/status/buildinfo`, with Prometheus's fields; `version` is Vigil's own. */
const buildInfo = () =>
  jsonResponse(
    successJson(
      JSON.stringify({
        version: VIGIL_VERSION,
        revision: '',
        branch: '',
        buildUser: 'vigil',
        buildDate: '',
        goVersion: `node ${process.version}`,
      }),
    ),
  );

/**
 * The Prometheus HTTP query API on the PromQL engine:
 * - `GET|POST /api/v1/query` (`query`, `time`, `timeout`, `limit`) and
 *   `GET|POST /api/v1/query_range` (`start`, `end`, `step`, `timeout`, `limit`);
 * - `GET /api/v1/metadata` (`metric`): the query engine's; `{}` from Vigil's own engine, which
 *   keeps no HELP/TYPE metadata;
 * - `GET /api/v1/query_exemplars` → `[]`: Vigil keeps no exemplars;
 * - `GET /api/v1/status/buildinfo`.
 * Errors carry Prometheus's `errorType`: `bad_data` 400, `execution` 422 (also a result larger
 * than `limits.maxResponseBytes`), `timeout` 503.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/
 */
const makeQueryHandler = (deps: ApiDeps, options: QueryHandlerOptions = {}) => {
  const engine = queryEngineOf(deps);
  const opts: QueryLimits = {
    maxTimeoutMs: options.maxTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    maxSamples: options.maxSamples ?? DEFAULT_QUERY_MAX_SAMPLES,
    evaluate: options.evaluate ?? evaluateWith(engine),
  };
  return withMiddlewares(
    async (event: RawBodyEvent) => {
      const params = requestParams(event);
      const path = event.path.replace(/\/+$/, '');
      if (path.endsWith('/api/v1/query')) return instantQuery(deps, params, opts);
      if (path.endsWith('/api/v1/query_range')) return rangeQuery(deps, params, opts);
      if (path.endsWith('/api/v1/query_exemplars')) return queryExemplars(deps, params);
      if (path.endsWith('/api/v1/metadata')) return metadata(engine, params);
      if (path.endsWith('/api/v1/status/buildinfo')) return buildInfo();
      throw apiError(404, 'not_found', `unknown query endpoint ${path}`);
    },
    { rawBody: { maxBytes: deps.config.limits.maxBodyBytes }, errorFormat: ErrorFormat.Prometheus },
  );
};

export {
  DEFAULT_QUERY_MAX_SAMPLES,
  DEFAULT_QUERY_TIMEOUT_MS,
  LAMBDA_QUERY_TIMEOUT_MS,
  MAX_POINTS_PER_SERIES,
  makeQueryHandler,
  responseBody,
};
