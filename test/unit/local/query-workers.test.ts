import { type ResponseEncoding, responseBody } from '../../../lambdas/api/query';
import { ResponseHint } from '../../../lambdas/api/response-budget';
import { ResponseTooLargeError } from '../../../lambdas/domain/errors';
import type { TimeRange } from '../../../lambdas/domain/ports';
import {
  evaluateQuery,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
  type QueryRequest,
} from '../../../lambdas/domain/promql';
import type { LabelMatcher } from '../../../lambdas/domain/series/matchers';
import { type Series, STALE_NAN } from '../../../lambdas/domain/series/sample';
import { QueryWorkerPool } from '../../../lambdas/local/query-workers';
import { InMemorySeriesStore } from '../../helpers/in-memory-series-store';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A store whose selects of `hang` never answer. */
class HangingStore extends InMemorySeriesStore {
  override select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    if (matchers.some((m) => m.value === 'hang')) return new Promise(() => {});
    return super.select(matchers, range);
  }
}

/** The query API's encoding: no `limit`, a 5 MiB response budget. */
const ENC: ResponseEncoding = {
  limit: 0,
  maxResponseBytes: 5 * 1024 * 1024,
  hint: ResponseHint.QueryRange,
};

const request = (query: string, over: Partial<QueryRequest> = {}): QueryRequest => ({
  kind: 'range',
  query,
  startMs: 0,
  endMs: 20 * MIN,
  stepMs: MIN,
  maxSamples: 1_000_000,
  timeoutMs: 10_000,
  ...over,
});

const storeWithData = async (): Promise<HangingStore> => {
  const store = new HangingStore();
  await store.write([
    {
      labels: { __name__: 'up', job: 'a' },
      samples: Array.from({ length: 21 }, (_, i) => ({ t: i * MIN, v: i % 3 })),
    },
    {
      labels: { __name__: 'up', job: 'b' },
      samples: [
        { t: 0, v: 1 },
        { t: 5 * MIN, v: STALE_NAN },
        { t: 10 * MIN, v: 2 },
      ],
    },
  ]);
  return store;
};

describe('Class: QueryWorkerPool', () => {
  let pool: QueryWorkerPool | undefined;

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('evaluates in a worker what the engine evaluates in this thread, stale markers included', async () => {
    // Prepare
    const store = await storeWithData();
    pool = new QueryWorkerPool({ store, concurrency: 1 });
    const requests = [
      request('up'),
      request('sum by (job) (rate(up[5m]))'),
      request('up', { kind: 'instant', startMs: 7 * MIN, endMs: 7 * MIN }),
      request('scalar(sum(up))', { kind: 'instant', startMs: 12 * MIN, endMs: 12 * MIN }),
    ];

    // Act
    const inWorker = await Promise.all(
      requests.map((r) => (pool as QueryWorkerPool).evaluate(r, ENC)),
    );
    const inThread = await Promise.all(
      requests.map(async (r) => responseBody(await evaluateQuery(store, r, Date.now), ENC)),
    );

    // Assess
    expect(inWorker).toEqual(inThread);
    expect(JSON.parse(inWorker[0] as string).data.resultType).toBe('matrix');
    expect(JSON.parse(inWorker[2] as string).data).toEqual({
      resultType: 'vector',
      result: [{ metric: { __name__: 'up', job: 'a' }, value: [420, '1'] }],
    });
  });

  it("fails a query with the store's own error when a select fails", async () => {
    // Prepare
    const store = await storeWithData();
    const failure = new Error('store unavailable');
    store.select = () => Promise.reject(failure);
    pool = new QueryWorkerPool({ store, concurrency: 1 });

    // Act
    const act = pool.evaluate(request('up'), ENC);

    // Assess
    await expect(act).rejects.toBe(failure);
  });

  it('refuses in the worker a response over the size budget, with the same error', async () => {
    // Prepare
    const store = await storeWithData();
    pool = new QueryWorkerPool({ store, concurrency: 1 });

    // Act
    const act = pool.evaluate(request('up'), { ...ENC, maxResponseBytes: 100 });

    // Assess
    await expect(act).rejects.toThrow(ResponseTooLargeError);
    await expect(act).rejects.toMatchObject({ limitBytes: 100 });
  });

  it('stops a worker still busy past its deadline, and serves the next query', async () => {
    // Prepare
    const store = await storeWithData();
    pool = new QueryWorkerPool({ store, concurrency: 1, graceMs: 100 });
    const started = Date.now();

    // Act
    const stuck = pool.evaluate(request('hang', { timeoutMs: 300 }), ENC);
    await expect(stuck).rejects.toThrow(PromqlTimeoutError);
    const took = Date.now() - started;
    const next = await pool.evaluate(request('up'), ENC);

    // Assess
    await expect(stuck).rejects.toThrow('query timed out in expression evaluation');
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(3000);
    expect(JSON.parse(next).status).toBe('success');
  });

  it('queues queries past its concurrency; a queued query can time out in the queue', async () => {
    // Prepare
    const store = await storeWithData();
    pool = new QueryWorkerPool({ store, concurrency: 1, graceMs: 100 });

    // Act
    const first = pool.evaluate(request('hang', { timeoutMs: 1500 }), ENC);
    const firstFails = expect(first).rejects.toThrow(PromqlTimeoutError);
    const started = Date.now();
    const second = pool.evaluate(request('up', { timeoutMs: 300 }), ENC);
    const running = pool.running;
    await expect(second).rejects.toThrow(PromqlTimeoutError);
    const waited = Date.now() - started;

    // Assess
    expect(running).toBe(1);
    await expect(second).rejects.toThrow('query timed out in query queue');
    expect(waited).toBeLessThan(1000);
    await firstFails;
  });

  it('fails a query that exhausts the worker heap with too many samples, not the process', async () => {
    // Prepare: a 3,600,000-step subquery (about 300 MB of points) in a 64 MB worker heap.
    const store = await storeWithData();
    await store.write([
      {
        labels: { __name__: 'x' },
        samples: Array.from({ length: 60 }, (_, i) => ({ t: i * MIN, v: i })),
      },
    ]);
    pool = new QueryWorkerPool({ store, concurrency: 1, heapMb: 64 });

    // Act
    const act = pool.evaluate(
      request('count_over_time(x[1h:1ms])', {
        kind: 'instant',
        startMs: HOUR,
        endMs: HOUR,
        maxSamples: 1e9,
      }),
      ENC,
    );

    // Assess
    await expect(act).rejects.toThrow(PromqlTooManySamplesError);
    expect(JSON.parse(await pool.evaluate(request('up'), ENC)).status).toBe('success');
  });
});
