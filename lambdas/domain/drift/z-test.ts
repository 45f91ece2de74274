/**
 * Evidently's `z` stattest (calculations/stattests/z_stattest.py): a two-proportion z-test of
 * the share of values that differ from the first category (in sorted order) —
 * z = (p1 − p2) / sqrt(P(1 − P)(1/n1 + 1/n2)) with the pooled share P, two-sided
 * p = 2·(1 − Φ(|z|)). When both windows hold one and the same single value, p = 1 and z = 0.
 */
import { normalCdf } from './special';

/** z statistic and two-sided p-value. */
interface ZTestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * z-test from category counts in sorted category order (index 0 = the first category).
 * @example zTestFromCounts([50, 50], [70, 30]) // { statistic: ≈2.887, pValue: ≈0.0039 }
 */
const zTestFromCounts = (reference: readonly number[], current: readonly number[]): ZTestResult => {
  const n1 = reference.reduce((s, x) => s + x, 0);
  const n2 = current.reduce((s, x) => s + x, 0);
  const refDistinct = reference.filter((c) => c > 0).length;
  const curDistinct = current.filter((c) => c > 0).length;
  if (
    refDistinct === 1 &&
    curDistinct === 1 &&
    reference.findIndex((c) => c > 0) === current.findIndex((c) => c > 0)
  ) {
    return { statistic: 0, pValue: 1 };
  }
  const p1 = (n1 - (reference[0] as number)) / n1;
  const p2 = (n2 - (current[0] as number)) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
};

export type { ZTestResult };
export { zTestFromCounts };
