import type { Clock, PushGroupStore, SeriesStore, TimeRange, WriteResult } from '../ports';
import { type Labels, seriesKey } from '../series/labels';
import { type LabelMatcher, matchesAll } from '../series/matchers';
import type { Sample, Series } from '../series/sample';

type MatcherSets = readonly (readonly LabelMatcher[])[];

/**
 * A `SeriesStore` that shows pushed groups the way Prometheus sees a scraped Pushgateway: every
 * metric of a current group has a sample at each scrape interval after its push, up to now, so
 * its latest value stays visible to queries until the group is deleted or replaced.
 * Real pushes are stored in the inner store; the in-between "scrapes" are synthesized on read.
 */
class PushAwareSeriesStore implements SeriesStore {
  readonly #inner: SeriesStore;
  readonly #groups: PushGroupStore;
  readonly #intervalMs: number;
  readonly #clock: Clock;

  constructor(opts: {
    inner: SeriesStore;
    groups: PushGroupStore;
    scrapeIntervalMs: number;
    clock: Clock;
  }) {
    this.#inner = opts.inner;
    this.#groups = opts.groups;
    this.#intervalMs = opts.scrapeIntervalMs;
    this.#clock = opts.clock;
  }

  write(series: readonly Series[]): Promise<WriteResult> {
    return this.#inner.write(series);
  }

  async select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    const [stored, pushed] = await Promise.all([
      this.#inner.select(matchers, range),
      this.#pushed([matchers]),
    ]);
    if (pushed.length === 0) return stored;
    const byKey = new Map<string, Series>(stored.map((s) => [seriesKey(s.labels), s]));
    const end = Math.min(range.endMs, this.#clock.now());
    for (const p of pushed) {
      const synthetic: Sample[] = [];
      const first =
        p.pushTimeMs +
        this.#intervalMs *
          Math.max(1, Math.ceil((range.startMs - p.pushTimeMs) / this.#intervalMs));
      for (let t = first; t <= end; t += this.#intervalMs) synthetic.push({ t, v: p.value });
      if (synthetic.length === 0) continue;
      const key = seriesKey(p.labels);
      const existing = byKey.get(key);
      byKey.set(key, {
        labels: existing?.labels ?? p.labels,
        samples: mergeSamples(existing?.samples ?? [], synthetic),
      });
    }
    return [...byKey.values()];
  }

  async series(matcherSets: MatcherSets, range: TimeRange): Promise<Labels[]> {
    const [stored, pushed] = await Promise.all([
      this.#inner.series(matcherSets, range),
      this.#pushed(matcherSets),
    ]);
    const byKey = new Map<string, Labels>(stored.map((l) => [seriesKey(l), l]));
    for (const p of pushed)
      if (p.pushTimeMs <= range.endMs) byKey.set(seriesKey(p.labels), p.labels);
    return [...byKey.values()];
  }

  async labelNames(matcherSets: MatcherSets, range: TimeRange): Promise<string[]> {
    const [stored, pushed] = await Promise.all([
      this.#inner.labelNames(matcherSets, range),
      this.#pushed(matcherSets),
    ]);
    const names = new Set(stored);
    for (const p of pushed)
      if (p.pushTimeMs <= range.endMs) for (const n of Object.keys(p.labels)) names.add(n);
    return [...names].sort();
  }

  async labelValues(name: string, matcherSets: MatcherSets, range: TimeRange): Promise<string[]> {
    const [stored, pushed] = await Promise.all([
      this.#inner.labelValues(name, matcherSets, range),
      this.#pushed(matcherSets),
    ]);
    const values = new Set(stored);
    for (const p of pushed) {
      const v = p.labels[name];
      if (v !== undefined && p.pushTimeMs <= range.endMs) values.add(v);
    }
    return [...values].sort();
  }

  /** Current pushed metrics matching any matcher set (all of them when there are no sets). */
  async #pushed(
    matcherSets: MatcherSets,
  ): Promise<{ labels: Labels; value: number; pushTimeMs: number }[]> {
    const groups = await this.#groups.list();
    const out: { labels: Labels; value: number; pushTimeMs: number }[] = [];
    for (const g of groups) {
      for (const m of g.metrics) {
        if (matcherSets.length === 0 || matcherSets.some((ms) => matchesAll(ms, m.labels))) {
          out.push({ labels: m.labels, value: m.value, pushTimeMs: g.pushTimeMs });
        }
      }
    }
    return out;
  }
}

/** Merges two time-sorted sample lists; on equal timestamps the stored sample wins. */
const mergeSamples = (stored: readonly Sample[], synthetic: readonly Sample[]): Sample[] => {
  const out: Sample[] = [];
  let i = 0;
  let j = 0;
  while (i < stored.length || j < synthetic.length) {
    const a = stored[i];
    const b = synthetic[j];
    if (b === undefined || (a !== undefined && a.t <= b.t)) {
      out.push(a as Sample);
      if (b !== undefined && (a as Sample).t === b.t) j++;
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  return out;
};

export { mergeSamples, PushAwareSeriesStore };
