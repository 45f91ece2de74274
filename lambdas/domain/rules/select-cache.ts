import type { SelectHints, SeriesStore, TimeRange, WriteResult } from '../ports';
import { type Labels, METRIC_NAME_LABEL, metricName } from '../series/labels';
import { type LabelMatcher, matchesValue } from '../series/matchers';
import type { Series } from '../series/sample';

type MatcherSets = readonly (readonly LabelMatcher[])[];

/**
 * A `SeriesStore` view for one rule-group evaluation: identical `select` calls (same matchers,
 * same range) reach the store once, so a group whose rules share selectors costs one store query
 * per distinct selector and range, not one per rule. A write forgets the cached selects whose
 * metric-name matchers could match what was written, so a rule sees the recording-rule output
 * written before it (as Prometheus's group evaluation does).
 */
class SelectCache implements SeriesStore {
  readonly #inner: SeriesStore;
  readonly #cache = new Map<
    string,
    { readonly matchers: readonly LabelMatcher[]; readonly result: Promise<Series[]> }
  >();

  constructor(inner: SeriesStore) {
    this.#inner = inner;
  }

  async write(series: readonly Series[]): Promise<WriteResult> {
    // Forget only the selects the written metric names could match (ALERTS writes after every
    // alerting rule must not empty the cache).
    const names = new Set(series.map((s) => metricName(s.labels)));
    for (const [key, entry] of this.#cache) {
      const nameMatchers = entry.matchers.filter((m) => m.name === METRIC_NAME_LABEL);
      const couldMatch = [...names].some((n) => nameMatchers.every((m) => matchesValue(m, n)));
      if (couldMatch) this.#cache.delete(key);
    }
    return this.#inner.write(series);
  }

  select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]> {
    const key = JSON.stringify([
      [...matchers].map((m) => [m.name, m.op, m.value]).sort(),
      range.startMs,
      range.endMs,
      hints ?? null,
    ]);
    const hit = this.#cache.get(key);
    if (hit) return hit.result;
    const result = this.#inner.select(matchers, range, hints);
    // A failed query is not cached: the next rule asks again.
    result.catch(() => this.#cache.delete(key));
    this.#cache.set(key, { matchers, result });
    return result;
  }

  series(matcherSets: MatcherSets, range: TimeRange): Promise<Labels[]> {
    return this.#inner.series(matcherSets, range);
  }

  labelNames(matcherSets: MatcherSets, range: TimeRange): Promise<string[]> {
    return this.#inner.labelNames(matcherSets, range);
  }

  labelValues(name: string, matcherSets: MatcherSets, range: TimeRange): Promise<string[]> {
    return this.#inner.labelValues(name, matcherSets, range);
  }
}

export { SelectCache };
