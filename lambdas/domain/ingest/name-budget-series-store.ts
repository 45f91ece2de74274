import type { IngestLimits } from '../config/types';
import type { CardinalityTracker, SeriesStore, TimeRange, WriteResult } from '../ports';
import type { Labels } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';
import type { Series } from '../series/sample';
import { admitSeriesNames } from './name-budget';

interface NameBudgetSeriesStoreOptions {
  readonly inner: SeriesStore;
  readonly tracker: CardinalityTracker;
  readonly limits: IngestLimits;
}

/**
 * A `SeriesStore` whose writes keep within the samples table's label and metric name budgets,
 * for the writer that does not go through `ingestSeries`: the rule evaluator (alerts' `ALERTS`
 * and `ALERTS_FOR_STATE`, recording rules). Its series are Vigil's own, so they may use the
 * reserve (`limits.reservedDimensionNames`, `limits.reservedMeasureNames`). A series bringing a
 * name past the budget is not written and comes back in `rejected` with the reason; reads pass
 * through.
 */
class NameBudgetSeriesStore implements SeriesStore {
  readonly #inner: SeriesStore;
  readonly #tracker: CardinalityTracker;
  readonly #limits: IngestLimits;

  constructor(options: NameBudgetSeriesStoreOptions) {
    this.#inner = options.inner;
    this.#tracker = options.tracker;
    this.#limits = options.limits;
  }

  async write(series: readonly Series[]): Promise<WriteResult> {
    const { admitted, rejected } = await admitSeriesNames(
      series,
      this.#tracker,
      this.#limits,
      'vigil',
    );
    if (rejected.length === 0) return this.#inner.write(series);
    const written =
      admitted.length > 0 ? await this.#inner.write(admitted) : { accepted: 0, rejected: [] };
    return { accepted: written.accepted, rejected: [...rejected, ...written.rejected] };
  }

  select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    return this.#inner.select(matchers, range);
  }

  series(matcherSets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]> {
    return this.#inner.series(matcherSets, range);
  }

  labelNames(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.#inner.labelNames(matcherSets, range);
  }

  labelValues(
    name: string,
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.#inner.labelValues(name, matcherSets, range);
  }
}

export type { NameBudgetSeriesStoreOptions };
export { NameBudgetSeriesStore };
