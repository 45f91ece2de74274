import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import type { PushGroup, PushGroupStore } from '../../../../lambdas/domain/ports';
import { PushAwareSeriesStore } from '../../../../lambdas/domain/pushgateway/push-aware-series-store';
import {
  pushRescrapeSeries,
  rescrapeWindowAt,
  runPushRescrape,
  runPushRescrapeWindow,
} from '../../../../lambdas/domain/pushgateway/push-rescrape';
import type { Labels } from '../../../../lambdas/domain/series/labels';

const MIN = 60_000;
const T0 = Date.parse('2026-12-06T12:00:00Z');

const group = (job: string, pushTimeMs: number, value: number): PushGroup => ({
  key: { job },
  metrics: [
    { labels: { __name__: 'batch_rows', job }, value, family: 'batch_rows' },
    {
      labels: { __name__: 'push_time_seconds', job },
      value: pushTimeMs / 1000,
      family: 'push_time_seconds',
    },
  ],
  pushTimeMs,
  pushFailureTimeMs: 0,
});

const groupStore = (groups: PushGroup[]): PushGroupStore => ({
  get: async (key: Labels) => groups.find((g) => g.key.job === key.job),
  put: async () => undefined,
  delete: async () => undefined,
  list: async () => groups,
});

describe('Function: rescrapeWindowAt', () => {
  it('covers the whole minute before the latest minute boundary', () => {
    // Act & Assess
    expect(rescrapeWindowAt(T0 + 3_250)).toEqual({ fromMs: T0 - MIN, toMs: T0 });
    expect(rescrapeWindowAt(T0)).toEqual({ fromMs: T0 - MIN, toMs: T0 });
  });
});

describe('Function: pushRescrapeSeries', () => {
  it('repeats each pushed value every interval after the push, inside (from, to]', () => {
    // Prepare
    const groups = [group('etl', T0 - 40_000, 7)];

    // Act
    const series = pushRescrapeSeries(groups, { fromMs: T0 - MIN, toMs: T0 }, 15_000);

    // Assess
    expect(series).toEqual([
      {
        labels: { __name__: 'batch_rows', job: 'etl' },
        samples: [
          { t: T0 - 25_000, v: 7 },
          { t: T0 - 10_000, v: 7 },
        ],
      },
      {
        labels: { __name__: 'push_time_seconds', job: 'etl' },
        samples: [
          { t: T0 - 25_000, v: (T0 - 40_000) / 1000 },
          { t: T0 - 10_000, v: (T0 - 40_000) / 1000 },
        ],
      },
    ]);
  });

  it('emits nothing for a group pushed after the window or within the last interval of it', () => {
    // Act
    const series = pushRescrapeSeries(
      [group('late', T0 + 1, 1), group('recent', T0 - 5_000, 2)],
      { fromMs: T0 - MIN, toMs: T0 },
      15_000,
    );

    // Assess
    expect(series).toEqual([]);
  });

  it('refuses a non-positive interval', () => {
    // Act & Assess
    expect(() => pushRescrapeSeries([], { fromMs: 0, toMs: 1 }, 0)).toThrow(RangeError);
  });
});

describe('Function: runPushRescrape', () => {
  it('writes, tick after tick, exactly the samples the push-aware store shows on read', async () => {
    // Prepare
    const intervalMs = 15_000;
    const groups = [group('etl', T0 - 7 * MIN + 3_000, 7), group('train', T0 - 2 * MIN - 1, 0.5)];
    const pushes = groups.flatMap((g) =>
      g.metrics.map((m) => ({ labels: m.labels, samples: [{ t: g.pushTimeMs, v: m.value }] })),
    );
    const written = new MemorySeriesStore();
    await written.write(pushes);
    const inner = new MemorySeriesStore();
    await inner.write(pushes);
    const now = T0 + 20_000;
    const readTime = new PushAwareSeriesStore({
      inner,
      groups: groupStore(groups),
      scrapeIntervalMs: intervalMs,
      clock: { now: () => T0 },
    });

    // Act
    const summaries = [];
    for (let tick = now - 8 * MIN; tick <= now; tick += MIN) {
      summaries.push(
        await runPushRescrape({ groups: groupStore(groups), store: written, intervalMs }, tick),
      );
    }

    // Assess
    const range = { startMs: T0 - 8 * MIN, endMs: T0 };
    const matchers = [{ name: 'job', op: '=~', value: '.+' }] as const;
    const sort = (s: { labels: Labels }[]) =>
      [...s].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
    expect(sort(await written.select(matchers, range))).toEqual(
      sort(await readTime.select(matchers, range)),
    );
    expect(summaries.at(-1)).toEqual({
      window: { fromMs: T0 - MIN, toMs: T0 },
      groups: 2,
      series: 4,
      samples: 16,
      rejected: 0,
    });
  });
});

describe('Function: runPushRescrapeWindow', () => {
  it('writes each scrape once over windows of any length that follow one another', async () => {
    // Prepare
    const intervalMs = 1_000;
    const groups = [group('etl', T0 - 10_500, 3)];
    const store = new MemorySeriesStore();
    const deps = { groups: groupStore(groups), store, intervalMs };
    const ends = [T0 - 9_000, T0 - 8_999, T0 - 4_250, T0 - 4_000, T0];

    // Act
    let fromMs = T0 - 12_000;
    let samples = 0;
    for (const toMs of ends) {
      samples += (await runPushRescrapeWindow(deps, { fromMs, toMs })).samples;
      fromMs = toMs;
    }

    // Assess
    const [rows] = await store.select([{ name: '__name__', op: '=', value: 'batch_rows' }], {
      startMs: T0 - 12_000,
      endMs: T0,
    });
    expect(rows?.samples.map((x) => (x.t - T0) / 1000)).toEqual([
      -9.5, -8.5, -7.5, -6.5, -5.5, -4.5, -3.5, -2.5, -1.5, -0.5,
    ]);
    expect(samples).toBe(20);
  });
});
