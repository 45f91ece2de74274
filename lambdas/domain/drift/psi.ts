/**
 * Population stability index, Evidently's `psi` stattest (calculations/stattests/psi.py):
 * PSI = Σ (r_i − c_i) · ln(r_i / c_i) over bin shares r (reference) and c (current), after
 * Evidently's zero filling (see `fillZeroShares`), so an empty bin gives a large finite term
 * instead of ∞.
 */
import { fillZeroShares, toShares } from './binning';

/**
 * PSI of two count vectors over the same bins.
 * @example psiFromCounts([50, 50], [40, 60]) // ≈ 0.0405
 */
const psiFromCounts = (reference: readonly number[], current: readonly number[]): number => {
  const nr = reference.reduce((s, x) => s + x, 0);
  const nc = current.reduce((s, x) => s + x, 0);
  const r = fillZeroShares(toShares(reference, nr));
  const c = fillZeroShares(toShares(current, nc));
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = r[i] as number;
    const ci = c[i] as number;
    psi += (ri - ci) * Math.log(ri / ci);
  }
  return psi;
};

export { psiFromCounts };
