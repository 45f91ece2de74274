import { evaluateInstant, evaluateRange } from '../../../../lambdas/domain/promql';
import {
  PromqlExecutionError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
} from '../../../../lambdas/domain/promql/errors';
import { STALE_NAN } from '../../../../lambdas/domain/series/sample';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const MIN_MS = 60_000;

const storeWith = async (): Promise<InMemorySeriesStore> => {
  const store = new InMemorySeriesStore();
  await store.write([
    {
      labels: { __name__: 'up', job: 'a' },
      samples: Array.from({ length: 11 }, (_, i) => ({ t: i * MIN_MS, v: 1 })),
    },
    {
      labels: { __name__: 'up', job: 'b' },
      samples: [
        { t: 0, v: 0 },
        { t: MIN_MS, v: STALE_NAN },
      ],
    },
  ]);
  return store;
};

describe('Function: evaluateInstant', () => {
  it('returns a vector stamped with the evaluation time', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    const res = await evaluateInstant(store, 'up', 5 * MIN_MS);

    // Assess
    expect(res.value).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'up', job: 'a' }, t: 300_000, v: 1 }],
    });
    expect(res.warnings).toEqual([]);
  });

  it('returns scalars and strings', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    const scalar = await evaluateInstant(store, '1 + time()', 2000);
    const str = await evaluateInstant(store, '"hello"', 2000);

    // Assess
    expect(scalar.value).toEqual({ type: 'scalar', t: 2000, v: 3 });
    expect(str.value).toEqual({ type: 'string', t: 2000, v: 'hello' });
  });

  it('issues one select per distinct selector and range', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    await evaluateInstant(store, 'up + up + up offset 1m + sum(up)', 5 * MIN_MS);

    // Assess
    expect(store.selects).toHaveLength(2);
  });

  it('refuses queries that load more samples than maxSamples', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    const act = evaluateRange(store, 'up', 0, 10 * MIN_MS, 1000, { maxSamples: 100 });

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
    await expect(act).rejects.toThrow(
      'query processing would load too many samples into memory in query execution',
    );
  });

  it('times out with Prometheus-like message using the injected clock', async () => {
    // Prepare
    const store = await storeWith();
    let t = 0;
    const now = (): number => {
      t += 1000;
      return t;
    };

    // Act
    const act = evaluateRange(store, 'up', 0, 10 * MIN_MS, 1000, { timeoutMs: 1000, now });

    // Assess
    await expect(act).rejects.toThrow(PromqlTimeoutError);
    await expect(act).rejects.toThrow(/^query timed out in /);
  });

  it('rejects range vectors in range queries', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    const act = evaluateRange(store, 'up[5m]', 0, MIN_MS, 1000);

    // Assess
    await expect(act).rejects.toThrow(PromqlExecutionError);
  });

  it('honours a custom lookback delta', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    await store.write([{ labels: { __name__: 'x' }, samples: [{ t: 0, v: 1 }] }]);

    // Act
    const res = await evaluateInstant(store, 'x', 2 * MIN_MS, { lookbackDeltaMs: MIN_MS });

    // Assess
    expect(res.value).toEqual({ type: 'vector', samples: [] });
  });
});

describe('Function: evaluateRange', () => {
  it('returns a matrix sorted by labels with one point per step', async () => {
    // Prepare
    const store = await storeWith();

    // Act
    const res = await evaluateRange(store, 'up', 0, 2 * MIN_MS, MIN_MS);

    // Assess
    expect(res.value).toEqual({
      type: 'matrix',
      series: [
        {
          labels: { __name__: 'up', job: 'a' },
          points: [
            { t: 0, v: 1 },
            { t: 60_000, v: 1 },
            { t: 120_000, v: 1 },
          ],
        },
        { labels: { __name__: 'up', job: 'b' }, points: [{ t: 0, v: 0 }] },
      ],
    });
  });

  it('rejects a non-positive step', () => {
    // Act
    const act = (): unknown => evaluateRange(new InMemorySeriesStore(), 'up', 0, 1, 0);

    // Assess
    expect(act).toThrow(PromqlExecutionError);
  });
});
