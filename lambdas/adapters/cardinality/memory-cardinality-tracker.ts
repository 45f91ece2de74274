import type { CardinalityTracker, NameBudget, NameRefusal, SeriesNames } from '../../domain/ports';

/**
 * `CardinalityTracker` of local mode with `store: amp`: the series per metric this process has
 * admitted, in memory (a restart forgets them, as the workspace's own series limits still hold).
 * Every name is admitted: the name budgets are Timestream's per-table quotas, and an AMP
 * workspace has none (its label quotas are checked by the writer).
 */
class MemoryCardinalityTracker implements CardinalityTracker {
  readonly #byMetric = new Map<string, Set<string>>();

  async admit(
    series: readonly { readonly metric: string; readonly key: string }[],
    limitPerMetric: number,
  ): Promise<ReadonlySet<string>> {
    const refused = new Set<string>();
    for (const { metric, key } of series) {
      const known = this.#byMetric.get(metric) ?? new Set<string>();
      if (known.has(key)) continue;
      if (known.size >= limitPerMetric) {
        refused.add(key);
        continue;
      }
      known.add(key);
      this.#byMetric.set(metric, known);
    }
    return refused;
  }

  async admitNames(
    _series: readonly SeriesNames[],
    _budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return new Map();
  }
}

export { MemoryCardinalityTracker };
