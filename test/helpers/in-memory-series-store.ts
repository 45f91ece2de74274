/**
 * In-memory `SeriesStore` for tests and the PromQL conformance runner: the CLI's
 * `MemorySeriesStore`, plus a record of every `select` for assertions on how many fetches a
 * query makes.
 */
import { MemorySeriesStore } from '../../lambdas/adapters/storage/memory-series-store';
import type { TimeRange } from '../../lambdas/domain/ports';
import type { LabelMatcher } from '../../lambdas/domain/series/matchers';
import type { Series } from '../../lambdas/domain/series/sample';

class InMemorySeriesStore extends MemorySeriesStore {
  /** Every `select` call, in order. */
  readonly selects: { matchers: readonly LabelMatcher[]; range: TimeRange }[] = [];

  override select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    this.selects.push({ matchers, range });
    return super.select(matchers, range);
  }
}

export { InMemorySeriesStore };
