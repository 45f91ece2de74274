/**
 * Jensen–Shannon distance over bins, as `scipy.spatial.distance.jensenshannon(p, q)` with the
 * default (natural) logarithm: p and q are normalised to sum 1, m = (p + q)/2 and
 * JS = sqrt((KL(p‖m) + KL(q‖m)) / 2), with 0·ln 0 = 0. Bins are Evidently's (`get_binned_data`
 * without zero filling). Note: Evidently passes base 2; Vigil fixes the natural log. The
 * distance is between 0 and sqrt(ln 2) ≈ 0.8326.
 */
import { toShares } from './binning';

const relEntr = (x: number, y: number): number => {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
};

/**
 * Jensen–Shannon distance of two count (or share) vectors over the same bins.
 * @example jensenShannonFromCounts([1, 0], [0, 1]) // sqrt(ln 2) ≈ 0.8326
 */
const jensenShannonFromCounts = (
  reference: readonly number[],
  current: readonly number[],
): number => {
  const nr = reference.reduce((s, x) => s + x, 0);
  const nc = current.reduce((s, x) => s + x, 0);
  // Evidently passes shares; scipy then divides them by their sum again.
  const rs = toShares(reference, nr);
  const cs = toShares(current, nc);
  const sr = rs.reduce((s, x) => s + x, 0);
  const sc = cs.reduce((s, x) => s + x, 0);
  let left = 0;
  let right = 0;
  for (let i = 0; i < rs.length; i++) {
    const p = (rs[i] as number) / sr;
    const q = (cs[i] as number) / sc;
    const m = (p + q) / 2;
    left += relEntr(p, m);
    right += relEntr(q, m);
  }
  return Math.sqrt((left + right) / 2);
};

export { jensenShannonFromCounts };
