/**
 * Evidently's `wasserstein` stattest (calculations/stattests/wasserstein_distance_norm.py):
 * `scipy.stats.wasserstein_distance(reference, current) / max(np.std(reference), 0.001)` —
 * the first Wasserstein distance ∫|F_ref − F_cur| normalised by the reference's population
 * standard deviation (floored at 0.001 so a constant reference does not divide by zero).
 */
/** The floor of the normalising standard deviation (Evidently's). */
const WASSERSTEIN_MIN_STD = 0.001;

/** Population standard deviation (ddof = 0), two-pass as numpy's `std`, with compensated sums. */
const populationStd = (a: Float64Array): number => {
  const n = a.length;
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  const mean = (sum + c) / n;
  sum = 0;
  c = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - mean;
    const x = d * d;
    const t = sum + x;
    c += sum >= x ? sum - t + x : x - t + sum;
    sum = t;
  }
  return Math.sqrt((sum + c) / n);
};

/** First Wasserstein distance of two SORTED samples: Σ |F_a − F_b| · Δx over the merged values. */
const wassersteinDistance = (a: Float64Array, b: Float64Array): number => {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let c = 0;
  let prev = Number.NaN;
  let prevDiff = 0;
  while (i < n1 || j < n2) {
    const ai = i < n1 ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const bj = j < n2 ? (b[j] as number) : Number.POSITIVE_INFINITY;
    const v = Math.min(ai, bj);
    if (!Number.isNaN(prev)) {
      const x = prevDiff * (v - prev);
      const t = sum + x;
      c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
    }
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    prev = v;
    prevDiff = Math.abs(i / n1 - j / n2);
  }
  return sum + c;
};

/**
 * Normalised Wasserstein distance of two sorted samples (Evidently's definition).
 * @example wassersteinNormed(Float64Array.of(0, 1), Float64Array.of(1, 2)) // 1 / 0.5 = 2
 */
const wassersteinNormed = (reference: Float64Array, current: Float64Array): number =>
  wassersteinDistance(reference, current) / Math.max(populationStd(reference), WASSERSTEIN_MIN_STD);

export { populationStd, WASSERSTEIN_MIN_STD, wassersteinDistance, wassersteinNormed };
