/**
 * Vigil's own PromQL engine as a {@link QueryEngine}: evaluates over a `SeriesStore` (the
 * embedded store locally, Timestream on AWS) with each query's sample limit and deadline, and
 * lists series from the store.
 */
import type { SeriesStore } from '../ports';
import { evaluateInstant, evaluateRange, type EvaluateOptions } from '../promql';
import { isStaleNaN } from '../series/sample';
import type { LabelMatcher } from '../series/matchers';
import type {
  EngineListResult,
  EngineQueryResult,
  InstantQuery,
  LatestSample,
  MetricMetadata,
  QueryEngine,
  QueryLimits,
  RangeQuery,
  SeriesQuery,
} from './query-engine';

/** Prometheus's default lookback delta: the newest sample within 5 minutes is "current". */
const LOOKBACK_DELTA_MS = 5 * 60 * 1000;

/** Options of {@link LocalQueryEngine}. */
export interface LocalQueryEngineOptions {
  readonly store: SeriesStore;
  /** The clock that times query deadlines (needed for `timeoutMs` to apply). */
  readonly now?: () => number;
}

/** See the module comment. */
export class LocalQueryEngine implements QueryEngine {
  readonly store: SeriesStore;
  readonly #now: (() => number) | undefined;

  constructor(opts: LocalQueryEngineOptions) {
    this.store = opts.store;
    this.#now = opts.now;
  }

  instantQuery(q: InstantQuery): Promise<EngineQueryResult> {
    return evaluateInstant(this.store, q.query, q.timeMs, this.#options(q));
  }

  rangeQuery(q: RangeQuery): Promise<EngineQueryResult> {
    return evaluateRange(this.store, q.query, q.startMs, q.endMs, q.stepMs, this.#options(q));
  }

  async series(q: SeriesQuery): Promise<EngineListResult<import('../series/labels').Labels[]>> {
    return { data: await this.store.series(q.matcherSets, q.range), warnings: [] };
  }

  async labelNames(q: SeriesQuery): Promise<EngineListResult<string[]>> {
    return { data: await this.store.labelNames(q.matcherSets, q.range), warnings: [] };
  }

  async labelValues(name: string, q: SeriesQuery): Promise<EngineListResult<string[]>> {
    return { data: await this.store.labelValues(name, q.matcherSets, q.range), warnings: [] };
  }

  /** Vigil keeps no HELP/TYPE/UNIT metadata: always empty. */
  async metadata(): Promise<EngineListResult<Record<string, MetricMetadata[]>>> {
    return { data: {}, warnings: [] };
  }

  /** The newest stored sample within the lookback, with its own timestamp. */
  async latest(
    matcherSets: readonly (readonly LabelMatcher[])[],
    atMs: number,
  ): Promise<LatestSample[]> {
    const out: LatestSample[] = [];
    const seen = new Set<string>();
    for (const matchers of matcherSets) {
      for (const s of await this.store.select(matchers, {
        startMs: atMs - LOOKBACK_DELTA_MS,
        endMs: atMs,
      })) {
        const last = s.samples[s.samples.length - 1];
        const key = JSON.stringify(s.labels);
        if (!last || isStaleNaN(last.v) || seen.has(key)) continue;
        seen.add(key);
        out.push({ labels: { ...s.labels }, value: last.v, timestampMs: last.t });
      }
    }
    return out;
  }

  #options(q: QueryLimits): EvaluateOptions {
    return {
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
