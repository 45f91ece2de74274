import { backoffMs, retry } from '../../../lambdas/domain/retry';

class Flaky extends Error {}

describe('Function: retry', () => {
  it('retries a retryable failure after the delay it names, and returns the first success', async () => {
    // Prepare
    const waits: number[] = [];
    const seen: number[] = [];

    // Act
    const result = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Flaky(`attempt ${attempt}`);
        return 'stored';
      },
      {
        maxAttempts: 5,
        delayMs: (error, attempt) => (error instanceof Flaky ? attempt * 100 : undefined),
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );

    // Assess
    expect(result).toBe('stored');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  it('throws an error that is not retryable at once', async () => {
    // Prepare
    let calls = 0;
    const refused = new Error('403 signature mismatch');

    // Act
    const run = retry(
      async () => {
        calls++;
        throw refused;
      },
      { maxAttempts: 5, delayMs: (error) => (error instanceof Flaky ? 10 : undefined) },
    );

    // Assess
    await expect(run).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('throws what giveUp makes of the last failure after maxAttempts, without a wait after it', async () => {
    // Prepare
    const waits: number[] = [];

    // Act
    const run = retry(
      async (attempt) => {
        throw new Flaky(`attempt ${attempt}`);
      },
      {
        maxAttempts: 3,
        delayMs: () => 50,
        giveUp: (error, attempts) =>
          new Error(`gave up after ${attempts}: ${(error as Error).message}`),
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );

    // Assess
    await expect(run).rejects.toThrow('gave up after 3: attempt 3');
    expect(waits).toEqual([50, 50]);
  });

  it('rethrows the last failure itself when there is no giveUp', async () => {
    // Act
    const run = retry(
      async (attempt) => {
        throw new Flaky(`attempt ${attempt}`);
      },
      { maxAttempts: 2, delayMs: () => 0 },
    );

    // Assess
    await expect(run).rejects.toThrow('attempt 2');
  });
});

describe('Function: backoffMs', () => {
  it('doubles from the base up to the cap', () => {
    // Act
    const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, { baseMs: 50, maxMs: 1000 }));

    // Assess
    expect(waits).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('draws full jitter below the capped backoff, in whole milliseconds', () => {
    // Act
    const high = backoffMs(3, { baseMs: 50, maxMs: 5000, random: () => 0.999 });
    const low = backoffMs(3, { baseMs: 50, maxMs: 5000, random: () => 0 });

    // Assess
    expect(high).toBe(199);
    expect(low).toBe(0);
  });
});
