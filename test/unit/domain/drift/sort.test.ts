import { RADIX_MIN_LENGTH, sortFloat64 } from '../../../../lambdas/domain/drift/sort';

/** mulberry32, seeded. */
const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

describe('Function: sortFloat64 (radix sort of float64 bits)', () => {
  it('sorts large arrays of mixed signs, magnitudes, duplicates and extremes as the built-in sort', () => {
    // Prepare
    const u = rng(42);
    const n = RADIX_MIN_LENGTH * 25;
    const values = Float64Array.from({ length: n }, (_, i) => {
      const sign = u() < 0.4 ? -1 : 1;
      return i % 5 === 0 ? Math.round(u() * 10) : sign * u() * 10 ** Math.floor(u() * 40 - 20);
    });
    values.set([
      0,
      -0,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      1e308,
      -1e-308,
    ]);
    const expected = values.slice().sort();

    // Act
    const sorted = sortFloat64(values);

    // Assess
    expect(sorted).toBe(values);
    expect(Array.from(sorted)).toEqual(Array.from(expected));
  });

  it('sorts small arrays and arrays of one repeated value', () => {
    // Assess
    expect(Array.from(sortFloat64(Float64Array.of(3, -1, 2)))).toEqual([-1, 2, 3]);
    const same = new Float64Array(RADIX_MIN_LENGTH * 2).fill(-2.5);
    expect(sortFloat64(same).every((x) => x === -2.5)).toBe(true);
  });
});
