import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedSeriesStore } from '../../../../lambdas/adapters/storage/embedded-series-store';
import { fromColumns } from '../../../../lambdas/domain/series/columns';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';
import { packSeries, unpackSeries } from '../../../../lambdas/local/query-worker-messages';

const T0 = 1_764_086_400_000;
const MIN = 60_000;
const byName = (name: string) => [{ name: '__name__', op: MatchOp.Equal, value: name }];

describe('Method: EmbeddedSeriesStore.selectColumns', () => {
  let dir: string;
  let store: EmbeddedSeriesStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-embedded-read-'));
    store = new EmbeddedSeriesStore({ dataDir: dir });
    await store.write([
      {
        labels: { __name__: 'req_total', job: 'api' },
        samples: [0, 1, 2, 3, 4].map((i) => ({ t: T0 + i * MIN, v: 10 * i })),
      },
      {
        labels: { __name__: 'req_total', job: 'web' },
        samples: [
          { t: T0 + MIN, v: 1.5 },
          { t: T0 + 2 * MIN, v: STALE_NAN },
          { t: T0 + 3 * MIN, v: Number.POSITIVE_INFINITY },
        ],
      },
      { labels: { __name__: 'other', job: 'api' }, samples: [{ t: T0 + MIN, v: 7 }] },
    ]);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers with the same series and samples as select, stale markers kept', async () => {
    // Prepare
    const range = { startMs: T0 + MIN, endMs: T0 + 3 * MIN };

    // Act
    const columns = await store.selectColumns(byName('req_total'), range);
    const objects = await store.select(byName('req_total'), range);

    // Assess
    expect(columns.map((s) => s.labels)).toEqual(objects.map((s) => s.labels));
    expect(fromColumns(columns)[0]?.samples).toEqual([
      { t: T0 + MIN, v: 10 },
      { t: T0 + 2 * MIN, v: 20 },
      { t: T0 + 3 * MIN, v: 30 },
    ]);
    const web = columns.find((s) => s.labels.job === 'web');
    expect(Array.from(web?.t ?? [])).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(web?.v[0]).toBe(1.5);
    expect(isStaleNaN(web?.v[1] as number)).toBe(true);
    expect(web?.v[2]).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps a selected view unchanged by later appends and inserts', async () => {
    // Prepare
    const range = { startMs: T0, endMs: T0 + 10 * MIN };
    const before = await store.selectColumns(byName('req_total'), range);

    // Act
    await store.write([
      {
        labels: { __name__: 'req_total', job: 'api' },
        samples: [
          { t: T0 + 5 * MIN, v: 50 },
          { t: T0 + MIN / 2, v: 5 },
        ],
      },
    ]);

    // Assess
    expect(Array.from(before[0]?.v ?? [])).toEqual([0, 10, 20, 30, 40]);
    const after = await store.selectColumns(byName('req_total'), range);
    expect(Array.from(after[0]?.v ?? [])).toEqual([0, 5, 10, 20, 30, 40, 50]);
  });

  it('leaves out series without samples in the range', async () => {
    // Act
    const columns = await store.selectColumns(byName('req_total'), {
      startMs: T0 + 4 * MIN,
      endMs: T0 + 10 * MIN,
    });

    // Assess
    expect(columns.map((s) => s.labels.job)).toEqual(['api']);
    expect(Array.from(columns[0]?.v ?? [])).toEqual([40]);
  });

  it('reaches a query worker as the same samples, and the store keeps its own', async () => {
    // Prepare
    const range = { startMs: T0, endMs: T0 + 10 * MIN };
    const columns = await store.selectColumns(byName('req_total'), range);

    // Act
    const { packed, transfer } = packSeries(columns);
    const received = unpackSeries(structuredClone(packed, { transfer }));

    // Assess
    const again = await store.selectColumns(byName('req_total'), range);
    expect(Array.from(again[0]?.v ?? [])).toEqual([0, 10, 20, 30, 40]);
    expect(received.map((s) => s.labels.job)).toEqual(['api', 'web']);
    expect(Array.from(received[0]?.v ?? [])).toEqual([0, 10, 20, 30, 40]);
    expect(Array.from(received[1]?.t ?? [])).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(isStaleNaN(received[1]?.v[1] as number)).toBe(true);
  });
});
