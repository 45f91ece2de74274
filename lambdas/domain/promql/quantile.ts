/**
 * Quantile helpers: `quantile` over samples (aggregation and `quantile_over_time`) and
 * `bucketQuantile` over classic histogram buckets, with Prometheus's precision correction and
 * forced monotonicity.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/quantile.go
 */

/** One classic histogram bucket: upper bound (`le`) and cumulative count. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/** Sorts NaN first, then ascending (Prometheus's `vectorByValueHeap.Less`). */
const compareNaNFirst = (a: number, b: number): number => {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
};

/**
 * The φ-quantile of `values` by linear interpolation between closest ranks.
 * NaN when empty or φ is NaN; -Inf when φ < 0; +Inf when φ > 1.
 */
const quantile = (q: number, values: number[]): number => {
  if (values.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  values.sort(compareNaNFirst);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (values[lower] as number) * (1 - weight) + (values[upper] as number) * weight;
};

const coalesceBuckets = (buckets: Bucket[]): Bucket[] => {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
};

const correctPrecisionErrors = (buckets: Bucket[], tolerance: number): boolean => {
  let fixed = false;
  let prev = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    const delta = Math.abs(b.count - prev);
    if (delta === 0) continue;
    if (delta / b.count <= tolerance) {
      b.count = prev;
      fixed = true;
    } else {
      prev = b.count;
    }
  }
  return fixed;
};

const ensureMonotonic = (buckets: Bucket[]): boolean => {
  let forced = false;
  let max = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    if (b.count > max) max = b.count;
    else if (b.count < max) {
      b.count = max;
      forced = true;
    }
  }
  return forced;
};

/**
 * The φ-quantile of a classic histogram, interpolating linearly inside the bucket; the lowest
 * bucket starts at 0 when its bound is positive; a quantile in the +Inf bucket returns the
 * second-highest bound. NaN when there are no observations, fewer than 2 buckets, or no +Inf
 * bucket. `forcedMonotonicity` tells when decreasing counts had to be fixed.
 */
const bucketQuantile = (
  q: number,
  input: readonly Bucket[],
): { value: number; forcedMonotonicity: boolean } => {
  if (Number.isNaN(q)) return { value: Number.NaN, forcedMonotonicity: false };
  if (q < 0) return { value: Number.NEGATIVE_INFINITY, forcedMonotonicity: false };
  if (q > 1) return { value: Number.POSITIVE_INFINITY, forcedMonotonicity: false };
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if ((sorted[sorted.length - 1] as Bucket).upperBound !== Number.POSITIVE_INFINITY) {
    return { value: Number.NaN, forcedMonotonicity: false };
  }
  const buckets = coalesceBuckets(sorted);
  correctPrecisionErrors(buckets, 1e-12);
  const forced = ensureMonotonic(buckets);
  if (buckets.length < 2) return { value: Number.NaN, forcedMonotonicity: false };
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return { value: Number.NaN, forcedMonotonicity: false };
  let rank = q * observations;
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if ((buckets[i] as Bucket).count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) {
    return {
      value: (buckets[buckets.length - 2] as Bucket).upperBound,
      forcedMonotonicity: forced,
    };
  }
  const cur = buckets[b] as Bucket;
  if (b === 0 && cur.upperBound <= 0) return { value: cur.upperBound, forcedMonotonicity: forced };
  let start = 0;
  let count = cur.count;
  if (b > 0) {
    const prev = buckets[b - 1] as Bucket;
    start = prev.upperBound;
    count -= prev.count;
    rank -= prev.count;
  }
  return { value: start + (cur.upperBound - start) * (rank / count), forcedMonotonicity: forced };
};

/**
 * Fraction of observations between `lower` and `upper` in a classic histogram, interpolating
 * linearly inside buckets (Prometheus's `BucketFraction`).
 */
const bucketFraction = (lower: number, upper: number, input: readonly Bucket[]): number => {
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (
    sorted.length < 2 ||
    (sorted[sorted.length - 1] as Bucket).upperBound !== Number.POSITIVE_INFINITY
  ) {
    return Number.NaN;
  }
  const buckets = coalesceBuckets(sorted);
  ensureMonotonic(buckets);
  const total = (buckets[buckets.length - 1] as Bucket).count;
  if (total === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  const rankAt = (x: number): number => {
    let prevBound = (buckets[0] as Bucket).upperBound > 0 ? 0 : Number.NEGATIVE_INFINITY;
    let prevCount = 0;
    for (const b of buckets) {
      if (x <= b.upperBound) {
        if (x <= prevBound) return prevCount;
        if (!Number.isFinite(b.upperBound) || !Number.isFinite(prevBound)) {
          return x >= b.upperBound ? b.count : prevCount;
        }
        return prevCount + ((b.count - prevCount) * (x - prevBound)) / (b.upperBound - prevBound);
      }
      prevBound = b.upperBound;
      prevCount = b.count;
    }
    return total;
  };
  return (rankAt(upper) - rankAt(lower)) / total;
};

export { bucketFraction, bucketQuantile, compareNaNFirst, quantile };
