/**
 * The embedded store's read side for the PromQL engine: matching series' samples in a time range,
 * copied as columns into one pair of Float64Arrays (each series a view of them), so a select
 * costs two buffer copies instead of an object per sample, and the buffers can be transferred
 * to a query worker as they are.
 */
import type { TimeRange } from '../../domain/ports';
import type { ColumnSeries } from '../../domain/series/columns';
import type { Labels } from '../../domain/series/labels';
import { type LabelMatcher, matchesAll } from '../../domain/series/matchers';

/** A stored series as the read side sees it: time-sorted timestamps and values. */
export interface ReadableSeries {
  readonly labels: Labels;
  readonly ts: ArrayLike<number>;
  readonly vs: ArrayLike<number>;
}

/** Index of the first timestamp >= t. */
const lowerBound = (ts: ArrayLike<number>, t: number): number => {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** The samples in `range` of the `candidates` matching every matcher, as columns. */
const selectColumnsOf = (
  candidates: Iterable<ReadableSeries>,
  matchers: readonly LabelMatcher[],
  range: TimeRange,
): ColumnSeries[] => {
  const hits: { s: ReadableSeries; from: number; to: number }[] = [];
  let n = 0;
  for (const s of candidates) {
    if (!matchesAll(matchers, s.labels)) continue;
    const from = lowerBound(s.ts, range.startMs);
    const to = lowerBound(s.ts, range.endMs + 1);
    if (from >= to) continue;
    hits.push({ s, from, to });
    n += to - from;
  }
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const out: ColumnSeries[] = new Array(hits.length);
  let at = 0;
  hits.forEach(({ s, from, to }, k) => {
    const start = at;
    const ts = s.ts;
    const vs = s.vs;
    for (let i = from; i < to; i++, at++) {
      t[at] = ts[i] as number;
      v[at] = vs[i] as number;
    }
    out[k] = { labels: s.labels, t: t.subarray(start, at), v: v.subarray(start, at) };
  });
  return out;
};

export { selectColumnsOf };
