import { SelectCache } from '../../../../lambdas/domain/rules/select-cache';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

describe('Class: SelectCache', () => {
  const up = [{ name: '__name__', op: MatchOp.Equal, value: 'up' }] as const;
  const range = { startMs: 0, endMs: 60_000 };

  it('queries the store once for repeated identical selects', async () => {
    // Prepare
    const inner = new InMemorySeriesStore();
    await inner.write([{ labels: { __name__: 'up', job: 'api' }, samples: [{ t: 30_000, v: 1 }] }]);
    const cache = new SelectCache(inner);
    const before = inner.selects.length;

    // Act
    const a = await cache.select(up, range);
    const b = await cache.select([...up], { ...range });

    // Assess
    expect(inner.selects.length - before).toBe(1);
    expect(b).toBe(a);
    expect(a[0]?.samples).toEqual([{ t: 30_000, v: 1 }]);
  });

  it('asks again after a write, so later rules see recording-rule output', async () => {
    // Prepare
    const inner = new InMemorySeriesStore();
    const cache = new SelectCache(inner);
    await cache.select(up, range);

    // Act
    await cache.write([{ labels: { __name__: 'up', job: 'api' }, samples: [{ t: 45_000, v: 0 }] }]);
    const after = await cache.select(up, range);

    // Assess
    expect(after[0]?.samples).toEqual([{ t: 45_000, v: 0 }]);
  });

  it('keeps selects of other metrics cached across a write', async () => {
    // Prepare
    const inner = new InMemorySeriesStore();
    const cache = new SelectCache(inner);
    await cache.select(up, range);
    const before = inner.selects.length;

    // Act
    await cache.write([
      { labels: { __name__: 'ALERTS', alertname: 'X' }, samples: [{ t: 1, v: 1 }] },
    ]);
    await cache.select(up, range);

    // Assess
    expect(inner.selects.length).toBe(before);
  });

  it('does not keep a failed select', async () => {
    // Prepare
    const inner = new InMemorySeriesStore();
    let fail = true;
    const flaky = Object.assign(Object.create(inner), {
      select: (...args: Parameters<InMemorySeriesStore['select']>) =>
        fail ? Promise.reject(new Error('throttled')) : inner.select(...args),
    });
    const cache = new SelectCache(flaky);

    // Act
    await expect(cache.select(up, range)).rejects.toThrow('throttled');
    fail = false;

    // Assess
    await expect(cache.select(up, range)).resolves.toEqual([]);
  });
});
