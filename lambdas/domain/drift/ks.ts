/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)` (scipy 1.10,
 * scipy/stats/_stats_py.py) with `method='auto'`: the exact distribution when
 * max(n1, n2) ≤ 10,000 (Hodges 1958; Viehmann 2021's "inside method" for 1 − p), falling back
 * to the asymptotic one when the exact computation fails; otherwise the Kolmogorov distribution
 * `kstwo.sf(D, round(n1·n2/(n1+n2)))`. Evidently's `ks` stattest calls exactly this.
 */
import { kolmogorovSf } from './kolmogorov';

/** scipy's `MAX_AUTO_N`: above this sample size `auto` uses the asymptotic distribution. */
const KS_MAX_EXACT_N = 10_000;

/** Result of {@link ksTwoSample}. */
interface KsResult {
  /** D = sup |F1 − F2| (for the exact test rounded to h/lcm(n1, n2), as scipy returns it). */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymp';
}

const gcd = (a: number, b: number): number => {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
};

/** numpy's `round` (half to even). */
const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** Pr(D_{n,n} ≥ h/n) (scipy `_compute_prob_outside_square`). */
const probOutsideSquare = (n: number, h: number): number => {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
};

/**
 * The share of lattice paths from (0,0) to (m,n) that leave |x/m − y/n| < h/lcm(m,n)
 * (scipy `_compute_outer_prob_inside_method`, Viehmann's recursion for 1 − p).
 */
const outerProbInside = (m0: number, n0: number, g: number, h: number): number => {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1] as number;
};

/** The largest |F1 − F2| over both sorted samples, computed as scipy does (searchsorted 'right'). */
const ksStatistic = (a: Float64Array, b: Float64Array): number => {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = Number.NEGATIVE_INFINITY;
  let minS = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const ai = i < n1 ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const bj = j < n2 ? (b[j] as number) : Number.POSITIVE_INFINITY;
    const v = Math.min(ai, bj);
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClipped = Math.min(1, Math.max(0, -minS));
  return Math.max(minClipped, maxS);
};

/**
 * Two-sided two-sample KS test on two SORTED samples (ascending, no NaN), as
 * `scipy.stats.ks_2samp(a, b, method='auto')`.
 * @throws RangeError when a sample is empty (callers check sample sizes first).
 * @example ksTwoSample(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)) // { statistic: 1, pValue: 0.1, method: 'exact' }
 */
const ksTwoSample = (a: Float64Array, b: Float64Array): KsResult => {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks_2samp needs two non-empty samples');
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = Math.floor(n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (Number.isFinite(prob) && prob >= 0 && prob <= 1) {
      return { statistic: d, pValue: prob, method: 'exact' };
    }
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymp' };
};

export type { KsResult };
export { KS_MAX_EXACT_N, ksStatistic, ksTwoSample, roundHalfEven };
