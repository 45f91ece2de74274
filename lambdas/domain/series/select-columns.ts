import type { SelectHints, SeriesStore, TimeRange } from '../ports';
import { type ColumnSeries, toColumns } from './columns';
import type { LabelMatcher } from './matchers';

/** `store.selectColumns`, or `store.select` turned into columns when the store has none. */
const selectColumns = async (
  store: SeriesStore,
  matchers: readonly LabelMatcher[],
  range: TimeRange,
  hints?: SelectHints,
): Promise<ColumnSeries[]> =>
  store.selectColumns
    ? store.selectColumns(matchers, range, hints)
    : toColumns(await store.select(matchers, range, hints));

export { selectColumns };
