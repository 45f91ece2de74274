/**
 * Vigil's own PromQL engine as a {@link QueryEngine}: evaluates over a `SeriesStore` (the
 * embedded store locally, Timestream on AWS) with each query's sample limit and deadline, and
 * lists series from the store ({@link StoreSeriesLister}).
 */
import type { SeriesStore } from '../ports';
import { evaluateInstant, evaluateRange, type EvaluateOptions } from '../promql/evaluator';
import type { ParsedExprLookup } from '../promql/expr-json';
import type {
  EngineQueryResult,
  InstantQuery,
  QueryEngine,
  QueryLimits,
  RangeQuery,
} from './query-engine';
import { StoreSeriesLister } from './store-series-lister';

/** Options of {@link LocalQueryEngine}. */
export interface LocalQueryEngineOptions {
  readonly store: SeriesStore;
  /** The clock that times query deadlines (needed for `timeoutMs` to apply). */
  readonly now?: () => number;
  /** Queries parsed ahead, evaluated without the parser (`EvaluateOptions.parsed`). */
  readonly parsed?: ParsedExprLookup;
}

/** See the module comment. */
export class LocalQueryEngine extends StoreSeriesLister implements QueryEngine {
  readonly #now: (() => number) | undefined;
  readonly #parsed: ParsedExprLookup | undefined;

  constructor(opts: LocalQueryEngineOptions) {
    super(opts.store);
    this.#now = opts.now;
    this.#parsed = opts.parsed;
  }

  instantQuery(q: InstantQuery): Promise<EngineQueryResult> {
    return evaluateInstant(this.store, q.query, q.timeMs, this.#options(q));
  }

  rangeQuery(q: RangeQuery): Promise<EngineQueryResult> {
    return evaluateRange(this.store, q.query, q.startMs, q.endMs, q.stepMs, this.#options(q));
  }

  #options(q: QueryLimits): EvaluateOptions {
    return {
      ...(this.#parsed ? { parsed: this.#parsed } : {}),
      ...(q.maxSamples === undefined ? {} : { maxSamples: q.maxSamples }),
      ...(q.defaultSubqueryStepMs === undefined
        ? {}
        : { defaultSubqueryStepMs: q.defaultSubqueryStepMs }),
      ...(q.timeoutMs === undefined || this.#now === undefined
        ? {}
        : { timeoutMs: q.timeoutMs, now: this.#now }),
    };
  }
}
