import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLogStore } from '../../../../lambdas/adapters/logs/file-log-store';
import { logEvent, NOW_MS } from './log-event-fixture';

let dir: string;
const DAY_MS = 86_400_000;
const ALL = { startMs: 0, endMs: NOW_MS + DAY_MS };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Class: FileLogStore', () => {
  it('gives back exactly the events it stored', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    const events = [
      logEvent(NOW_MS - 1000, {
        level: 'error',
        request_id: 'req-1',
        message: 'boom',
        context: { confidence: 0.4 },
      }),
      logEvent(
        NOW_MS,
        { message: 'ok' },
        { traceId: 't'.repeat(32), spanId: 's1', isPrediction: true },
      ),
    ];

    // Act
    const result = await store.put(events);
    const back = await new FileLogStore({ dir }).query({ range: ALL });

    // Assess
    expect(result).toEqual({ accepted: 2, rejected: [] });
    expect(back).toEqual(events);
  });

  it('writes one NDJSON file per service and UTC day of the event', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    const midnight = Date.UTC(2026, 10, 25);

    // Act
    await store.put([
      logEvent(midnight - 1, { message: 'late' }),
      logEvent(midnight, { message: 'early' }),
      logEvent(midnight, { service: 'ranker' }),
    ]);

    // Assess
    expect(readdirSync(dir).sort()).toEqual(['fraud-api', 'ranker']);
    expect(readdirSync(join(dir, 'fraud-api')).sort()).toEqual([
      '2026-11-24.ndjson',
      '2026-11-25.ndjson',
    ]);
    const line = JSON.parse(readFileSync(join(dir, 'fraud-api', '2026-11-24.ndjson'), 'utf8'));
    expect(line).toEqual({
      timestampMs: midnight - 1,
      level: 'INFO',
      service: 'fraud-api',
      message: 'late',
      isPrediction: false,
      fields: { service: 'fraud-api', level: 'INFO', message: 'late' },
    });
  });

  it('queries a range, reading only the days it covers', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    await store.put([logEvent(NOW_MS - 2 * DAY_MS), logEvent(NOW_MS - 60_000), logEvent(NOW_MS)]);
    // A day file outside the range that is not even valid: never read.
    writeFileSync(join(dir, 'fraud-api', '2020-01-01.ndjson'), '{"timestampMs": broken');

    // Act
    const got = await store.query({ range: { startMs: NOW_MS - 120_000, endMs: NOW_MS - 1 } });

    // Assess
    expect(got.map((e) => e.timestampMs)).toEqual([NOW_MS - 60_000]);
  });

  it('filters by service, correlation id (correlation, request or trace id) and level', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    await store.put([
      logEvent(NOW_MS - 3, { level: 'warning', request_id: 'req-1' }, { level: 'WARN' }),
      logEvent(NOW_MS - 2, { level: 'error', request_id: 'req-1' }),
      logEvent(NOW_MS - 1, { level: 'error' }, { traceId: 'req-1' }),
      logEvent(NOW_MS, { service: 'ranker', level: 'error', request_id: 'req-1' }),
    ]);

    // Act
    const byCorrelation = await store.query({
      service: 'fraud-api',
      correlationId: 'req-1',
      range: ALL,
    });
    const warnings = await store.query({ level: 'warning', range: ALL });
    const errors = await store.query({ level: 'ERROR', correlationId: 'req-1', range: ALL });

    // Assess
    expect(byCorrelation.map((e) => e.timestampMs)).toEqual([NOW_MS - 3, NOW_MS - 2, NOW_MS - 1]);
    expect(warnings.map((e) => e.timestampMs)).toEqual([NOW_MS - 3]);
    expect(errors.map((e) => e.timestampMs)).toEqual([NOW_MS - 2, NOW_MS - 1, NOW_MS]);
  });

  it('returns the newest events when more than the limit match, oldest first', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    await store.put([0, 1, 2, 3].map((i) => logEvent(NOW_MS + i)));

    // Act
    const got = await store.query({ range: ALL, limit: 2 });

    // Assess
    expect(got.map((e) => e.timestampMs)).toEqual([NOW_MS + 2, NOW_MS + 3]);
  });

  it('keeps service names inside its directory', async () => {
    // Prepare
    const store = new FileLogStore({ dir });

    // Act
    await store.put([
      logEvent(NOW_MS, { service: '../../etc' }),
      logEvent(NOW_MS, { service: '..' }),
      logEvent(NOW_MS, { service: 'a/b' }),
      logEvent(NOW_MS, { service: 'a_b' }),
    ]);
    const aSlashB = await store.query({ service: 'a/b', range: ALL });

    // Assess
    expect(readdirSync(dir).sort()).toEqual(['_..', '_.._.._etc', 'a_b']);
    expect(aSlashB.map((e) => e.service)).toEqual(['a/b']);
  });

  it('skips a torn last line left by a crash', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    await store.put([logEvent(NOW_MS)]);
    appendFileSync(join(dir, 'fraud-api', '2026-11-25.ndjson'), '{"timestampMs":17');

    // Act
    const got = await store.query({ range: ALL });

    // Assess
    expect(got).toHaveLength(1);
  });

  it('serializes concurrent appends to one file', async () => {
    // Prepare
    const store = new FileLogStore({ dir });
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) =>
        logEvent(NOW_MS, { message: `b${b}-${i}-${'x'.repeat(500)}` }),
      ),
    );

    // Act
    await Promise.all(batches.map((events) => store.put(events)));
    const lines = readFileSync(join(dir, 'fraud-api', '2026-11-25.ndjson'), 'utf8')
      .trimEnd()
      .split('\n');

    // Assess
    expect(lines).toHaveLength(1000);
    expect(lines.every((l) => JSON.parse(l).service === 'fraud-api')).toBe(true);
  });
});
