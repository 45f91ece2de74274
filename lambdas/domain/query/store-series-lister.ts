/**
 * The listing half of Vigil's own query engine: series, label names and values and the newest
 * samples, read from a `SeriesStore` without the PromQL evaluator (the read-series function
 * loads this, not the evaluator).
 */
import type { SeriesStore } from '../ports';
import type { Labels } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';
import { isStaleNaN } from '../series/sample';
import type {
  EngineListResult,
  LatestSample,
  MetricMetadata,
  QueryEngine,
  SeriesQuery,
} from './query-engine';

/** Prometheus's default lookback delta: the newest sample within 5 minutes is "current". */
const LOOKBACK_DELTA_MS = 5 * 60 * 1000;

/** What a read endpoint lists with: the non-evaluating methods of a {@link QueryEngine}. */
export type SeriesLister = Pick<
  QueryEngine,
  'series' | 'labelNames' | 'labelValues' | 'metadata' | 'latest'
>;

/** See the module comment. */
export class StoreSeriesLister implements SeriesLister {
  readonly store: SeriesStore;

  constructor(store: SeriesStore) {
    this.store = store;
  }

  async series(q: SeriesQuery): Promise<EngineListResult<Labels[]>> {
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
}
