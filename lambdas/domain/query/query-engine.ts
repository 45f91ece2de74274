/**
 * The `QueryEngine` port: where PromQL is evaluated and series are listed. Two implementations:
 * - `LocalQueryEngine` (this folder): Vigil's own PromQL engine over a `SeriesStore` (the
 *   embedded store locally, Timestream on AWS), with the query's sample limit and deadline;
 * - `PrometheusApiQueryEngine` (`lambdas/adapters/query/`): a Prometheus HTTP API that
 *   evaluates PromQL itself (Amazon Managed Service for Prometheus). Reads are pushed down:
 *   no raw samples are downloaded to be evaluated here.
 *
 * Results are what Prometheus's HTTP API returns, parsed (the rule evaluator and drift read the
 * values); a remote engine also hands back the response body as received (`raw`), so the query
 * API can answer with the remote's JSON unchanged.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/
 */
import type { TimeRange } from '../ports';
import type { QueryResult } from '../promql/values';
import type { Labels } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';

/** Limits of one query; an engine applies those it can (a remote one enforces its own quotas). */
export interface QueryLimits {
  /** The query gives up with `PromqlTimeoutError` after this long. @default no limit (local), the engine's timeout (remote) */
  readonly timeoutMs?: number;
  /** Most samples held at once (`--query.max-samples`); local engine only. */
  readonly maxSamples?: number;
  /**
   * Step of a subquery written without one (`x[1h:]`): the rule group's interval for rules.
   * Local engine only: a remote Prometheus uses its own global evaluation interval.
   * @default 60000
   */
  readonly defaultSubqueryStepMs?: number;
}

/** An instant query (`/api/v1/query`) at `timeMs`. */
export interface InstantQuery extends QueryLimits {
  readonly query: string;
  readonly timeMs: number;
}

/** A range query (`/api/v1/query_range`): `startMs` to `endMs` every `stepMs`. */
export interface RangeQuery extends QueryLimits {
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

/** The series selectors (`match[]`) and time window of a series, labels or label-values call. */
export interface SeriesQuery {
  /** Matcher sets, any of which a series may match; empty = every series (labels calls only). */
  readonly matcherSets: readonly (readonly LabelMatcher[])[];
  readonly range: TimeRange;
}

/** What a query answers: the parsed value and annotations, plus the remote body as received. */
export interface EngineQueryResult extends QueryResult {
  /** The Prometheus API response body as the remote engine sent it (absent for the local engine). */
  readonly raw?: string;
}

/** What a series, labels, label-values or metadata call answers. */
export interface EngineListResult<T> {
  readonly data: T;
  readonly warnings: readonly string[];
  /** The Prometheus API response body as the remote engine sent it (absent for the local engine). */
  readonly raw?: string;
}

/** One entry of `/api/v1/metadata` (HELP, TYPE, UNIT of a metric). */
export interface MetricMetadata {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

/** The newest sample of a series, as `/federate` exposes it. */
export interface LatestSample {
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

/** Evaluates PromQL and lists series; see the module comment. */
export interface QueryEngine {
  /**
   * An instant query.
   * @throws BadRequestError (bad_data), PromqlExecutionError (execution), PromqlTimeoutError,
   * QueryUnavailableError (a remote engine throttling or failing: retry later)
   */
  instantQuery(query: InstantQuery): Promise<EngineQueryResult>;
  /** A range query; throws as {@link QueryEngine.instantQuery}. */
  rangeQuery(query: RangeQuery): Promise<EngineQueryResult>;
  /** Label sets of the series matching any matcher set with samples in the range. */
  series(query: SeriesQuery): Promise<EngineListResult<Labels[]>>;
  /** Sorted label names. */
  labelNames(query: SeriesQuery): Promise<EngineListResult<string[]>>;
  /** Sorted values of one label. */
  labelValues(name: string, query: SeriesQuery): Promise<EngineListResult<string[]>>;
  /** HELP/TYPE/UNIT per metric name (`metric` narrows it to one). */
  metadata(metric?: string): Promise<EngineListResult<Record<string, MetricMetadata[]>>>;
  /**
   * `/federate`: the newest sample at `atMs` (within the 5-minute lookback, none after a
   * staleness marker) of each series matching any matcher set.
   */
  latest(matcherSets: readonly (readonly LabelMatcher[])[], atMs: number): Promise<LatestSample[]>;
}
