import type {
  Clock,
  PushGroupStore,
  SelectHints,
  SeriesStore,
  TimeRange,
  WriteResult,
} from '../ports';
import { type ColumnSeries, toColumns } from '../series/columns';
import { selectColumns } from '../series/select-columns';
import { type Labels, seriesKey } from '../series/labels';
import { type LabelMatcher, matchesAll } from '../series/matchers';
import { isStaleNaN, type Sample, type Series } from '../series/sample';

type MatcherSets = readonly (readonly LabelMatcher[])[];

/** How far back a pushed value can fill a query range (see the constructor). */
const DEFAULT_FILL_LOOKBACK_MS = 24 * 3600 * 1000;

/**
 * A `SeriesStore` that shows pushed groups the way Prometheus sees a scraped Pushgateway: every
 * metric of a current group has a sample at each scrape interval after each push until the next
 * one, and after the latest push up to now, so its value stays visible to queries until the group
 * is deleted or replaced. Real pushes are stored in the inner store; the in-between "scrapes" are
 * synthesized on read. Series no longer in any group (deleted groups) show only their pushes.
 */
class PushAwareSeriesStore implements SeriesStore {
  readonly #inner: SeriesStore;
  readonly #groups: PushGroupStore;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #fillLookbackMs: number;

  /**
   * @param opts.fillLookbackMs how far before a query's range to look for the push whose value
   *   fills the range's start; pushes further apart than this leave a gap. @default 24 hours
   */
  constructor(opts: {
    inner: SeriesStore;
    groups: PushGroupStore;
    scrapeIntervalMs: number;
    clock: Clock;
    fillLookbackMs?: number;
  }) {
    this.#inner = opts.inner;
    this.#groups = opts.groups;
    this.#intervalMs = opts.scrapeIntervalMs;
    this.#clock = opts.clock;
    this.#fillLookbackMs = opts.fillLookbackMs ?? DEFAULT_FILL_LOOKBACK_MS;
  }

  write(series: readonly Series[], keys?: readonly string[]): Promise<WriteResult> {
    return this.#inner.write(series, keys);
  }

  async select(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<Series[]> {
    const pushed = await this.#pushed([matchers]);
    // Scrapes are synthesized from every push, so a pushed series is read whole.
    if (pushed.length === 0) return this.#inner.select(matchers, range, hints);
    // Reach back for the push before the range, so its value fills the range's first minutes.
    const wide = await this.#inner.select(matchers, {
      startMs: range.startMs - this.#fillLookbackMs,
      endMs: range.endMs,
    });
    const inRange = (samples: readonly Sample[]) => samples.filter((x) => x.t >= range.startMs);
    const byKey = new Map<string, Series>(
      wide.map((s) => [seriesKey(s.labels), { labels: s.labels, samples: inRange(s.samples) }]),
    );
    const wideByKey = new Map(wide.map((s) => [seriesKey(s.labels), s.samples]));
    const end = Math.min(range.endMs, this.#clock.now());
    for (const p of pushed) {
      const key = seriesKey(p.labels);
      const synthetic = this.#scrapes(wideByKey.get(key) ?? [], p, range.startMs, end);
      if (synthetic.length === 0) continue;
      const existing = byKey.get(key);
      byKey.set(key, {
        labels: existing?.labels ?? p.labels,
        samples: mergeSamples(existing?.samples ?? [], synthetic),
      });
    }
    return [...byKey.values()].filter((s) => s.samples.length > 0);
  }

  async selectColumns(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hints?: SelectHints,
  ): Promise<ColumnSeries[]> {
    const pushed = await this.#pushed([matchers]);
    if (pushed.length === 0) return selectColumns(this.#inner, matchers, range, hints);
    return toColumns(await this.select(matchers, range));
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

  /**
   * The samples a Prometheus scraping the Pushgateway would have recorded for a currently pushed
   * series in [startMs, endMs]: each stored push's value repeated every scrape interval until the
   * next stored sample (a later push, or a staleness marker), and the current value until now.
   */
  #scrapes(
    real: readonly Sample[],
    current: { value: number; pushTimeMs: number },
    startMs: number,
    endMs: number,
  ): Sample[] {
    const out: Sample[] = [];
    const fill = (from: Sample, untilMs: number) => {
      const k = Math.max(1, Math.ceil((startMs - from.t) / this.#intervalMs));
      for (
        let t = from.t + k * this.#intervalMs;
        t < untilMs && t <= endMs;
        t += this.#intervalMs
      ) {
        out.push({ t, v: from.v });
      }
    };
    for (let i = 0; i < real.length; i++) {
      const s = real[i] as Sample;
      if (isStaleNaN(s.v) || s.t > current.pushTimeMs) continue;
      const next = real[i + 1];
      fill(s, next ? next.t : current.pushTimeMs);
    }
    fill({ t: current.pushTimeMs, v: current.value }, Number.POSITIVE_INFINITY);
    return out;
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
