/**
 * Binning as Evidently's `get_binned_data` (evidently calculations/stattests/utils.py): numeric
 * columns with more than 20 distinct reference values get numpy's
 * `histogram_bin_edges(reference ∪ current, bins="sturges")` edges and `np.histogram` counts;
 * every other column is counted per category over the union of both windows' values.
 */

/** Columns with more distinct reference values than this are binned by Sturges' rule. */
const MAX_DISTINCT_FOR_CATEGORIES = 20;

/** Counts per bin of both windows, with the bins' labels. */
interface BinnedCounts {
  readonly labels: string[];
  readonly reference: number[];
  readonly current: number[];
}

/** Number of distinct values of a sorted array. */
const distinctSorted = (a: Float64Array): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) n++;
  return n;
};

/**
 * numpy 1.24 `histogram_bin_edges(x, bins="sturges")` for x = both sorted samples
 * (lib/histograms.py `_hist_bin_sturges`, `_get_outer_edges`, `_get_bin_edges`; core `linspace`):
 * width = ptp/(log2(n)+1), bins = ceil(ptp/width), edge_i = i·(ptp/bins) + min, last edge = max.
 */
const sturgesEdges = (a: Float64Array, b: Float64Array): Float64Array => {
  const min = Math.min(a[0] as number, b[0] as number);
  const max = Math.max(a[a.length - 1] as number, b[b.length - 1] as number);
  const ptp = max - min;
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(a.length + b.length) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
};

/** Index of the first element ≥ x (side 'left') or > x (side 'right') in a sorted array. */
const searchSorted = (a: Float64Array, x: number, right: boolean): number => {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v < x || (right && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** `np.histogram(sorted, edges)[0]`: [e_i, e_{i+1}) bins, the last one closed. */
const histogramCounts = (sorted: Float64Array, edges: Float64Array): number[] => {
  const bins = edges.length - 1;
  const cum: number[] = [];
  for (let i = 0; i < bins; i++) cum.push(searchSorted(sorted, edges[i] as number, false));
  cum.push(searchSorted(sorted, edges[bins] as number, true));
  const counts: number[] = [];
  for (let i = 0; i < bins; i++) counts.push((cum[i + 1] as number) - (cum[i] as number));
  return counts;
};

const formatEdge = (x: number): string => String(x);

/** Sturges-binned counts of two sorted numeric samples. */
const binNumeric = (a: Float64Array, b: Float64Array): BinnedCounts => {
  const edges = sturgesEdges(a, b);
  const labels: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const close = i + 2 === edges.length ? ']' : ')';
    labels.push(
      `[${formatEdge(edges[i] as number)}, ${formatEdge(edges[i + 1] as number)}${close}`,
    );
  }
  return { labels, reference: histogramCounts(a, edges), current: histogramCounts(b, edges) };
};

/** Sturges histograms of two sorted numeric samples over shared edges. */
const histogramOf = (
  a: Float64Array,
  b: Float64Array,
): { edges: number[]; reference: number[]; current: number[] } => {
  const edges = sturgesEdges(a, b);
  return {
    edges: Array.from(edges),
    reference: histogramCounts(a, edges),
    current: histogramCounts(b, edges),
  };
};

/** Code-point order for strings, numeric order for numbers (Python's `sorted` on one type). */
const compareKeys = (x: number | string, y: number | string): number => {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
};

/**
 * Category counts over the union of both windows' values, categories in sorted order. Values are
 * compared by their text, so a number and the same number written in a text column match.
 */
const binCategories = (
  reference: readonly (number | string)[],
  current: readonly (number | string)[],
): BinnedCounts => {
  const counts = new Map<string, { key: number | string; ref: number; cur: number }>();
  // The number 1 and the cell "1" (a window read as text) are one category.
  const keyOf = (v: number | string): string => String(v);
  for (const v of reference) {
    const k = keyOf(v);
    const e = counts.get(k);
    if (e) e.ref++;
    else counts.set(k, { key: v, ref: 1, cur: 0 });
  }
  for (const v of current) {
    const k = keyOf(v);
    const e = counts.get(k);
    if (e) e.cur++;
    else counts.set(k, { key: v, ref: 0, cur: 1 });
  }
  const entries = [...counts.values()].sort((x, y) => compareKeys(x.key, y.key));
  return {
    labels: entries.map((e) => String(e.key)),
    reference: entries.map((e) => e.ref),
    current: entries.map((e) => e.cur),
  };
};

/** Per-value counts of two sorted numeric samples, values ascending (no text keys: O(n)). */
const binSortedValues = (a: Float64Array, b: Float64Array): BinnedCounts => {
  const labels: string[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = Math.min(
      i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY,
      j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY,
    );
    const i0 = i;
    const j0 = j;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    labels.push(String(v));
    reference.push(i - i0);
    current.push(j - j0);
  }
  return { labels, reference, current };
};

/**
 * Evidently's empty-bin filling: zero shares become 0.0001, or (smallest non-zero share)/10⁶
 * when that share is ≤ 0.0001. An all-zero vector is returned unchanged.
 */
const fillZeroShares = (shares: readonly number[]): number[] => {
  let min = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  if (min === Number.POSITIVE_INFINITY) return [...shares];
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
};

/** counts / total (the "percents" of Evidently's `get_binned_data`). */
const toShares = (counts: readonly number[], total: number): number[] =>
  counts.map((c) => c / total);

export type { BinnedCounts };
export {
  binCategories,
  binNumeric,
  binSortedValues,
  distinctSorted,
  fillZeroShares,
  histogramCounts,
  histogramOf,
  MAX_DISTINCT_FOR_CATEGORIES,
  sturgesEdges,
  toShares,
};
