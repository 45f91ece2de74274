import { NoopCardinalityTracker } from '../../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import { admitNamesInMemory } from '../../../../lambdas/domain/ingest/name-budget';
import { NameBudgetSeriesStore } from '../../../../lambdas/domain/ingest/name-budget-series-store';
import type {
  CardinalityTracker,
  NameBudget,
  NameRefusal,
  SeriesNames,
} from '../../../../lambdas/domain/ports';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const NOW = 1_764_086_400_000;
const ALL = { startMs: 0, endMs: NOW };

/** Registered names in memory, with the rule every tracker follows. */
class SetTracker extends NoopCardinalityTracker implements CardinalityTracker {
  readonly dimensions = new Set<string>();
  readonly measures = new Set<string>();
  override async admitNames(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return admitNamesInMemory(this, series, budget);
  }
}

describe('Class: NameBudgetSeriesStore', () => {
  it('writes rule outputs within the whole budget, reserve included, and rejects the rest with the reason', async () => {
    // Prepare: clients may use 2 metric names, Vigil 3.
    const inner = new InMemorySeriesStore();
    const tracker = new SetTracker();
    for (const m of ['a', 'b']) tracker.measures.add(m);
    const store = new NameBudgetSeriesStore({
      inner,
      tracker,
      limits: { ...DEFAULT_LIMITS, maxMeasureNames: 3, reservedMeasureNames: 1 },
    });

    // Act
    const result = await store.write([
      { labels: { __name__: 'ALERTS', alertname: 'Down' }, samples: [{ t: NOW, v: 1 }] },
      { labels: { __name__: 'job:up:sum', job: 'api' }, samples: [{ t: NOW, v: 4 }] },
    ]);

    // Assess
    expect(result).toEqual({
      accepted: 1,
      rejected: [
        {
          labels: { __name__: 'job:up:sum', job: 'api' },
          sample: { t: NOW, v: 4 },
          reason:
            'metric name "job:up:sum" is new and the samples table has no room for another metric name (Timestream measure name): at most 3 (limits.maxMeasureNames); drop metrics with write_relabel_configs (action: drop) in series job:up:sum{job="api"}',
        },
      ],
    });
    expect(await store.series([[]], ALL)).toEqual([{ __name__: 'ALERTS', alertname: 'Down' }]);
    expect([...tracker.dimensions]).toEqual(['alertname']);
  });

  it('passes a write with known names straight to the store', async () => {
    // Prepare
    const inner = new InMemorySeriesStore();
    const store = new NameBudgetSeriesStore({
      inner,
      tracker: new NoopCardinalityTracker(),
      limits: DEFAULT_LIMITS,
    });

    // Act
    const result = await store.write([{ labels: { __name__: 'up' }, samples: [{ t: NOW, v: 1 }] }]);

    // Assess
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(await store.labelValues('__name__', [], ALL)).toEqual(['up']);
  });
});
