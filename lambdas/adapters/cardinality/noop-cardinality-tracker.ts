import type { CardinalityTracker, NameBudget, NameRefusal, SeriesNames } from '../../domain/ports';

/** `CardinalityTracker` that admits every series and every name: for tests and benchmarks. */
class NoopCardinalityTracker implements CardinalityTracker {
  async admit(
    _series: readonly { readonly metric: string; readonly key: string }[],
    _limitPerMetric: number,
  ): Promise<ReadonlySet<string>> {
    return new Set<string>();
  }

  async admitNames(
    _series: readonly SeriesNames[],
    _budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return new Map();
  }
}

export { NoopCardinalityTracker };
