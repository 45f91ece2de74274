import fc from 'fast-check';
import {
  chiSquaredFromCounts,
  chiSquaredSf,
  fillZeroShares,
  jensenShannonFromCounts,
  kolmogorovSf,
  ksTwoSample,
  normalCdf,
  psiFromCounts,
  sturgesEdges,
  wassersteinNormed,
  zTestFromCounts,
} from '../../../../lambdas/domain/drift';

const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs).sort();

describe('Drift statistics: degenerate cases and reference values (scipy 1.10 / numpy 1.24)', () => {
  it('gives ks D = 1 and the exact p = 0.1 for fully separated samples of three', () => {
    // Act
    const r = ksTwoSample(f64(1, 2, 3), f64(4, 5, 6));

    // Assess
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(0.09999999999999999, 15);
    expect(r.method).toBe('exact');
  });

  it('gives ks D = 0 and p = 1 for identical samples', () => {
    // Act
    const r = ksTwoSample(f64(1, 2, 2, 3), f64(1, 2, 2, 3));

    // Assess
    expect(r).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('switches ks to the asymptotic distribution above 10,000 values', () => {
    // Prepare
    const a = Float64Array.from({ length: 10_001 }, (_, i) => i);
    const b = Float64Array.from({ length: 100 }, (_, i) => i * 100 + 0.5);

    // Act
    const r = ksTwoSample(a, b);

    // Assess
    expect(r.method).toBe('asymp');
  });

  it('rejects an empty ks sample', () => {
    // Act / Assess
    expect(() => ksTwoSample(f64(), f64(1))).toThrow(RangeError);
  });

  it('evaluates kstwo.sf in each of its regimes', () => {
    // Assess: scipy.stats.kstwo.sf(x, n)
    expect(kolmogorovSf(100, 0.1)).toBeCloseTo(0.2526927570063874, 14);
    expect(kolmogorovSf(10, 0.6)).toBeCloseTo(0.0005681672000000003, 15);
    expect(Math.abs(kolmogorovSf(1000, 0.08) / 5.154189384789824e-6 - 1)).toBeLessThan(1e-9);
    expect(kolmogorovSf(10, 0)).toBe(1);
    expect(kolmogorovSf(10, 1)).toBe(0);
    expect(kolmogorovSf(10, 0.04)).toBe(1);
    expect(kolmogorovSf(2.5, 0.1)).toBeNaN();
  });

  it('computes the normal CDF and the χ² survival function', () => {
    // Assess
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300933, 16);
    expect(chiSquaredSf(3.84, 1)).toBeCloseTo(0.05004352124870519, 15);
    expect(chiSquaredSf(0, 3)).toBe(1);
    expect(chiSquaredSf(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });

  it('computes numpy Sturges edges, including the rounded interior edges', () => {
    // Assess
    expect(Array.from(sturgesEdges(f64(0, 1, 2, 3, 4), f64(5, 6, 7, 8, 9)))).toEqual([
      0, 1.8, 3.6, 5.4, 7.2, 9,
    ]);
    expect(Array.from(sturgesEdges(f64(0.1, 0.2), f64(0.7, 1.3)))).toEqual([
      0.1, 0.5, 0.8999999999999999, 1.3,
    ]);
    expect(Array.from(sturgesEdges(f64(2, 2), f64(2)))).toEqual([1.5, 2.5]);
  });

  it('fills empty shares as Evidently: 0.0001, or the smallest share / 10^6 when that is ≤ 0.0001', () => {
    // Assess
    expect(fillZeroShares([0.5, 0.5, 0])).toEqual([0.5, 0.5, 0.0001]);
    expect(fillZeroShares([0.99995, 0.00005, 0])).toEqual([0.99995, 0.00005, 0.00005 / 1e6]);
    expect(fillZeroShares([0, 0])).toEqual([0, 0]);
  });

  it('gives psi 0 for equal distributions and a finite psi for an empty bin', () => {
    // Assess
    expect(psiFromCounts([10, 20, 30], [20, 40, 60])).toBe(0);
    expect(psiFromCounts([50, 50, 0], [50, 40, 10])).toBeCloseTo(
      (0.5 - 0.5) * Math.log(1) +
        (0.5 - 0.4) * Math.log(0.5 / 0.4) +
        (0.0001 - 0.1) * Math.log(0.0001 / 0.1),
      12,
    );
  });

  it('bounds the Jensen–Shannon distance by sqrt(ln 2) for disjoint bins', () => {
    // Assess
    expect(jensenShannonFromCounts([1, 0], [0, 1])).toBeCloseTo(0.8325546111576977, 15);
    expect(jensenShannonFromCounts([3, 3], [5, 5])).toBe(0);
  });

  it('computes χ² against reference-scaled expected counts, ∞ for a category new in current', () => {
    // Assess
    const r = chiSquaredFromCounts([50, 50], [60, 40]);
    expect(r.statistic).toBe(4);
    expect(r.pValue).toBeCloseTo(0.04550026389635857, 15);
    expect(chiSquaredFromCounts([50, 0], [40, 10])).toEqual({
      statistic: Number.POSITIVE_INFINITY,
      pValue: 0,
    });
    expect(chiSquaredFromCounts([50, 0], [40, 0])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('tests the share outside the first category, and gives z = 0, p = 1 for one shared category', () => {
    // Assess
    expect(zTestFromCounts([30, 0], [40, 0])).toEqual({ statistic: 0, pValue: 1 });
    const r = zTestFromCounts([50, 50], [70, 30]);
    expect(r.statistic).toBeCloseTo(2.886751345948129, 12);
  });

  it('normalises the Wasserstein distance by the reference std, floored at 0.001', () => {
    // Assess
    expect(wassersteinNormed(f64(0, 1), f64(1, 2))).toBe(2);
    expect(wassersteinNormed(f64(3, 3, 3), f64(3, 3, 4))).toBeCloseTo(1 / 3 / 0.001, 9);
  });

  it('keeps ks symmetric and every statistic in its range on arbitrary samples', () => {
    const sample = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, (xs, ys) => {
        // Prepare
        const a = Float64Array.from(xs).sort();
        const b = Float64Array.from(ys).sort();
        const counts = (v: number[]): number[] =>
          Array.from({ length: 41 }, (_, i) => v.filter((x) => x === i - 20).length);

        // Act
        const ab = ksTwoSample(a, b);
        const ba = ksTwoSample(b, a);
        const js = jensenShannonFromCounts(counts(xs), counts(ys));
        const psi = psiFromCounts(counts(xs), counts(ys));

        // Assess
        expect(ba).toEqual(ab);
        expect(ab.statistic).toBeGreaterThanOrEqual(0);
        expect(ab.statistic).toBeLessThanOrEqual(1);
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(Math.sqrt(Math.LN2) + 1e-15);
        expect(psi).toBeGreaterThanOrEqual(0);
        expect(wassersteinNormed(a, b)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
