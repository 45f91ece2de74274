import type { SelectHints, SeriesStore, TimeRange, WriteResult } from '../ports';
import type { ColumnSeries } from './columns';
import { selectColumns } from './select-columns';
import type { Labels } from './labels';
import type { LabelMatcher } from './matchers';
import type { Series } from './sample';

/**
 * A `SeriesStore` that changes what `write` does and passes every read through to `inner`:
 * the base of the stores that wrap the rule evaluator's writes (name budgets, CloudWatch mirror).
 */
abstract class WriteWrappingSeriesStore implements SeriesStore {
  protected readonly inner: SeriesStore;

  constructor(inner: SeriesStore) {
    this.inner = inner;
  }

  abstract write(series: readonly Series[]): Promise<WriteResult>;

  select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]> {
    return this.inner.select(matchers, range, hints);
  }

  selectColumns(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<ColumnSeries[]> {
    return selectColumns(this.inner, matchers, range, hints);
  }

  series(matcherSets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]> {
    return this.inner.series(matcherSets, range);
  }

  labelNames(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.inner.labelNames(matcherSets, range);
  }

  labelValues(
    name: string,
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    return this.inner.labelValues(name, matcherSets, range);
  }
}

export { WriteWrappingSeriesStore };
