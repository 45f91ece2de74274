import {
  compareBinned,
  compareColumn,
  compareDatasets,
  DEFAULT_THRESHOLDS,
  DriftOptionsError,
} from '../../../../lambdas/domain/drift';
import type { Table } from '../../../../lambdas/domain/drift';

const range = (n: number, f: (i: number) => number | string): (number | string)[] =>
  Array.from({ length: n }, (_, i) => f(i));

describe('Drift: auto method choice (Evidently)', () => {
  it.each([
    ['small numeric reference with > 5 values', range(200, (i) => i), range(100, (i) => i), 'ks'],
    [
      'small numeric reference with 3..5 values',
      range(200, (i) => i % 4),
      range(100, (i) => i % 4),
      'chisquare',
    ],
    [
      'small numeric reference with 2 values',
      range(200, (i) => i % 2),
      range(100, (i) => i % 2),
      'z',
    ],
    [
      'small categorical reference, 3 categories',
      range(200, (i) => `c${i % 3}`),
      range(100, (i) => `c${i % 3}`),
      'chisquare',
    ],
    [
      'small categorical reference, 2 categories',
      range(200, (i) => `c${i % 2}`),
      range(100, (i) => `c${i % 2}`),
      'z',
    ],
    ['large numeric reference', range(1001, (i) => i), range(100, (i) => i), 'wasserstein'],
    [
      'large numeric reference with ≤ 5 values',
      range(1001, (i) => i % 5),
      range(100, (i) => i % 5),
      'jensenshannon',
    ],
    [
      'large categorical reference',
      range(1001, (i) => `c${i % 7}`),
      range(100, (i) => `c${i % 7}`),
      'jensenshannon',
    ],
  ])('picks the method for a %s', (_name, reference, current, method) => {
    // Act
    const r = compareColumn('x', reference, current);

    // Assess
    expect(r.method).toBe(method);
    expect(r.threshold).toBe(DEFAULT_THRESHOLDS[method as keyof typeof DEFAULT_THRESHOLDS]);
  });

  it('counts distinct values over both windows (2 in the reference + 1 new → chisquare)', () => {
    // Act
    const r = compareColumn(
      'x',
      range(100, (i) => `c${i % 2}`),
      range(100, (i) => `c${i % 3}`),
    );

    // Assess
    expect(r.method).toBe('chisquare');
  });
});

describe('Drift: compareColumn', () => {
  it('gives insufficient_data, with null statistic and p-value, below the minimum sample size', () => {
    // Act
    const r = compareColumn(
      'age',
      range(29, (i) => i),
      range(100, (i) => i),
      { method: 'ks' },
    );

    // Assess
    expect(JSON.stringify(r)).toBe(
      '{"column":"age","method":"ks","statistic":null,"p_value":null,"threshold":0.05,"drift":"insufficient_data","n_reference":29,"n_current":100}',
    );
  });

  it('honours minSampleSize', () => {
    // Act
    const r = compareColumn(
      'age',
      range(10, (i) => i),
      range(10, (i) => i + 20),
      {
        method: 'ks',
        minSampleSize: 5,
      },
    );

    // Assess
    expect(r.drift).toBe(true);
    expect(r.statistic).toBe(1);
  });

  it('drops missing values (NaN, ±Infinity, empty strings) before counting', () => {
    // Prepare
    const reference = [...range(40, (i) => i), Number.NaN, Number.POSITIVE_INFINITY, ''];

    // Act
    const r = compareColumn(
      'x',
      reference,
      range(40, (i) => i),
      { method: 'ks' },
    );

    // Assess
    expect(r.n_reference).toBe(40);
    expect(r).toMatchObject({ statistic: 0, p_value: 1, drift: false });
  });

  it('treats p = threshold as drift for ks (≤) but not for chisquare (<)', () => {
    // Prepare: fully separated samples of 3 give the exact p = 0.1 (up to rounding: 0.09999999999999999)
    const ks = compareColumn('x', [1, 2, 3], [4, 5, 6], {
      method: 'ks',
      minSampleSize: 1,
      threshold: 0.09999999999999999,
    });
    const chi = compareColumn(
      'x',
      range(50, (i) => `c${i % 2}`),
      range(50, (i) => `c${i % 2}`),
      {
        method: 'chisquare',
        threshold: 1,
      },
    );

    // Assess
    expect(ks.drift).toBe(true);
    expect(chi).toMatchObject({ p_value: 1, drift: false });
  });

  it('treats distance = threshold as drift', () => {
    // Act
    const r = compareColumn(
      'x',
      range(50, (i) => i % 2),
      range(50, (i) => i % 2),
      {
        method: 'psi',
        threshold: 0,
      },
    );

    // Assess
    expect(r).toMatchObject({ statistic: 0, drift: true });
  });

  it('returns the bins psi used: Sturges intervals for > 20 distinct numeric values', () => {
    // Act
    const r = compareColumn(
      'x',
      range(100, (i) => i),
      range(100, (i) => i + 50),
      { method: 'psi' },
    );

    // Assess
    expect(r.bins?.labels[0]).toBe('[0, 16.555555555555557)'); // numpy: 9 Sturges bins over [0, 149]
    expect(r.bins?.labels.at(-1)).toBe('[132.44444444444446, 149]');
    expect(r.bins?.reference.reduce((s, x) => s + x, 0)).toBe(100);
    expect(r.bins?.current.reduce((s, x) => s + x, 0)).toBe(100);
    expect(r.bins?.current[0]).toBe(0);
  });

  it('returns categories in sorted order as bins', () => {
    // Act
    const r = compareColumn(
      'x',
      range(60, (i) => ['b', 'a', 'c'][i % 3] as string),
      range(60, () => 'd'),
      {
        method: 'jensenshannon',
      },
    );

    // Assess
    expect(r.bins).toEqual({
      labels: ['a', 'b', 'c', 'd'],
      reference: [20, 20, 20, 0],
      current: [0, 0, 0, 60],
    });
    expect(r.statistic).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
  });

  it('compares numbers as categories when a window holds non-numeric values', () => {
    // Act
    const r = compareColumn(
      'x',
      range(50, (i) => i % 3),
      range(50, (i) => (i % 2 ? 'n/a' : 1)),
    );

    // Assess
    expect(r.method).toBe('chisquare');
    expect(r.bins?.labels).toEqual(['0', '1', '2', 'n/a']);
  });

  it('rejects ks and wasserstein on categorical columns, unknown methods and bad thresholds', () => {
    // Prepare
    const cats = range(50, (i) => `c${i % 3}`);

    // Assess
    expect(() => compareColumn('x', cats, cats, { method: 'ks' })).toThrow(
      new DriftOptionsError('method ks needs a numeric column; column "x" has non-numeric values'),
    );
    expect(() => compareColumn('x', cats, cats, { method: 'wasserstein' })).toThrow(
      DriftOptionsError,
    );
    expect(() => compareColumn('x', cats, cats, { method: 'kl' as never })).toThrow(
      'unknown drift method "kl": expected auto, ks, wasserstein, psi, jensenshannon, chisquare, z',
    );
    expect(() => compareColumn('x', cats, cats, { threshold: -1 })).toThrow(
      'threshold must be a finite number ≥ 0, got -1',
    );
    expect(() => compareColumn('x', cats, cats, { minSampleSize: 0 })).toThrow(
      'minSampleSize must be an integer ≥ 1, got 0',
    );
  });
});

describe('Drift: compareDatasets', () => {
  const reference: Table = {
    columns: ['a', 'b', 'c', 'd'],
    values: {
      a: range(100, (i) => i),
      b: range(100, (i) => i),
      c: range(100, (i) => `c${i % 3}`),
      d: range(10, (i) => i),
    },
  };
  const current: Table = {
    columns: ['a', 'b', 'c', 'd', 'extra'],
    values: {
      a: range(100, (i) => i + 60),
      b: range(100, (i) => i),
      c: range(100, (i) => `c${i % 3}`),
      d: range(100, (i) => i),
      extra: [1],
    },
  };

  it('judges every shared column, leaving insufficient_data columns out of share_drifted', () => {
    // Act
    const r = compareDatasets(reference, current);

    // Assess
    expect(r.columns.map((c) => [c.column, c.method, c.drift])).toEqual([
      ['a', 'ks', true],
      ['b', 'ks', false],
      ['c', 'chisquare', false],
      ['d', 'ks', 'insufficient_data'],
    ]);
    expect(r.share_drifted).toBeCloseTo(1 / 3, 15);
    expect(r.dataset_drift).toBe(false);
  });

  it('declares dataset drift at share ≥ driftShare and compares only the requested columns', () => {
    // Act
    const r = compareDatasets(reference, current, { columns: ['a', 'b'], driftShare: 0.5 });

    // Assess
    expect(r.columns.map((c) => c.column)).toEqual(['a', 'b']);
    expect(r).toMatchObject({ share_drifted: 0.5, dataset_drift: true });
  });

  it('gives share 0 and no dataset drift when no column has a verdict', () => {
    // Act
    const r = compareDatasets(reference, current, { columns: ['d'] });

    // Assess
    expect(r).toMatchObject({ share_drifted: 0, dataset_drift: false });
  });

  it('names requested columns that are not in both tables', () => {
    // Act / Assess
    expect(() => compareDatasets(reference, current, { columns: ['a', 'extra', 'zz'] })).toThrow(
      'column(s) not in both tables: "extra", "zz"',
    );
    expect(() => compareDatasets(reference, current, { driftShare: 2 })).toThrow(
      'driftShare must be between 0 and 1, got 2',
    );
  });
});

describe('Drift: compareBinned (histogram buckets)', () => {
  it('compares bucket counts with psi, jensenshannon and chisquare and returns the bins', () => {
    // Prepare
    const ref = [10, 30, 60];
    const cur = [30, 30, 40];

    // Act
    const psi = compareBinned(ref, cur, 'psi', {
      labels: ['0.1', '0.5', '+Inf'],
      column: 'latency',
    });
    const chi = compareBinned(ref, cur, 'chisquare');

    // Assess
    expect(psi).toMatchObject({
      column: 'latency',
      method: 'psi',
      p_value: null,
      drift: true,
      n_reference: 100,
      n_current: 100,
      bins: { labels: ['0.1', '0.5', '+Inf'], reference: ref, current: cur },
    });
    expect(psi.statistic).toBeCloseTo(
      (0.1 - 0.3) * Math.log(1 / 3) + (0.6 - 0.4) * Math.log(1.5),
      14,
    );
    expect(chi.statistic).toBeCloseTo(400 / 10 + 400 / 60, 12);
    expect(chi.bins?.labels).toEqual(['0', '1', '2']);
  });

  it('gives insufficient_data below the minimum total and rejects mismatched bins', () => {
    // Act
    const r = compareBinned([1, 2], [3, 4], 'jensenshannon');

    // Assess
    expect(r).toMatchObject({ drift: 'insufficient_data', statistic: null, n_reference: 3 });
    expect(() => compareBinned([1, 2], [1], 'psi')).toThrow(
      'bins differ: 2 reference vs 1 current counts',
    );
    expect(() => compareBinned([1, -2], [1, 2], 'psi')).toThrow(
      'bin counts must be finite and ≥ 0, got -2',
    );
    expect(() => compareBinned([1, 2], [1, 2], 'ks' as never)).toThrow(
      'method "ks" does not compare bins: expected psi, jensenshannon, chisquare',
    );
    expect(() => compareBinned([1, 2], [1, 2], 'psi', { labels: ['a'] })).toThrow(
      '1 labels for 2 bins',
    );
  });
});
