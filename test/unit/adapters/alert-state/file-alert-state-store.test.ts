import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileAlertStateStore,
  fileNameOf,
  STALE_LOCK_MS,
} from '../../../../lambdas/adapters/alert-state/file-alert-state-store';
import { StorageUnavailableError } from '../../../../lambdas/domain/errors';

const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
const KEY = 'rules/ml-serving.yaml;ml-serving-latency';
const STATE = {
  alerts: {
    '9a3f1c2b7d4e5f60': {
      state: 'pending',
      activeAtMs: 1_714_564_800_000,
      labels: { alertname: 'HighP99Latency', model: 'resnet50', severity: 'critical' },
    },
  },
};

describe('Class: FileAlertStateStore', () => {
  let dir: string;
  const store = (lockWaitMs?: number): FileAlertStateStore =>
    new FileAlertStateStore({ directory: dir, now: () => NOW_MS, lockWaitMs });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-alert-state-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns undefined for a key never saved', async () => {
    // Act
    const loaded = await store().load(KEY);

    // Assess
    expect(loaded).toBeUndefined();
  });

  it('saves version 1 from version 0 and a new instance reads it (restart)', async () => {
    // Prepare
    const before = store();

    // Act
    const saved = await before.save(KEY, STATE, 0);
    const after = store();
    const loaded = await after.load(KEY);

    // Assess
    expect(saved).toBe(true);
    expect(loaded).toEqual({ state: STATE, version: 1 });
    expect(JSON.parse(readFileSync(join(dir, fileNameOf(KEY)), 'utf8'))).toEqual({
      key: KEY,
      version: 1,
      updatedAt: '2024-05-01T12:00:00.000Z',
      state: STATE,
    });
  });

  it('creates the directory when missing', async () => {
    // Prepare
    const nested = join(dir, 'data', 'alert-state');

    // Act
    const saved = await new FileAlertStateStore({ directory: nested }).save(KEY, STATE, 0);

    // Assess
    expect(saved).toBe(true);
    expect(readdirSync(nested)).toEqual([fileNameOf(KEY)]);
  });

  it('increments the version on each save and refuses a stale version', async () => {
    // Prepare
    const s = store();
    await s.save(KEY, { n: 1 }, 0);

    // Act
    const second = await s.save(KEY, { n: 2 }, 1);
    const stale = await s.save(KEY, { n: 3 }, 1);
    const fresh = await s.save(KEY, { n: 3 }, 0);

    // Assess
    expect([second, stale, fresh]).toEqual([true, false, false]);
    expect(await s.load(KEY)).toEqual({ state: { n: 2 }, version: 2 });
  });

  it('lets only one of two concurrent saves on the same version win', async () => {
    // Prepare
    const s = store();

    // Act
    const results = await Promise.all([s.save(KEY, { by: 'a' }, 0), s.save(KEY, { by: 'b' }, 0)]);

    // Assess
    expect(results).toEqual([true, false]);
    expect(await s.load(KEY)).toEqual({ state: { by: 'a' }, version: 1 });
  });

  it('re-reads the disk so a second process on the same directory cannot clobber', async () => {
    // Prepare: two instances stand for two processes sharing the directory
    const a = store();
    const b = store();
    await a.save(KEY, { n: 1 }, 0);
    const seenByA = await a.load(KEY);

    // Act
    const byB = await b.save(KEY, { n: 2, by: 'b' }, 1);
    const byA = await a.save(KEY, { n: 2, by: 'a' }, seenByA?.version ?? 0);

    // Assess
    expect([byB, byA]).toEqual([true, false]);
    expect(await a.load(KEY)).toEqual({ state: { n: 2, by: 'b' }, version: 2 });
  });

  it('keeps documents of different keys apart and leaves no temporary or lock files', async () => {
    // Prepare
    const s = store();
    const keys = [
      KEY,
      'rules/ml-serving.yaml;ML-SERVING-LATENCY',
      'rules/ml serving.yaml;ml-serving-latency',
      '../../etc/passwd',
      '..',
      '',
      'dispatcher:{}/{alertname="GpuHot"}',
      'é'.repeat(300),
    ];

    // Act
    for (const [i, key] of keys.entries()) await s.save(key, { i }, 0);

    // Assess
    for (const [i, key] of keys.entries()) {
      expect(await s.load(key)).toEqual({ state: { i }, version: 1 });
    }
    const files = readdirSync(dir);
    expect(files).toHaveLength(keys.length);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(keys.length);
    expect(files.every((f) => /^[A-Za-z0-9_-]{0,80}\.[0-9a-f]{16}\.json$/.test(f))).toBe(true);
  });

  it('throws StorageUnavailableError naming the file when it is corrupt', async () => {
    // Prepare
    const path = join(dir, fileNameOf(KEY));
    writeFileSync(path, '{"key":"rules/ml-serving.yaml;ml-serv');

    // Act
    const error = await store()
      .load(KEY)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toContain(`alert state file ${path} is unreadable`);
  });

  it('refuses a file that holds another key', async () => {
    // Prepare
    writeFileSync(
      join(dir, fileNameOf(KEY)),
      JSON.stringify({ key: 'other', version: 1, updatedAt: '', state: {} }),
    );

    // Act & Assess
    await expect(store().load(KEY)).rejects.toThrow(StorageUnavailableError);
  });

  it('breaks a lock left by a crashed process', async () => {
    // Prepare
    const lock = join(dir, `${fileNameOf(KEY)}.lock`);
    writeFileSync(lock, '12345\n');
    const old = new Date(Date.now() - STALE_LOCK_MS - 60_000);
    utimesSync(lock, old, old);

    // Act
    const saved = await store().save(KEY, STATE, 0);

    // Assess
    expect(saved).toBe(true);
    expect(readdirSync(dir)).toEqual([fileNameOf(KEY)]);
  });

  it('fails with StorageUnavailableError while another process holds the lock', async () => {
    // Prepare
    writeFileSync(join(dir, `${fileNameOf(KEY)}.lock`), '12345\n');

    // Act
    const error = await store(30)
      .save(KEY, STATE, 0)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toContain('is held by another process');
    expect(await store().load(KEY)).toBeUndefined();
  });

  it('rejects a state that is not JSON-serialisable', async () => {
    // Act & Assess
    await expect(store().save(KEY, undefined, 0)).rejects.toThrow(TypeError);
  });
});
