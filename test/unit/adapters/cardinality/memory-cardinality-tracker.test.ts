import { MemoryCardinalityTracker } from '../../../../lambdas/adapters/cardinality/memory-cardinality-tracker';
import { withoutNameBudgets } from '../../../../lambdas/domain/ingest/name-budget';

describe('MemoryCardinalityTracker', () => {
  it('admits known series always and new ones while their metric has room', async () => {
    // Prepare
    const tracker = new MemoryCardinalityTracker();
    await tracker.admit(
      [
        { metric: 'up', key: 'up{a}' },
        { metric: 'up', key: 'up{b}' },
      ],
      2,
    );

    // Act
    const refused = await tracker.admit(
      [
        { metric: 'up', key: 'up{a}' },
        { metric: 'up', key: 'up{c}' },
        { metric: 'other', key: 'other{c}' },
      ],
      2,
    );

    // Assess
    expect([...refused]).toEqual(['up{c}']);
  });

  it('admits any number of new label and metric names (a workspace has no name quotas)', async () => {
    // Prepare
    const tracker = new MemoryCardinalityTracker();
    const series = Array.from({ length: 300 }, (_, i) => ({
      measure: `m_${i}`,
      dimensions: [`label_${i}`],
    }));

    // Act
    const refused = await tracker.admitNames(series, { dimensions: 1, measures: 1 });

    // Assess
    expect(refused.size).toBe(0);
  });
});

describe('Function: withoutNameBudgets', () => {
  it("keeps the tracker's series guard and admits every name", async () => {
    // Prepare
    const inner = new MemoryCardinalityTracker();
    const tracker = withoutNameBudgets({
      admit: (s, limit) => inner.admit(s, limit),
      admitNames: async () => new Map([[0, { measure: 'm', dimensions: [] }]]),
    });
    await tracker.admit([{ metric: 'up', key: 'up{a}' }], 1);

    // Act
    const refusedSeries = await tracker.admit([{ metric: 'up', key: 'up{b}' }], 1);
    const refusedNames = await tracker.admitNames([{ measure: 'm', dimensions: [] }], {
      dimensions: 0,
      measures: 0,
    });

    // Assess
    expect([...refusedSeries]).toEqual(['up{b}']);
    expect(refusedNames.size).toBe(0);
  });
});
