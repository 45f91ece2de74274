import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  FilePushGroupStore,
  PUSH_GROUPS_FILE,
  PUSH_GROUPS_LOG,
} from '../../../../lambdas/adapters/push-groups/file-push-group-store';
import { DataFileDamagedError } from '../../../../lambdas/adapters/files/data-file-damaged-error';
import {
  decodeValue,
  encodeValue,
  PushGroupDecodeError,
} from '../../../../lambdas/adapters/push-groups/push-group-codec';
import type { PushGroup } from '../../../../lambdas/domain/ports';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const group = (job: string, value: number, pushTimeMs = 1_700_000_000_000): PushGroup => ({
  key: { job },
  metrics: [{ labels: { __name__: 'loss', job }, value, family: 'loss' }],
  pushTimeMs,
  pushFailureTimeMs: 0,
});

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-push-groups-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Class: FilePushGroupStore', () => {
  it('keeps groups across a restart, NaN and infinities included', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', Number.NaN));
    await store.put(group('b', Number.POSITIVE_INFINITY));
    await store.put(group('c', Number.NEGATIVE_INFINITY));
    await store.put({
      ...group('d', 0),
      metrics: [{ labels: { __name__: 'x' }, value: STALE_NAN, family: 'x' }],
    });

    // Act
    const reopened = new FilePushGroupStore({ directory: dir });

    // Assess
    expect(await reopened.get({ job: 'a' })).toEqual(group('a', Number.NaN));
    expect(await reopened.get({ job: 'b' })).toEqual(group('b', Number.POSITIVE_INFINITY));
    expect(await reopened.get({ job: 'c' })).toEqual(group('c', Number.NEGATIVE_INFINITY));
    expect(isStaleNaN((await reopened.get({ job: 'd' }))?.metrics[0]?.value ?? 0)).toBe(true);
    expect((await reopened.list()).map((g) => g.key.job).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('replaces a group under the same canonical key', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', 1));

    // Act
    await store.put({ ...group('a', 2), key: { job: 'a', empty: '' } });

    // Assess
    const reopened = new FilePushGroupStore({ directory: dir });
    expect(await reopened.list()).toHaveLength(1);
    expect((await reopened.get({ job: 'a' }))?.metrics[0]?.value).toBe(2);
  });

  it('deletes a group durably', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', 1));
    await store.put(group('b', 1));

    // Act
    await store.delete({ job: 'a' });
    await store.delete({ job: 'unknown' });

    // Assess
    const reopened = new FilePushGroupStore({ directory: dir });
    expect(await reopened.get({ job: 'a' })).toBeUndefined();
    expect((await reopened.list()).map((g) => g.key.job)).toEqual(['b']);
  });

  it('keeps the last of concurrent writes and leaves no temporary file', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });

    // Act
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(group(`j${i}`, i))));

    // Assess
    expect(readdirSync(dir)).toEqual([PUSH_GROUPS_LOG]);
    const reopened = new FilePushGroupStore({ directory: dir });
    expect(await reopened.list()).toHaveLength(20);
  });

  it('appends only the pushed group to the log, however many groups it holds', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    for (let i = 0; i < 200; i++) await store.put(group(`j${i}`, i));
    await store.compact();
    const snapshot = readFileSync(join(dir, PUSH_GROUPS_FILE), 'utf8');

    // Act
    await store.put(group('j7', 70));

    // Assess
    expect(readFileSync(join(dir, PUSH_GROUPS_LOG), 'utf8')).toBe(
      '{"put":{"key":{"job":"j7"},"metrics":[[{"__name__":"loss","job":"j7"},"70","loss"]],"pushTimeMs":1700000000000,"pushFailureTimeMs":0}}\n',
    );
    expect(readFileSync(join(dir, PUSH_GROUPS_FILE), 'utf8')).toBe(snapshot);
  });

  it('folds the log into the snapshot once the log outgrows it, losing nothing', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    const big = (job: string, v: number): PushGroup => ({
      ...group(job, v),
      metrics: Array.from({ length: 500 }, (_, i) => ({
        labels: { __name__: 'loss', job, shard: `s${i}` },
        value: v,
        family: 'loss',
      })),
    });

    // Act
    for (let round = 0; round < 40; round++)
      for (const job of ['a', 'b', 'c']) await store.put(big(job, round));

    // Assess
    expect(statSync(join(dir, PUSH_GROUPS_LOG)).size).toBeLessThan(2 * 1024 * 1024);
    expect(statSync(join(dir, PUSH_GROUPS_FILE)).size).toBeGreaterThan(0);
    const reopened = new FilePushGroupStore({ directory: dir });
    for (const job of ['a', 'b', 'c'])
      expect((await reopened.get({ job }))?.metrics[499]?.value).toBe(39);
  });

  it('keeps the groups of the snapshot and of the log across a restart', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', 1));
    await store.put(group('b', 1));
    await store.compact();
    await store.put(group('a', 2));
    await store.delete({ job: 'b' });
    await store.put(group('c', 3));
    store.close();

    // Act
    const reopened = new FilePushGroupStore({ directory: dir });

    // Assess
    expect((await reopened.list()).map((g) => [g.key.job, g.metrics[0]?.value])).toEqual([
      ['a', 2],
      ['c', 3],
    ]);
  });

  it('ignores a torn last log line, which was never acknowledged', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', 1));
    store.close();
    appendFileSync(join(dir, PUSH_GROUPS_LOG), '{"put":{"key":{"job":"b"},"met');

    // Act
    const reopened = new FilePushGroupStore({ directory: dir });
    await reopened.put(group('c', 3));

    // Assess
    const again = new FilePushGroupStore({ directory: dir });
    expect((await again.list()).map((g) => g.key.job)).toEqual(['a', 'c']);
  });

  it('refuses a log holding a line it did not write, naming the log', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });
    await store.put(group('a', 1));
    store.close();
    appendFileSync(join(dir, PUSH_GROUPS_LOG), '{"replace":1}\n');

    // Act & Assess
    expect(() => new FilePushGroupStore({ directory: dir })).toThrow(
      `${join(dir, PUSH_GROUPS_LOG)} is damaged at byte 132`,
    );
  });

  it('starts empty in a new directory, creating it', async () => {
    // Prepare
    const nested = join(dir, 'data', 'vigil');

    // Act
    const store = new FilePushGroupStore({ directory: nested });

    // Assess
    expect(await store.list()).toEqual([]);
  });

  it('writes values as strings in a versioned document', async () => {
    // Prepare
    const store = new FilePushGroupStore({ directory: dir });

    // Act
    await store.put(group('a', Number.NaN, 5));
    await store.compact();

    // Assess
    expect(readFileSync(join(dir, PUSH_GROUPS_LOG), 'utf8')).toBe('');
    expect(readFileSync(join(dir, PUSH_GROUPS_FILE), 'utf8')).toBe(
      '{"version":1,"groups":[{"key":{"job":"a"},"metrics":[[{"__name__":"loss","job":"a"},"NaN","loss"]],"pushTimeMs":5,"pushFailureTimeMs":0}]}',
    );
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['an unknown version', '{"version":2,"groups":[]}'],
    [
      'a bad value',
      '{"version":1,"groups":[{"key":{"job":"a"},"metrics":[[{},"1.2.3","x"]],"pushTimeMs":1,"pushFailureTimeMs":0}]}',
    ],
    ['a missing time', '{"version":1,"groups":[{"key":{"job":"a"},"metrics":[]}]}'],
  ])('refuses a file holding %s, naming the file', (_title, content) => {
    // Prepare
    writeFileSync(join(dir, PUSH_GROUPS_FILE), content);

    // Act & Assess
    expect(() => new FilePushGroupStore({ directory: dir })).toThrow(DataFileDamagedError);
    expect(() => new FilePushGroupStore({ directory: dir })).toThrow(join(dir, PUSH_GROUPS_FILE));
  });
});

describe('Function: decodeValue', () => {
  it('round-trips every float64 through encodeValue', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        // Act
        const back = decodeValue(encodeValue(v));

        // Assess
        expect(Object.is(back, v) || (Number.isNaN(back) && Number.isNaN(v))).toBe(true);
      }),
    );
  });

  it('throws only PushGroupDecodeError on anything it did not write', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        // Act
        try {
          const v = decodeValue(s);

          // Assess
          expect(typeof v).toBe('number');
        } catch (error) {
          expect(error).toBeInstanceOf(PushGroupDecodeError);
        }
      }),
    );
  });
});
