/**
 * In-memory `SeriesStore` for tests and the PromQL conformance runner.
 */
import type { SeriesStore, TimeRange, WriteResult } from '../../lambdas/domain/ports';
import type { Labels } from '../../lambdas/domain/series/labels';
import { normalizeLabels, seriesKey } from '../../lambdas/domain/series/labels';
import { type LabelMatcher, matchesAll } from '../../lambdas/domain/series/matchers';
import type { Sample, Series } from '../../lambdas/domain/series/sample';

/** Keeps series in a map; `select` returns samples in the closed range, sorted by time. */
class InMemorySeriesStore implements SeriesStore {
  private readonly data = new Map<string, { labels: Labels; samples: Map<number, number> }>();
  /** Every `select` call, for assertions on how many fetches a query makes. */
  readonly selects: { matchers: readonly LabelMatcher[]; range: TimeRange }[] = [];

  async write(series: readonly Series[]): Promise<WriteResult> {
    let accepted = 0;
    for (const s of series) {
      const labels = normalizeLabels(s.labels);
      const key = seriesKey(labels);
      let entry = this.data.get(key);
      if (!entry) {
        entry = { labels, samples: new Map() };
        this.data.set(key, entry);
      }
      for (const x of s.samples) {
        entry.samples.set(x.t, x.v);
        accepted++;
      }
    }
    return { accepted, rejected: [] };
  }

  clear(): void {
    this.data.clear();
  }

  async select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    this.selects.push({ matchers, range });
    const out: Series[] = [];
    for (const { labels, samples } of this.data.values()) {
      if (!matchesAll(matchers, labels)) continue;
      const picked: Sample[] = [];
      for (const [t, v] of samples)
        if (t >= range.startMs && t <= range.endMs) picked.push({ t, v });
      picked.sort((a, b) => a.t - b.t);
      if (picked.length > 0) out.push({ labels, samples: picked });
    }
    return out;
  }

  async series(sets: readonly (readonly LabelMatcher[])[], range: TimeRange): Promise<Labels[]> {
    const out: Labels[] = [];
    for (const { labels, samples } of this.data.values()) {
      const inRange = [...samples.keys()].some((t) => t >= range.startMs && t <= range.endMs);
      if (inRange && sets.some((m) => matchesAll(m, labels))) out.push(labels);
    }
    return out;
  }

  async labelNames(
    sets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    const all =
      sets.length === 0
        ? [...this.data.values()].map((e) => e.labels)
        : await this.series(sets, range);
    return [...new Set(all.flatMap((l) => Object.keys(l)))].sort();
  }

  async labelValues(
    name: string,
    sets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    const all =
      sets.length === 0
        ? [...this.data.values()].map((e) => e.labels)
        : await this.series(sets, range);
    return [...new Set(all.map((l) => l[name]).filter((v): v is string => v !== undefined))].sort();
  }
}

export { InMemorySeriesStore };
