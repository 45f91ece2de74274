/**
 * An in-memory `SeriesStore`: what `vigil rules test` evaluates rules and queries against, one
 * fresh store per test group. Nothing is persisted.
 */
import type { SeriesStore, TimeRange, WriteResult } from '../../domain/ports';
import type { Labels } from '../../domain/series/labels';
import { normalizeLabels, seriesKey } from '../../domain/series/labels';
import { type LabelMatcher, matchesAll } from '../../domain/series/matchers';
import type { Sample, Series } from '../../domain/series/sample';

/**
 * Keeps series in a map; a later sample at the same time replaces the earlier one; `select`
 * returns samples in the closed range, sorted by time.
 * @example
 * const store = new MemorySeriesStore();
 * await store.write([{ labels: { __name__: 'up' }, samples: [{ t: 0, v: 1 }] }]);
 */
class MemorySeriesStore implements SeriesStore {
  private readonly data = new Map<string, { labels: Labels; samples: Map<number, number> }>();

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

export { MemorySeriesStore };
