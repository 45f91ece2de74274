import { PRICES, PRICES_TAKEN_ON } from '../../../../lambdas/domain/costs/prices';

describe('Constant: PRICES', () => {
  it('is dated, and every line names its source and says why when AWS did not show it', () => {
    // Prepare
    const lines = Object.entries(PRICES);

    // Act
    const undocumented = lines.filter(
      ([, l]) => l.source.trim() === '' || (!l.verified && (l.note ?? '').trim() === ''),
    );

    // Assess
    expect(PRICES_TAKEN_ON).toBe('2026-12-06');
    expect(lines).toHaveLength(26);
    expect(undocumented).toEqual([]);
  });

  it('has tiers that rise and end open, with the cheaper price later', () => {
    // Prepare, Act
    const bad = Object.entries(PRICES).filter(([, l]) =>
      l.tiers.some(
        (t, i) =>
          (i > 0 &&
            (t.upTo <= (l.tiers[i - 1]?.upTo ?? 0) ||
              t.usdPerUnit > (l.tiers[i - 1]?.usdPerUnit ?? 0))) ||
          (i === l.tiers.length - 1 && t.upTo !== Infinity),
      ),
    );

    // Assess
    expect(bad).toEqual([]);
  });
});
