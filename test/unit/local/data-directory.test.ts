import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAlertStateStore } from '../../../lambdas/adapters/alert-state/file-alert-state-store';
import { FileCounterStore } from '../../../lambdas/adapters/counters/file-counter-store';
import { FilePushGroupStore } from '../../../lambdas/adapters/push-groups/file-push-group-store';
import { EmbeddedSeriesStore } from '../../../lambdas/adapters/storage/embedded-series-store';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { counterKey } from '../../../lambdas/domain/logs/ingest-log-events';
import {
  DataDirectoryDamagedError,
  repairDataDirectory,
} from '../../../lambdas/local/data-directory';
import { startLocalVigil } from '../../../lambdas/local/start';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);
const SNAPSHOT_SERIES = 10;
const WAL_SERIES = 4;

/** A data directory as local mode leaves it: a snapshot, a log, counters, alert state, push groups, log files. */
const populate = async (dataDir: string): Promise<void> => {
  const store = new EmbeddedSeriesStore({ dataDir: join(dataDir, 'samples') });
  const series = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      labels: { __name__: 'm', s: `${prefix}${i}` },
      samples: [
        { t: T, v: i },
        { t: T + 60_000, v: i + 0.5 },
      ],
    }));
  await store.write(series('snap', SNAPSHOT_SERIES));
  store.compact();
  await store.write(series('wal', WAL_SERIES));
  store.close();
  await new FileCounterStore({ path: join(dataDir, 'counters.json') }).add([
    { key: counterKey('api', 'INFO'), delta: 3 },
  ]);
  await new FileAlertStateStore({ directory: join(dataDir, 'alerts') }).save(
    'rules/g',
    { a: 1 },
    0,
  );
  const pushGroups = new FilePushGroupStore({ directory: join(dataDir, 'pushgateway') });
  await pushGroups.put({
    key: { job: 'train' },
    metrics: [{ labels: { __name__: 'loss', job: 'train' }, value: 0.5, family: 'loss' }],
    pushTimeMs: T,
    pushFailureTimeMs: 0,
  });
  await pushGroups.compact();
  pushGroups.close();
  const logs = join(dataDir, 'logs', 'api');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(logs, { recursive: true });
  const event = (level: string) =>
    JSON.stringify({
      timestampMs: T,
      level,
      service: 'api',
      message: 'm',
      isPrediction: false,
      fields: {},
    });
  writeFileSync(
    join(logs, '2026-11-25.ndjson'),
    `${[event('INFO'), event('INFO'), event('INFO'), event('ERROR')].join('\n')}\n`,
  );
};

const fileOf = (dataDir: string, which: string): string => {
  if (which === 'alert state') {
    const dir = join(dataDir, 'alerts');
    return join(dir, readdirSync(dir).find((n) => n.endsWith('.json')) as string);
  }
  return join(
    dataDir,
    {
      snapshot: 'samples/samples.snapshot',
      log: 'samples/samples.wal',
      counters: 'counters.json',
      'push groups': 'pushgateway/push-groups.json',
    }[which] as string,
  );
};

type Damage = 'cut in half' | 'zeroed' | 'the wrong shape';

const damage = (file: string, how: Damage, which: string): void => {
  const size = readFileSync(file).length;
  if (how === 'cut in half') truncateSync(file, Math.floor(size / 2));
  else if (how === 'zeroed') {
    const buf = readFileSync(file);
    buf.fill(0, Math.floor(size / 3), Math.floor((2 * size) / 3));
    writeFileSync(file, buf);
  } else {
    const wrong: Record<string, string> = {
      snapshot: readFileSync(file, 'utf8').replace(
        /\{"l":\{"__name__":"m","s":"snap3"\}/,
        '{"l":["m"]',
      ),
      log: readFileSync(file, 'utf8').replace(/"s":\[\[/, '"s":[["now",'),
      counters: '{"counters":{"x":"three"}}\n',
      'alert state': '{"key":"rules/g","version":"1"}\n',
      'push groups': '{"version":1,"groups":{}}\n',
    };
    writeFileSync(file, wrong[which] as string);
  }
};

const start = (dataDir: string) =>
  startLocalVigil({
    config: validateConfig({ logLevel: 'ERROR' }).config,
    dataDir,
    apiKeys: [],
    port: 0,
    host: '127.0.0.1',
  });

const seriesIn = (dataDir: string): number => {
  const store = new EmbeddedSeriesStore({ dataDir: join(dataDir, 'samples') });
  const n = store.seriesCount;
  store.close();
  return n;
};

describe('Feature: a damaged data directory', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-data-'));
    await populate(dataDir);
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an intact directory with every series', async () => {
    // Act
    const vigil = await start(dataDir);
    await vigil.close();

    // Assess
    expect(seriesIn(dataDir)).toBe(SNAPSHOT_SERIES + WAL_SERIES);
  });

  const cases: [string, Damage][] = [];
  for (const which of ['snapshot', 'log', 'counters', 'alert state', 'push groups'])
    for (const how of ['cut in half', 'zeroed', 'the wrong shape'] as const)
      if (!(which === 'log' && how === 'cut in half')) cases.push([which, how]);

  it.each(cases)(
    'refuses to start when the %s file is %s, naming the file, the byte and the way out; vigil repair then lets it start',
    async (which, how) => {
      // Prepare
      const file = fileOf(dataDir, which);
      damage(file, how, which);

      // Act
      const refused = await start(dataDir).then(
        async (v) => {
          await v.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      const repaired = await repairDataDirectory(dataDir, 'test');
      const vigil = await start(dataDir);
      await vigil.close();

      // Assess
      expect(refused).toBeInstanceOf(DataDirectoryDamagedError);
      const message = (refused as Error).message;
      expect(message).toContain(`${file} is damaged at byte `);
      expect(message).toMatch(/damaged at byte \d+: \S/);
      expect(message).toContain(`npx vigil repair --data-dir ${dataDir}`);
      expect(repaired).toHaveLength(1);
      expect(repaired[0]).toContain(file);
      expect(existsSync(`${file}.damaged-test`)).toBe(true);
    },
  );

  it('keeps the intact snapshot records and the whole log when the snapshot is cut in half', async () => {
    // Prepare
    damage(fileOf(dataDir, 'snapshot'), 'cut in half', 'snapshot');

    // Act
    const repaired = await repairDataDirectory(dataDir, 'test');

    // Assess
    const kept = Number(/kept (\d+) intact records/.exec(repaired[0] ?? '')?.[1]);
    expect(kept).toBeGreaterThanOrEqual(SNAPSHOT_SERIES / 2 - 1);
    expect(kept).toBeLessThan(SNAPSHOT_SERIES);
    expect(seriesIn(dataDir)).toBe(kept + WAL_SERIES);
  });

  it('starts after a crash tore the last log record, without that record', async () => {
    // Prepare: a write cut mid-record is never acknowledged
    const wal = fileOf(dataDir, 'log');
    truncateSync(wal, readFileSync(wal).length - 5);

    // Act
    const vigil = await start(dataDir);
    await vigil.close();

    // Assess
    expect(seriesIn(dataDir)).toBe(SNAPSHOT_SERIES + WAL_SERIES - 1);
  });

  it('rebuilds damaged counters from the log files they count', async () => {
    // Prepare
    const counters = fileOf(dataDir, 'counters');
    damage(counters, 'cut in half', 'counters');

    // Act
    await repairDataDirectory(dataDir, 'test');

    // Assess
    expect(JSON.parse(readFileSync(counters, 'utf8'))).toEqual({
      counters: { [counterKey('api', 'INFO')]: 3, [counterKey('api', 'ERROR')]: 1 },
    });
  });
});
