import {
  BYTES_PER_SAMPLE,
  evaluateInstant,
  evaluateRange,
  maxSamplesForMemory,
  PromqlParseError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
} from '../../../../lambdas/domain/promql';
import type { Series } from '../../../../lambdas/domain/series/sample';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** `n` series `name{i="0".."n-1"}`, a sample every `everyMs` over `(end - spanMs, end]`. */
const seriesOf = (name: string, n: number, spanMs: number, everyMs: number, end: number) =>
  Array.from(
    { length: n },
    (_, i): Series => ({
      labels: { __name__: name, i: String(i) },
      samples: Array.from({ length: spanMs / everyMs }, (_, k) => {
        const t = end - spanMs + (k + 1) * everyMs;
        return { t, v: (i * 7 + k * 13) % 101 };
      }),
    }),
  );

const storeOf = async (...lists: Series[][]): Promise<InMemorySeriesStore> => {
  const store = new InMemorySeriesStore();
  for (const l of lists) await store.write(l);
  return store;
};

/** A clock that moves `stepMs` forward each time it is read, and counts the reads. */
const steppingClock = (stepMs: number) => {
  const clock = { reads: 0, now: () => clock.reads++ * stepMs };
  return clock;
};

describe('PromQL sample limit', () => {
  it('derives the default limit from memory at BYTES_PER_SAMPLE, half of it for samples', () => {
    // Act
    const forLambda = maxSamplesForMemory(1024);

    // Assess
    expect(BYTES_PER_SAMPLE).toBe(100);
    expect(forLambda).toBe(5_368_709);
    expect(forLambda * BYTES_PER_SAMPLE).toBeLessThanOrEqual(512 * 1024 * 1024);
  });

  it('refuses a subquery with more steps than the limit before selecting anything', async () => {
    // Prepare: [1d:1ms] is 86,400,000 steps.
    const store = await storeOf(seriesOf('card', 20, HOUR, 15 * S, DAY));
    await evaluateInstant(store, 'vector(1)', DAY); // loads the parser, untimed
    const started = performance.now();

    // Act
    const act = evaluateInstant(store, 'max_over_time(card[1d:1ms])', DAY);

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
    await expect(act).rejects.toThrow(
      'query processing would load too many samples into memory in query execution',
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(store.selects).toHaveLength(0);
  });

  it('refuses an absurd subquery range such as [290y:1m] up front', async () => {
    // Prepare
    const store = await storeOf(seriesOf('x', 1, HOUR, 15 * S, DAY));

    // Act: 152 M steps
    const act = evaluateInstant(store, 'max_over_time(x[290y:1m])', DAY);

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
    expect(store.selects).toHaveLength(0);
  });

  it('refuses a range longer than a Prometheus duration holds ([10000y:5m]) as a parse error', async () => {
    // Prepare
    const store = await storeOf(seriesOf('x', 1, HOUR, 15 * S, DAY));

    // Act
    const act = evaluateInstant(store, 'max_over_time(x[10000y:5m])', DAY);

    // Assess
    await expect(act).rejects.toThrow(PromqlParseError);
    await expect(act).rejects.toThrow('duration out of range');
  });

  it('refuses a range query with more steps than the limit before selecting', async () => {
    // Prepare
    const store = await storeOf(seriesOf('x', 1, HOUR, 15 * S, DAY));

    // Act
    const act = evaluateRange(store, 'x', 0, DAY, 1, { maxSamples: 1_000_000 });

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
    expect(store.selects).toHaveLength(0);
  });

  it('counts series × steps of a selector before allocating its points', async () => {
    // Prepare: 50 series × 3,601 steps = 180,050 points, over a limit of 100,000.
    const store = await storeOf(seriesOf('card', 50, HOUR, 15 * S, DAY));

    // Act
    const act = evaluateRange(store, 'count_values("v", card)', DAY - HOUR, DAY, S, {
      maxSamples: 100_000,
    });

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
  });

  it('counts the selected raw samples against the limit', async () => {
    // Prepare: 10 series × 240 samples.
    const store = await storeOf(seriesOf('card', 10, HOUR, 15 * S, DAY));

    // Act
    const over = evaluateInstant(store, 'count_over_time(card[1h])', DAY, { maxSamples: 2399 });
    const within = await evaluateInstant(store, 'count_over_time(card[1h])', DAY, {
      maxSamples: 2400 + 10,
    });

    // Assess
    await expect(over).rejects.toThrow(PromqlTooManySamplesError);
    expect(within.value.type === 'vector' && within.value.samples.map((s) => s.v)).toEqual(
      Array(10).fill(240),
    );
  });

  it('evaluates a sparse series under a fine subquery step from its samples', async () => {
    // Prepare: 240 samples from 15 s into the hour, subquery of 360,000 steps at 10 ms.
    const store = await storeOf(seriesOf('x', 1, HOUR, 15 * S, DAY));

    // Act
    const fine = await evaluateInstant(store, 'count_over_time(x[1h:10ms])', DAY);
    const max = await evaluateInstant(store, 'max_over_time(x[1h:10ms])', DAY);
    const direct = await evaluateInstant(store, 'max_over_time(x[1h])', DAY);

    // Assess: every step from the first sample on sees one (the lookback is 5 minutes).
    expect(fine.value.type === 'vector' && fine.value.samples[0]?.v).toBe((HOUR - 15 * S) / 10 + 1);
    expect(max.value).toEqual(direct.value);
  });
});

describe('PromQL deadline inside loops', () => {
  // One series (or one step) and one long loop: only a clock read inside that loop can stop it.
  const TIMEOUT_MS = 50;

  it.each([
    {
      what: 'a range function over long windows',
      query: 'quantile_over_time(0.5, x[1h])',
      data: () => seriesOf('x', 1, 6 * HOUR, S, DAY),
      range: [DAY - 6 * HOUR, DAY, 10 * S] as const,
    },
    {
      what: 'the steps of a subquery',
      query: 'max_over_time((x * 2)[1d:1s])',
      data: () => seriesOf('x', 1, DAY, 15 * S, DAY),
      range: [DAY, DAY, 0] as const,
    },
    {
      what: 'count_values over many series',
      query: 'count_values("v", card)',
      data: () => seriesOf('card', 1000, 10 * MIN, 15 * S, DAY),
      range: [DAY - 10 * MIN, DAY, S] as const,
    },
    {
      what: 'topk and quantile over many series',
      query: 'topk(5, card) + on (i) group_left quantile by (i) (0.9, card)',
      data: () => seriesOf('card', 1000, 10 * MIN, 15 * S, DAY),
      range: [DAY - 10 * MIN, DAY, S] as const,
    },
    {
      what: 'binary-operator matching',
      query: 'card * on (i) card',
      data: () => seriesOf('card', 1000, 10 * MIN, 15 * S, DAY),
      range: [DAY - 10 * MIN, DAY, S] as const,
    },
  ])('stops $what at its deadline', async ({ query, data, range }) => {
    // Prepare: each clock read is 1 ms later, so the deadline passes at the 51st read.
    const store = await storeOf(data());
    const clock = steppingClock(1);
    const [start, end, step] = range;
    const opts = { timeoutMs: TIMEOUT_MS, now: clock.now };

    // Act
    const act =
      step === 0
        ? evaluateInstant(store, query, end, opts)
        : evaluateRange(store, query, start, end, step, opts);

    // Assess: stopped in expression evaluation, within a few reads of the deadline.
    await expect(act).rejects.toThrow(PromqlTimeoutError);
    await expect(act).rejects.toThrow('query timed out in expression evaluation');
    expect(clock.reads).toBeGreaterThan(TIMEOUT_MS);
    expect(clock.reads).toBeLessThan(TIMEOUT_MS + 10);
  });
});
