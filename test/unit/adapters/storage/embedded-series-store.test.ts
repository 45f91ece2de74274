import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedSeriesStore } from '../../../../lambdas/adapters/storage/embedded-series-store';
import { DataFileDamagedError } from '../../../../lambdas/adapters/files/data-file-damaged-error';
import { seriesKey } from '../../../../lambdas/domain/series/labels';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN, type Series, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const T0 = 1_764_086_400_000;
const ALL = { startMs: 0, endMs: Number.MAX_SAFE_INTEGER };
const byName = (name: string) => [{ name: '__name__', op: MatchOp.Equal, value: name }];

describe('Class: EmbeddedSeriesStore', () => {
  let dir: string;
  const open: EmbeddedSeriesStore[] = [];
  const openStore = () => {
    const s = new EmbeddedSeriesStore({ dataDir: dir });
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-embedded-'));
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const special = {
    labels: { __name__: 'odd', job: 'a' },
    samples: [
      { t: T0, v: Number.NaN },
      { t: T0 + 1, v: Number.POSITIVE_INFINITY },
      { t: T0 + 2, v: Number.NEGATIVE_INFINITY },
      { t: T0 + 3, v: STALE_NAN },
      { t: T0 + 4, v: -0.5 },
    ],
  };

  it('returns identical select results after close and reopen, special values included', async () => {
    // Prepare
    const first = openStore();
    await first.write([
      special,
      { labels: { __name__: 'up', job: 'b' }, samples: [{ t: T0, v: 1 }] },
    ]);
    const before = await first.select([], ALL);
    first.close();

    // Act
    const after = await openStore().select([], ALL);

    // Assess
    expect(after).toEqual(before);
    const odd = after.find((s) => s.labels.__name__ === 'odd');
    expect(Number.isNaN(odd?.samples[0]?.v)).toBe(true);
    expect(isStaleNaN(odd?.samples[0]?.v as number)).toBe(false);
    expect(isStaleNaN(odd?.samples[3]?.v as number)).toBe(true);
    expect(odd?.samples.slice(1, 3).map((s) => s.v)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it('sorts out-of-order inserts and lets the last write win on the same timestamp', async () => {
    // Prepare
    const store = openStore();

    // Act
    await store.write([
      {
        labels: { __name__: 'x' },
        samples: [
          { t: T0 + 20, v: 2 },
          { t: T0 + 10, v: 1 },
        ],
      },
    ]);
    await store.write([
      {
        labels: { __name__: 'x' },
        samples: [
          { t: T0 + 15, v: 1.5 },
          { t: T0 + 20, v: 9 },
        ],
      },
    ]);
    store.close();
    const reopened = openStore();

    // Assess
    expect((await reopened.select(byName('x'), ALL))[0]?.samples).toEqual([
      { t: T0 + 10, v: 1 },
      { t: T0 + 15, v: 1.5 },
      { t: T0 + 20, v: 9 },
    ]);
  });

  it('ignores a torn last log line on reopen and keeps accepting writes after it', async () => {
    // Prepare
    const first = openStore();
    await first.write([{ labels: { __name__: 'x' }, samples: [{ t: T0, v: 1 }] }]);
    first.close();
    appendFileSync(join(dir, 'samples.wal'), '{"l":{"__name__":"x"},"s":[[17640');

    // Act
    const second = openStore();
    const afterCrash = await second.select(byName('x'), ALL);
    await second.write([{ labels: { __name__: 'x' }, samples: [{ t: T0 + 1, v: 2 }] }]);
    second.close();
    const third = openStore();

    // Assess
    expect(afterCrash[0]?.samples).toEqual([{ t: T0, v: 1 }]);
    expect((await third.select(byName('x'), ALL))[0]?.samples).toEqual([
      { t: T0, v: 1 },
      { t: T0 + 1, v: 2 },
    ]);
  });

  it('has every acknowledged write of a burst in a store opened without closing the first', async () => {
    // Prepare: 30 requests in flight at once, as concurrent remote_write shards send them; they
    // share log writes and syncs.
    const store = openStore();
    const writes = Array.from({ length: 30 }, (_, i): Series[] => [
      { labels: { __name__: 'burst', shard: String(i % 4) }, samples: [{ t: T0 + i, v: i }] },
      { labels: { __name__: 'burst_other', req: String(i) }, samples: [{ t: T0, v: -i }] },
    ]);
    const inLogWhenAcknowledged: boolean[] = [];

    // Act: the store is never closed, like a process that crashed right after answering.
    await Promise.all(
      writes.map((w, i) =>
        store.write(w).then(() => {
          inLogWhenAcknowledged[i] = readFileSync(join(dir, 'samples.wal'), 'utf8').includes(
            `"l":{"__name__":"burst_other","req":"${i}"},"s":[[${T0},${-i}]]}`,
          );
        }),
      ),
    );
    const afterCrash = new EmbeddedSeriesStore({ dataDir: dir });
    open.push(afterCrash);

    // Assess
    expect(inLogWhenAcknowledged).toEqual(writes.map(() => true));
    const shards = await afterCrash.select(byName('burst'), ALL);
    expect(shards.flatMap((s) => s.samples.map((x) => x.v)).sort((a, b) => a - b)).toEqual(
      writes.map((_, i) => i),
    );
    expect(await afterCrash.select(byName('burst_other'), ALL)).toHaveLength(30);
  });

  it('names the labels of a series in its first log record only; later records refer to it by number', async () => {
    // Prepare
    const store = openStore();
    const x = { __name__: 'x', job: 'api', instance: 'host-1:9100' };

    // Act
    await store.write([{ labels: x, samples: [{ t: T0, v: 1 }] }]);
    await store.write([
      { labels: x, samples: [{ t: T0 + 1, v: 2 }] },
      { labels: { __name__: 'y' }, samples: [{ t: T0, v: 3 }] },
    ]);
    const lines = readFileSync(join(dir, 'samples.wal'), 'utf8').trimEnd().split('\n');
    const reopened = new EmbeddedSeriesStore({ dataDir: dir });
    open.push(reopened);

    // Assess
    expect(lines).toEqual([
      `{"r":0,"l":${JSON.stringify(x)},"s":[[${T0},1]]}`,
      `{"r":0,"s":[[${T0 + 1},2]]}`,
      `{"r":1,"l":{"__name__":"y"},"s":[[${T0},3]]}`,
    ]);
    expect(await reopened.select([], ALL)).toEqual(await store.select([], ALL));
  });

  it('reads a log in which a later process numbered other series with the same numbers', async () => {
    // Prepare: an earlier process's records, then this process's (its own numbering).
    writeFileSync(
      join(dir, 'samples.wal'),
      [
        `{"r":1,"l":{"__name__":"old"},"s":[[${T0},1]]}`,
        `{"r":1,"s":[[${T0 + 1},2]]}`,
        `{"l":{"__name__":"legacy"},"s":[[${T0},7]]}`,
        '',
      ].join('\n'),
    );
    const second = openStore();
    await second.write([{ labels: { __name__: 'new' }, samples: [{ t: T0, v: 5 }] }]);
    await second.write([{ labels: { __name__: 'new' }, samples: [{ t: T0 + 1, v: 6 }] }]);
    await second.write([{ labels: { __name__: 'old' }, samples: [{ t: T0 + 2, v: 3 }] }]);

    // Act
    const third = new EmbeddedSeriesStore({ dataDir: dir });
    open.push(third);

    // Assess
    const values = async (name: string) =>
      (await third.select(byName(name), ALL))[0]?.samples.map((x) => x.v);
    expect(await values('old')).toEqual([1, 2, 3]);
    expect(await values('new')).toEqual([5, 6]);
    expect(await values('legacy')).toEqual([7]);
  });

  it('refuses to start on a log record that refers to a series before the record defining it', () => {
    // Prepare
    writeFileSync(
      join(dir, 'samples.wal'),
      `{"r":0,"l":{"__name__":"a"},"s":[[${T0},1]]}\n{"r":3,"s":[[${T0},1]]}\n`,
    );

    // Act / Assess
    expect(() => openStore()).toThrow(DataFileDamagedError);
    expect(() => openStore()).toThrow(
      /samples\.wal is damaged at byte 53: series reference 3 comes before the record that defines it/,
    );
  });

  it('keeps every acknowledged write when compact() runs while writes are queued', async () => {
    // Prepare: writes in flight and queued behind them when the log is folded.
    const store = openStore();
    const write = (i: number) =>
      store.write([
        { labels: { __name__: 'burst', shard: String(i % 4) }, samples: [{ t: T0 + i, v: i }] },
      ]);
    const before = Array.from({ length: 20 }, (_, i) => write(i));

    // Act
    store.compact();
    const after = Array.from({ length: 20 }, (_, i) => write(20 + i));
    await Promise.all([...before, ...after]);
    const afterCrash = new EmbeddedSeriesStore({ dataDir: dir });
    open.push(afterCrash);

    // Assess: each shard's first record after the fold names its labels again.
    const log = readFileSync(join(dir, 'samples.wal'), 'utf8').trimEnd().split('\n');
    expect(log.filter((l) => l.includes('"l":'))).toHaveLength(4);
    const shards = await afterCrash.select(byName('burst'), ALL);
    expect(shards.flatMap((x) => x.samples.map((p) => p.v)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  });

  it('keeps everything through compact() and reopen, and empties the log', async () => {
    // Prepare
    const store = openStore();
    await store.write([special]);
    const before = await store.select([], ALL);

    // Act
    store.compact();
    await store.write([{ labels: { __name__: 'y' }, samples: [{ t: T0, v: 3 }] }]);
    store.close();
    const reopened = openStore();

    // Assess
    expect(readFileSync(join(dir, 'samples.wal'), 'utf8').split('\n')).toHaveLength(2);
    expect(await reopened.select(byName('odd'), ALL)).toEqual(before);
    expect(await reopened.select(byName('y'), ALL)).toHaveLength(1);
    expect(
      isStaleNaN((await reopened.select(byName('odd'), ALL))[0]?.samples[3]?.v as number),
    ).toBe(true);
  });

  describe('Method: admit', () => {
    it('refuses new series past the per-metric limit, always passing known series', async () => {
      // Prepare
      const store = openStore();
      const labels = (m: string) => ({ __name__: 'acc', model: m });
      await store.write([{ labels: labels('a'), samples: [{ t: T0, v: 1 }] }]);
      const req = (m: string) => ({ metric: 'acc', key: seriesKey(labels(m)) });

      // Act
      const refused = await store.admit([req('a'), req('b'), req('b'), req('c'), req('d')], 2);

      // Assess
      expect([...refused].sort()).toEqual([seriesKey(labels('c')), seriesKey(labels('d'))].sort());
      expect(await store.admit([{ metric: 'other', key: 'k' }], 2)).toEqual(new Set());
    });
  });

  describe('Method: admitNames', () => {
    it('counts the label and metric names of stored series, after a restart too, and refuses new ones past the budget', async () => {
      // Prepare
      const first = openStore();
      await first.write([
        { labels: { __name__: 'up', job: 'api', instance: 'a' }, samples: [{ t: T0, v: 1 }] },
      ]);
      first.close();
      const store = openStore();
      const budget = { dimensions: 3, measures: 2 };

      // Act
      const known = await store.admitNames(
        [{ measure: 'up', dimensions: ['instance', 'job'] }],
        budget,
      );
      const refused = await store.admitNames(
        [
          { measure: 'loss', dimensions: ['job', 'model', 'run'] },
          { measure: 'acc', dimensions: ['job', 'model'] },
          { measure: 'f1', dimensions: ['job'] },
          { measure: 'acc', dimensions: ['pod'] },
        ],
        budget,
      );

      // Assess
      expect(known).toEqual(new Map());
      expect(refused).toEqual(
        new Map([
          [0, { dimensions: ['model', 'run'] }],
          [2, { measure: 'f1', dimensions: [] }],
          [3, { dimensions: ['pod'] }],
        ]),
      );
    });

    it('counts names written straight to the store (alert and recording rule outputs)', async () => {
      // Prepare
      const store = openStore();
      await store.write([
        {
          labels: { __name__: 'ALERTS', alertname: 'Down', alertstate: 'firing' },
          samples: [{ t: T0, v: 1 }],
        },
      ]);

      // Act
      const refused = await store.admitNames([{ measure: 'up', dimensions: ['job'] }], {
        dimensions: 2,
        measures: 1,
      });

      // Assess
      expect(refused).toEqual(new Map([[0, { measure: 'up', dimensions: ['job'] }]]));
    });
  });

  describe('Methods: select, series, labelNames, labelValues', () => {
    const load = async () => {
      const store = openStore();
      await store.write([
        {
          labels: { __name__: 'http_requests_total', code: '200', job: 'api' },
          samples: [
            { t: T0, v: 1 },
            { t: T0 + 60_000, v: 2 },
          ],
        },
        {
          labels: { __name__: 'http_requests_total', code: '500', job: 'api' },
          samples: [{ t: T0 + 120_000, v: 1 }],
        },
        { labels: { __name__: 'up', job: 'web' }, samples: [{ t: T0, v: 1 }] },
      ]);
      return store;
    };

    it('select applies matchers and the closed time range', async () => {
      // Prepare
      const store = await load();

      // Act
      const out = await store.select(
        [...byName('http_requests_total'), { name: 'code', op: MatchOp.RegexMatch, value: '2..' }],
        { startMs: T0 + 60_000, endMs: T0 + 60_000 },
      );

      // Assess
      expect(out).toEqual([
        {
          labels: { __name__: 'http_requests_total', code: '200', job: 'api' },
          samples: [{ t: T0 + 60_000, v: 2 }],
        },
      ]);
    });

    it('series returns series with samples in the range, over any matcher set', async () => {
      // Prepare
      const store = await load();

      // Act
      const out = await store.series(
        [byName('up'), [{ name: 'code', op: MatchOp.Equal, value: '500' }]],
        { startMs: T0 + 100_000, endMs: T0 + 200_000 },
      );

      // Assess
      expect(out).toEqual([{ __name__: 'http_requests_total', code: '500', job: 'api' }]);
    });

    it('labelNames and labelValues are sorted and filtered', async () => {
      // Prepare
      const store = await load();

      // Act & Assess
      expect(await store.labelNames([], ALL)).toEqual(['__name__', 'code', 'job']);
      expect(await store.labelNames([byName('up')], ALL)).toEqual(['__name__', 'job']);
      expect(await store.labelValues('job', [], ALL)).toEqual(['api', 'web']);
      expect(await store.labelValues('code', [], { startMs: T0, endMs: T0 })).toEqual(['200']);
      expect(
        await store.labelValues(
          'job',
          [[{ name: 'job', op: MatchOp.NotEqual, value: 'api' }]],
          ALL,
        ),
      ).toEqual(['web']);
    });
  });
});
