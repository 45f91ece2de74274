/**
 * Every drift method against scipy/numpy: data generated here (seeded), expected
 * values computed in the same run by test/scipy/drift-expected.py with Debian's /usr/bin/python3
 * (python3-scipy, python3-numpy, which .ci/run installs). Statistics must agree to 1e-9
 * relative, p-values to 1e-6 absolute or 1e-4 relative.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chiSquaredSf,
  compareBinned,
  compareColumn,
  KS_MAX_EXACT_N,
  kolmogorovSf,
  normalCdf,
} from '../../lambdas/domain/drift';
import type { BinnedMethod, ColumnDrift, DriftMethod } from '../../lambdas/domain/drift';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(process.cwd(), 'test', 'scipy', 'drift-expected.py');

/** mulberry32: a small seeded PRNG so every run compares the same data. */
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

const normals = (seed: number, n: number, mean = 0, sd = 1): number[] => {
  const u = rng(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out.push(mean + sd * r * Math.cos(th));
    if (out.length < n) out.push(mean + sd * r * Math.sin(th));
  }
  return out;
};

const rounded = (xs: number[], digits: number): number[] =>
  xs.map((x) => Math.round(x * 10 ** digits) / 10 ** digits);

const categories = (seed: number, n: number, weights: Record<string, number>): string[] => {
  const u = rng(seed);
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return Array.from({ length: n }, () => {
    let x = u() * total;
    for (const [k, w] of entries) {
      x -= w;
      if (x < 0) return k;
    }
    return entries[entries.length - 1]?.[0] as string;
  });
};

const integers = (seed: number, n: number, max: number, shift = 0): number[] => {
  const u = rng(seed);
  return Array.from({ length: n }, () => Math.min(max, Math.floor(u() * u() * (max + 1)) + shift));
};

interface ValueCase {
  readonly name: string;
  readonly method: DriftMethod;
  readonly reference: (number | string)[];
  readonly current: (number | string)[];
  readonly numeric: boolean;
}
interface BinnedCase {
  readonly name: string;
  readonly method: BinnedMethod;
  readonly binned: true;
  readonly reference_counts: number[];
  readonly current_counts: number[];
}
type Case = ValueCase | BinnedCase;
/** A special function on a grid of (parameter, x) points. */
interface SpecialCase {
  readonly name: string;
  readonly kind: 'kstwo' | 'chi2' | 'ndtr';
  readonly points: [number, number][];
}
interface Expected {
  readonly name: string;
  readonly values?: number[];
  readonly statistic: number | null;
  readonly statistic_inf: boolean;
  readonly p_value: number | null;
}

const num = (name: string, method: DriftMethod, reference: number[], current: number[]): Case => ({
  name,
  method,
  reference,
  current,
  numeric: true,
});
const cat = (name: string, method: DriftMethod, reference: string[], current: string[]): Case => ({
  name,
  method,
  reference,
  current,
  numeric: false,
});

// Two normal populations with a gap, so Sturges' middle bins are empty.
const gapped = (seed: number, n: number): number[] =>
  normals(seed, n).map((x, i) => (i % 2 ? x - 6 : x + 6));

/** Integers drawn from 0..k-1 (every one present in the first k draws). */
const range20 = (seed: number, n: number, k: number): number[] => {
  const u = rng(seed);
  return Array.from({ length: n }, (_, i) => (i < k ? i : Math.floor(u() * k)));
};

const SMALL_REF = normals(1, 50);
const SMALL_CUR = normals(2, 40, 0.4);
const EQUAL_REF = normals(3, 80);
const EQUAL_CUR = normals(4, 80, 0.5, 1.2);
const MEDIUM_REF = normals(5, 3000);
const MEDIUM_CUR = normals(6, 2000, 0.05);
const LARGE_REF = normals(7, 20_000);
const LARGE_SHIFTED = normals(8, 15_000, 0.06);
const LARGE_SAME = normals(9, 15_000);
const TIED_REF = rounded(normals(10, 400), 1);
const TIED_CUR = rounded(normals(11, 300, 0.2), 1);
const FEW_REF = integers(12, 500, 10);
const FEW_CUR = integers(13, 400, 10, 1);
const CAT_REF = categories(14, 600, { red: 5, green: 3, blue: 2, black: 1 });
const CAT_CUR = categories(15, 500, { red: 3, green: 3, blue: 3, black: 1 });
const CAT_NEW = categories(16, 500, { red: 5, green: 3, blue: 2, white: 1 });
const BIN_REF = categories(17, 700, { yes: 7, no: 3 });
const BIN_CUR = categories(18, 650, { yes: 6, no: 4 });
const GAP_REF = gapped(19, 2000);
const GAP_CUR = gapped(20, 1500).map((x) => x * 1.1);

const CASES: Case[] = [
  num('ks small samples (exact, n1 ≠ n2)', 'ks', SMALL_REF, SMALL_CUR),
  num('ks equal sizes (exact, n1 = n2)', 'ks', EQUAL_REF, EQUAL_CUR),
  num('ks medium samples (exact)', 'ks', MEDIUM_REF, MEDIUM_CUR),
  num('ks large samples, shifted (asymptotic)', 'ks', LARGE_REF, LARGE_SHIFTED),
  num('ks large samples, same distribution (asymptotic)', 'ks', LARGE_REF, LARGE_SAME),
  num('ks large vs tiny sample (asymptotic, n ≤ 140)', 'ks', LARGE_REF, normals(21, 60, 0.3)),
  num('ks large vs small sample (asymptotic)', 'ks', normals(22, 12_000), normals(23, 400, 0.2)),
  num('ks with ties', 'ks', TIED_REF, TIED_CUR),
  num(
    'ks n1 = n2 = 10,001 (asymptotic, n = round-half-even(5000.5) = 5000)',
    'ks',
    normals(33, 10_001),
    normals(34, 10_001, 0.015),
  ),
  num('ks identical samples', 'ks', MEDIUM_REF, MEDIUM_REF),
  num('wasserstein small samples', 'wasserstein', SMALL_REF, SMALL_CUR),
  num('wasserstein large samples', 'wasserstein', LARGE_REF, LARGE_SHIFTED),
  num('wasserstein constant reference (std floor)', 'wasserstein', Array(40).fill(3), SMALL_CUR),
  num('wasserstein identical samples', 'wasserstein', MEDIUM_REF, MEDIUM_REF),
  num('psi numeric, Sturges bins', 'psi', MEDIUM_REF, MEDIUM_CUR),
  num('psi numeric, large samples', 'psi', LARGE_REF, LARGE_SHIFTED),
  num('psi numeric with empty bins', 'psi', GAP_REF, GAP_CUR),
  num('psi ≤ 20 distinct numeric values', 'psi', FEW_REF, FEW_CUR),
  num('psi identical samples', 'psi', MEDIUM_REF, MEDIUM_REF),
  num(
    'psi numeric, 2^12 values in all (log2 exact in Sturges)',
    'psi',
    normals(27, 2000),
    normals(28, 2096, 0.1),
  ),
  num(
    'psi exactly 20 distinct reference values (categories)',
    'psi',
    range20(29, 600, 20),
    range20(30, 500, 22),
  ),
  num(
    'psi 21 distinct reference values (Sturges bins)',
    'psi',
    range20(31, 600, 21),
    range20(32, 500, 22),
  ),
  cat('psi categorical', 'psi', CAT_REF, CAT_CUR),
  cat('psi categorical, new category', 'psi', CAT_REF, CAT_NEW),
  num('jensenshannon numeric, Sturges bins', 'jensenshannon', MEDIUM_REF, MEDIUM_CUR),
  num('jensenshannon numeric with empty bins', 'jensenshannon', GAP_REF, GAP_CUR),
  num('jensenshannon ≤ 20 distinct numeric values', 'jensenshannon', FEW_REF, FEW_CUR),
  cat('jensenshannon categorical', 'jensenshannon', CAT_REF, CAT_CUR),
  cat('jensenshannon categorical, new category', 'jensenshannon', CAT_REF, CAT_NEW),
  num('jensenshannon identical samples', 'jensenshannon', LARGE_REF, LARGE_REF),
  cat('chisquare categorical', 'chisquare', CAT_REF, CAT_CUR),
  cat(
    'chisquare categorical, same distribution',
    'chisquare',
    CAT_REF,
    categories(24, 550, { red: 5, green: 3, blue: 2, black: 1 }),
  ),
  cat('chisquare categorical, new category (χ² = ∞)', 'chisquare', CAT_REF, CAT_NEW),
  num('chisquare ≤ 20 distinct numeric values', 'chisquare', FEW_REF, FEW_CUR),
  cat('chisquare identical samples', 'chisquare', CAT_REF, CAT_REF),
  cat('z binary categorical', 'z', BIN_REF, BIN_CUR),
  num('z binary numeric', 'z', integers(25, 300, 1), integers(26, 200, 1)),
  cat('z identical single value', 'z', Array(50).fill('a'), Array(40).fill('a')),
  cat('z identical samples', 'z', BIN_REF, BIN_REF),
  {
    name: 'binned psi (histogram buckets)',
    method: 'psi',
    binned: true,
    reference_counts: [120, 340, 410, 90, 0, 40],
    current_counts: [80, 300, 450, 150, 12, 0],
  },
  {
    name: 'binned jensenshannon (histogram buckets)',
    method: 'jensenshannon',
    binned: true,
    reference_counts: [120, 340, 410, 90, 0, 40],
    current_counts: [80, 300, 450, 150, 12, 0],
  },
  {
    name: 'binned chisquare (histogram buckets)',
    method: 'chisquare',
    binned: true,
    reference_counts: [120, 340, 410, 90, 0, 40, 0],
    current_counts: [80, 300, 450, 150, 0, 35, 0],
  },
];

const grid = (as: number[], xs: number[]): [number, number][] =>
  as.flatMap((a) => xs.map((x) => [a, x] as [number, number]));

/** Every regime of scipy's kstwo.sf (Ruben–Gambino, Durbin, Pomeranz, Pelz–Good, Smirnov), χ² and Φ. */
const SPECIAL: SpecialCase[] = [
  {
    name: 'kstwo.sf (the asymptotic ks p-value) over n and D',
    kind: 'kstwo',
    points: grid(
      [1, 2, 5, 20, 60, 140, 141, 500, 1000, 8571, 100_000, 100_001, 500_000],
      [
        0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5,
        0.6, 0.8, 0.95,
      ],
    ),
  },
  {
    name: 'chi2.sf over degrees of freedom and χ²',
    kind: 'chi2',
    points: grid(
      [1, 2, 3, 5, 10, 50, 200, 1000],
      [0.01, 0.5, 1, 2, 5, 10, 30, 100, 300, 1000, 1500, 3000],
    ),
  },
  {
    name: 'norm.cdf',
    kind: 'ndtr',
    points: grid(
      [0],
      [-38, -20, -8.5, -5, -3, -1.5, -0.7, -0.1, 0, 0.3, 0.9999, 1, 1.0001, 2.5, 6, 9],
    ),
  },
];

const SPECIAL_FN = {
  kstwo: (n: number, x: number) => kolmogorovSf(n, x),
  chi2: (df: number, x: number) => chiSquaredSf(x, df),
  ndtr: (_: number, x: number) => normalCdf(x),
} as const;

const actual = (c: Case): ColumnDrift =>
  'binned' in c
    ? compareBinned(c.reference_counts, c.current_counts, c.method)
    : compareColumn(c.name, c.reference, c.current, { method: c.method });

let dir: string;
let expected: Map<string, Expected>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-drift-scipy-'));
  const input = join(dir, 'cases.json');
  const output = join(dir, 'expected.json');
  writeFileSync(input, JSON.stringify([...CASES, ...SPECIAL]));
  const run = spawnSync(PYTHON, [SCRIPT, input, output], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(
      `${PYTHON} ${SCRIPT} failed (needs Debian's python3-scipy and python3-numpy): ${run.error?.message ?? run.stderr}`,
    );
  }
  const rows = JSON.parse(readFileSync(output, 'utf8')) as Expected[];
  expected = new Map(rows.map((r) => [r.name, r]));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** |a − e| ≤ 1e-9·|e| (or both within 1e-12 of 0, where a relative bound means nothing). */
const closeStatistic = (a: number, e: number): boolean =>
  Math.abs(a - e) <= 1e-9 * Math.abs(e) || (Math.abs(e) < 1e-12 && Math.abs(a) < 1e-12);
const closePValue = (a: number, e: number): boolean =>
  Math.abs(a - e) <= 1e-6 || Math.abs(a - e) <= 1e-4 * Math.abs(e);

describe('Drift statistics vs scipy/numpy', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    // Prepare
    const want = expected.get(name) as Expected;

    // Act
    const got = actual(c);

    // Assess
    expect(got.method).toBe(c.method);
    if (want.statistic_inf) {
      expect({ statistic: got.statistic, p_value: got.p_value }).toEqual({
        statistic: null,
        p_value: 0,
      });
    } else {
      const s = got.statistic as number;
      const e = want.statistic as number;
      expect({ statistic: s, scipy: e, close: closeStatistic(s, e) }).toEqual({
        statistic: s,
        scipy: e,
        close: true,
      });
    }
    if (want.p_value === null) {
      expect(got.p_value).toBeNull();
    } else {
      const p = got.p_value as number;
      const e = want.p_value;
      expect({ p_value: p, scipy: e, close: closePValue(p, e) }).toEqual({
        p_value: p,
        scipy: e,
        close: true,
      });
    }
  });

  it.each(SPECIAL.map((c) => [c.name, c] as const))('%s', (name, c) => {
    // Prepare
    const want = expected.get(name)?.values as number[];

    // Act
    const got = c.points.map(([a, x]) => SPECIAL_FN[c.kind](a, x));

    // Assess: p-value tolerance, and relative 1e-4 for tail values below 1e-6 as well
    const off = c.points
      .map(([a, x], i) => ({ a, x, got: got[i] as number, scipy: want[i] as number }))
      .filter(
        ({ got: g, scipy: e }) =>
          !(
            closePValue(g, e) &&
            (e >= 1e-6 || Math.abs(g - e) <= 1e-4 * e || (e < 1e-300 && g < 1e-300))
          ),
      );
    expect(want).toHaveLength(c.points.length);
    expect(off).toEqual([]);
  });

  it('covers both of scipy ks_2samp regimes: exact up to 10,000 and asymptotic above', () => {
    // Prepare
    const sizes = CASES.filter((c): c is ValueCase => c.method === 'ks' && !('binned' in c)).map(
      (c) => Math.max(c.reference.length, c.current.length),
    );

    // Assess
    expect(sizes.some((n) => n <= KS_MAX_EXACT_N)).toBe(true);
    expect(sizes.some((n) => n > KS_MAX_EXACT_N)).toBe(true);
  });
});
