/**
 * Evidently's `chisquare` stattest (calculations/stattests/chisquare_stattest.py): expected
 * counts = reference counts × (n_current / n_reference) over the union of categories, and
 * `scipy.stats.chisquare(observed, expected)`: χ² = Σ (o − e)²/e, p = Q((k − 1)/2, χ²/2).
 * Degenerate cases: a category the reference never saw has e = 0, so χ² = +∞ and p = 0
 * (scipy's result); bins empty in both windows (possible for histogram buckets, never for
 * categories taken from the data) are left out; a single remaining bin has no degree of
 * freedom: χ² = 0 and p = 1 (scipy returns NaN; a single category cannot drift in share).
 */
import { chiSquaredSf } from './special';

/** χ² statistic and p-value of current counts against reference counts (same bins). */
interface ChiSquaredResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * @example chiSquaredFromCounts([50, 50], [60, 40]) // { statistic: 4, pValue: ≈0.0455 }
 */
const chiSquaredFromCounts = (
  reference: readonly number[],
  current: readonly number[],
): ChiSquaredResult => {
  const nr = reference.reduce((s, x) => s + x, 0);
  const nc = current.reduce((s, x) => s + x, 0);
  let k = 0;
  for (let i = 0; i < reference.length; i++) if (reference[i] || current[i]) k++;
  if (k < 2) return { statistic: 0, pValue: 1 };
  const kNorm = nc / nr;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = (reference[i] as number) * kNorm;
    const o = current[i] as number;
    if (e === 0 && o === 0) continue;
    statistic += e === 0 ? Number.POSITIVE_INFINITY : (o - e) ** 2 / e;
  }
  return { statistic, pValue: chiSquaredSf(statistic, k - 1) };
};

export type { ChiSquaredResult };
export { chiSquaredFromCounts };
