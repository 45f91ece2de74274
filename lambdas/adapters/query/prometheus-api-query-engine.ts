/**
 * A {@link QueryEngine} that pushes every read down to a Prometheus HTTP API: Amazon Managed
 * Service for Prometheus (AMP) on AWS, any Prometheus in tests. PromQL is evaluated by the
 * remote; nothing here downloads raw samples to evaluate them.
 *
 * Requests (AMP accepts GET and POST on the query endpoints, and SigV4-signed requests only — the
 * injected `fetch` signs them):
 * - `POST /api/v1/query`, `/api/v1/query_range`, `/api/v1/series`, `/api/v1/labels` with an
 *   `application/x-www-form-urlencoded` body (long selectors fit; nothing in the URL to log);
 * - `GET /api/v1/label/<name>/values` and `GET /api/v1/metadata` (GET only in Prometheus).
 *
 * Answers: the parsed result plus the body as received (`raw`). Failures become Vigil's domain
 * errors, so the API answers with Prometheus's status and `errorType`:
 *
 * | remote answer                                  | error                        | Vigil's API |
 * | ---------------------------------------------- | ---------------------------- | ----------- |
 * | `errorType: bad_data` (400)                    | `BadRequestError`            | 400 bad_data |
 * | `errorType: execution` (422; AMP's timeouts)   | `PromqlExecutionError`       | 422 execution |
 * | `errorType: timeout` (503)                     | `PromqlTimeoutError`         | 503 timeout |
 * | 429, 5xx, `canceled`, `unavailable`, `internal`, network failure | `QueryUnavailableError` (Retry-After kept) | 503 unavailable + Retry-After |
 * | no answer within the timeout                   | `PromqlTimeoutError`         | 503 timeout |
 * | other 4xx (403: credentials, 404: workspace)   | `RemoteQueryError`           | 500 (Vigil's configuration) |
 *
 * 429, 502, 503, 504 and network failures are first retried twice, 100 then 200 ms apart,
 * within the timeout (reads are idempotent).
 *
 * Limits: Vigil's sample limit does not apply remotely; AMP enforces its own quotas (query bytes
 * scanned per 24 h of a range query, chunks fetched per query; the optional
 * `max_samples_processed_*_threshold` parameters on query samples processed) and answers past
 * them with a Prometheus error, which maps as above.
 *
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-QueryMetrics.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/query-insights-control.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-troubleshooting.html (HTTP 422: query timeout)
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/
 */
import { retry } from '../../domain/retry';
import { BadRequestError, QueryUnavailableError } from '../../domain/errors';
import { PromqlExecutionError, PromqlTimeoutError } from '../../domain/promql/errors';
import type { QueryValue } from '../../domain/promql/values';
import type {
  EngineListResult,
  EngineQueryResult,
  InstantQuery,
  LatestSample,
  MetricMetadata,
  QueryEngine,
  RangeQuery,
  SeriesQuery,
} from '../../domain/query/query-engine';
import type { Labels } from '../../domain/series/labels';
import type { LabelMatcher } from '../../domain/series/matchers';

/** The HTTP call the engine makes: `fetch`, or a SigV4-signing wrapper of it for AMP. */
export type QueryFetch = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

/** Options of {@link PrometheusApiQueryEngine}. */
export interface PrometheusApiQueryEngineOptions {
  /**
   * The API's base: requests go to `baseUrl + '/api/v1/query'` and so on. AMP:
   * `https://aps-workspaces.<region>.amazonaws.com/workspaces/<workspace id>`.
   */
  readonly baseUrl: string;
  /** Sends a request (signed for AMP: `createSigV4Fetch({ region, service: 'aps' })`). */
  readonly fetch: QueryFetch;
  /**
   * Longest wait for an answer, ms; a query's own `timeoutMs` (sent as Prometheus's `timeout`
   * parameter) shortens it, plus a second for the remote to say it timed out.
   * @default 25000 (the query function answers before API Gateway's 29 s)
   */
  readonly timeoutMs?: number;
  /**
   * Further attempts after a 429, 502, 503, 504 or a network failure, within the timeout; the
   * last failure is what the caller sees (503 + Retry-After). Reads are idempotent.
   * @default 2
   */
  readonly retries?: number;
  /** Wait before the first retry, doubled for each next one, ms. @default 100 */
  readonly retryBaseMs?: number;
}

/** The remote refused a request in a way a retry cannot fix and the caller did not cause. */
export class RemoteQueryError extends Error {
  override readonly name = 'RemoteQueryError';
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

const DEFAULT_TIMEOUT_MS = 25_000;
/** Time the remote gets beyond a query's `timeout` to answer that it timed out. */
const REMOTE_TIMEOUT_GRACE_MS = 1000;
/** Statuses retried (throttling, a gateway or the service briefly unavailable). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Errors worth another attempt: those statuses and network failures. */
const RETRYABLE = new WeakSet<Error>();
const retryable = (e: Error): Error => {
  RETRYABLE.add(e);
  return e;
};
/** Retry-After when a throttling or failing remote gives none. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** Milliseconds as Prometheus API seconds: `1435781451.781`, `12`. */
const seconds = (ms: number): string => {
  const neg = ms < 0;
  const abs = Math.abs(Math.round(ms));
  const frac = abs % 1000;
  const text = `${Math.floor(abs / 1000)}${frac === 0 ? '' : `.${String(frac).padStart(3, '0')}`}`;
  return neg ? `-${text}` : text;
};

/** A series selector for `match[]` or a query: `{__name__="up",job=~"a|b"}`. */
const selectorOf = (matchers: readonly LabelMatcher[]): string =>
  `{${matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;

/** A sample value as the API writes it: `"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`. */
const parseValue = (v: unknown): number => {
  if (v === '+Inf' || v === 'Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  if (v === 'NaN') return Number.NaN;
  return Number(v);
};

/** A timestamp as the API writes it (float seconds) in ms. */
const parseTime = (t: unknown): number => Math.round(Number(t) * 1000);

type Pair = readonly [unknown, unknown];

/**
 * The `data` of a query answer as a {@link QueryValue}. Native histogram samples
 * (`histogram`/`histograms`) are left out: Vigil handles float samples and classic histograms.
 */
const parseQueryData = (data: unknown): QueryValue => {
  const d = data as { resultType?: string; result?: unknown };
  switch (d.resultType) {
    case 'vector':
      return {
        type: 'vector',
        samples: (d.result as { metric: Labels; value?: Pair }[])
          .filter((s) => s.value !== undefined)
          .map((s) => ({
            labels: s.metric,
            t: parseTime((s.value as Pair)[0]),
            v: parseValue((s.value as Pair)[1]),
          })),
      };
    case 'matrix':
      return {
        type: 'matrix',
        series: (d.result as { metric: Labels; values?: Pair[] }[])
          .filter((s) => s.values !== undefined)
          .map((s) => ({
            labels: s.metric,
            points: (s.values as Pair[]).map(([t, v]) => ({ t: parseTime(t), v: parseValue(v) })),
          })),
      };
    case 'scalar': {
      const [t, v] = d.result as Pair;
      return { type: 'scalar', t: parseTime(t), v: parseValue(v) };
    }
    case 'string': {
      const [t, v] = d.result as Pair;
      return { type: 'string', t: parseTime(t), v: String(v) };
    }
    default:
      throw new QueryUnavailableError(
        `unexpected resultType ${JSON.stringify(d.resultType)} from the query engine`,
      );
  }
};

/** `Retry-After` (seconds or an HTTP date) in ms; the default when absent or unreadable. */
const retryAfterMs = (header: string | null, nowMs: number): number => {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.max(1000, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(1000, at - nowMs);
};

interface Envelope {
  readonly status?: string;
  readonly data?: unknown;
  readonly errorType?: string;
  readonly error?: string;
  readonly message?: string;
  readonly warnings?: readonly string[];
  readonly infos?: readonly string[];
}

const parseEnvelope = (body: string): Envelope | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
};

/** The domain error of a failed answer (see the table in the module comment). */
const errorOf = (
  status: number,
  envelope: Envelope | undefined,
  body: string,
  retryAfter: string | null,
  nowMs: number,
): Error => {
  const message =
    envelope?.error ?? envelope?.message ?? (body.trim().slice(0, 500) || `HTTP ${status}`);
  switch (envelope?.errorType) {
    case 'bad_data':
      return new BadRequestError(message);
    case 'execution':
      return new PromqlExecutionError(message);
    case 'timeout': {
      const e = new PromqlTimeoutError('remote query');
      e.message = message;
      return e;
    }
    case 'canceled':
    case 'unavailable':
    case 'internal':
      return new QueryUnavailableError(message, retryAfterMs(retryAfter, nowMs));
  }
  if (status === 429 || status >= 500)
    return new QueryUnavailableError(message, retryAfterMs(retryAfter, nowMs));
  if (status === 400) return new BadRequestError(message);
  return new RemoteQueryError(`query engine answered HTTP ${status}: ${message}`, status);
};

/** See the module comment. */
export class PrometheusApiQueryEngine implements QueryEngine {
  readonly #baseUrl: string;
  readonly #fetch: QueryFetch;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryBaseMs: number;

  constructor(opts: PrometheusApiQueryEngineOptions) {
    this.#baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retries = opts.retries ?? 2;
    this.#retryBaseMs = opts.retryBaseMs ?? 100;
  }

  async instantQuery(q: InstantQuery): Promise<EngineQueryResult> {
    const form = new URLSearchParams({ query: q.query, time: seconds(q.timeMs) });
    if (q.timeoutMs !== undefined) form.set('timeout', `${Math.max(1, Math.round(q.timeoutMs))}ms`);
    return this.#queryResult(await this.#post('/api/v1/query', form, q.timeoutMs));
  }

  async rangeQuery(q: RangeQuery): Promise<EngineQueryResult> {
    const form = new URLSearchParams({
      query: q.query,
      start: seconds(q.startMs),
      end: seconds(q.endMs),
      step: seconds(q.stepMs),
    });
    if (q.timeoutMs !== undefined) form.set('timeout', `${Math.max(1, Math.round(q.timeoutMs))}ms`);
    return this.#queryResult(await this.#post('/api/v1/query_range', form, q.timeoutMs));
  }

  async series(q: SeriesQuery): Promise<EngineListResult<Labels[]>> {
    return this.#list<Labels[]>(await this.#post('/api/v1/series', this.#seriesForm(q)));
  }

  async labelNames(q: SeriesQuery): Promise<EngineListResult<string[]>> {
    return this.#list<string[]>(await this.#post('/api/v1/labels', this.#seriesForm(q)));
  }

  async labelValues(name: string, q: SeriesQuery): Promise<EngineListResult<string[]>> {
    const path = `/api/v1/label/${encodeURIComponent(name)}/values?${this.#seriesForm(q)}`;
    return this.#list<string[]>(await this.#send('GET', path));
  }

  async metadata(metric?: string): Promise<EngineListResult<Record<string, MetricMetadata[]>>> {
    const query = metric === undefined ? '' : `?${new URLSearchParams({ metric })}`;
    return this.#list<Record<string, MetricMetadata[]>>(
      await this.#send('GET', `/api/v1/metadata${query}`),
    );
  }

  /**
   * `/federate` pushed down: one instant query per selector at `atMs`, which gives the newest
   * sample within the 5-minute lookback of each series (none after a staleness marker), as
   * Prometheus's federation does. The remote answers with the evaluation time, not the sample's
   * own time, so that is the timestamp exposed.
   */
  async latest(
    matcherSets: readonly (readonly LabelMatcher[])[],
    atMs: number,
  ): Promise<LatestSample[]> {
    const out: LatestSample[] = [];
    const seen = new Set<string>();
    const results = await Promise.all(
      matcherSets.map((m) =>
        this.instantQuery({ query: selectorOf(m), timeMs: atMs, timeoutMs: this.#timeoutMs }),
      ),
    );
    for (const { value } of results) {
      if (value.type !== 'vector') continue;
      for (const s of value.samples) {
        const key = JSON.stringify(Object.entries(s.labels).sort());
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ labels: s.labels, value: s.v, timestampMs: s.t });
      }
    }
    return out;
  }

  /** `match[]`, `start`, `end` of a series, labels or label-values call. */
  #seriesForm(q: SeriesQuery): URLSearchParams {
    const form = new URLSearchParams();
    for (const m of q.matcherSets) form.append('match[]', selectorOf(m));
    form.set('start', seconds(q.range.startMs));
    form.set('end', seconds(q.range.endMs));
    return form;
  }

  #post(
    path: string,
    form: URLSearchParams,
    queryTimeoutMs?: number,
  ): Promise<Envelope & { raw: string }> {
    return this.#send('POST', path, form.toString(), queryTimeoutMs);
  }

  /** Sends one request and returns the success envelope, or throws the domain error. */
  async #send(
    method: string,
    path: string,
    body?: string,
    queryTimeoutMs?: number,
  ): Promise<Envelope & { raw: string }> {
    const waitMs =
      queryTimeoutMs === undefined
        ? this.#timeoutMs
        : Math.min(this.#timeoutMs, queryTimeoutMs + REMOTE_TIMEOUT_GRACE_MS);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    // Past the wait the request is aborted (its connection freed) and the query times out.
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new PromqlTimeoutError(`remote query (no answer within ${waitMs} ms)`));
        abort.abort();
      }, waitMs);
    });
    const attempt = async (): Promise<Envelope & { raw: string }> => {
      let res: Response;
      try {
        res = await this.#fetch(`${this.#baseUrl}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: abort.signal,
        });
      } catch (e) {
        throw retryable(
          new QueryUnavailableError(
            `cannot reach the query engine: ${(e as Error).message}`,
            DEFAULT_RETRY_AFTER_MS,
            { cause: e },
          ),
        );
      }
      const raw = await res.text();
      const envelope = parseEnvelope(raw);
      if (res.ok && envelope?.status === 'success') return { ...envelope, raw };
      if (res.ok)
        throw new QueryUnavailableError(
          `unreadable answer from the query engine: ${raw.slice(0, 200)}`,
        );
      // Date.now only to read an HTTP-date Retry-After; this is an adapter, not the domain.
      const error = errorOf(res.status, envelope, raw, res.headers.get('retry-after'), Date.now());
      throw RETRYABLE_STATUSES.has(res.status) ? retryable(error) : error;
    };
    // An aborted request is not retried: the query has timed out already.
    const call = () =>
      retry(attempt, {
        maxAttempts: this.#retries + 1,
        delayMs: (e, n) =>
          abort.signal.aborted || !RETRYABLE.has(e as Error)
            ? undefined
            : this.#retryBaseMs * 2 ** (n - 1),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
    try {
      return await Promise.race([call(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The answer with its value read on first use: the query API returns `raw` as it came and
   * never needs it unless `limit` may cut; the rule evaluator and drift read it.
   */
  #queryResult(envelope: Envelope & { raw: string }): EngineQueryResult {
    let value: QueryValue | undefined;
    return {
      get value(): QueryValue {
        value ??= parseQueryData(envelope.data);
        return value;
      },
      warnings: envelope.warnings ?? [],
      infos: envelope.infos ?? [],
      raw: envelope.raw,
    };
  }

  #list<T>(envelope: Envelope & { raw: string }): EngineListResult<T> {
    return {
      data: (envelope.data ?? []) as T,
      warnings: envelope.warnings ?? [],
      raw: envelope.raw,
    };
  }
}

export { selectorOf };
