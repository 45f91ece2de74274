import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEventStore } from '../../../../lambdas/adapters/events/file-event-store';
import type { PredictionRecord } from '../../../../lambdas/domain/ports';

let dir: string;
const MIDNIGHT = Date.UTC(2026, 10, 25);

const prediction = (
  timestampMs: number,
  extra: Partial<PredictionRecord> = {},
): PredictionRecord => ({
  timestampMs,
  service: 'fraud-api',
  model: 'xgb',
  modelVersion: 'v1.4.0',
  measures: { confidence: 0.9, prediction: 'fraud' },
  ...extra,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-events-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Class: FileEventStore', () => {
  it('stores records in one NDJSON file per UTC day and reads them back by time', async () => {
    // Prepare
    const store = new FileEventStore({ dir });
    const records = [prediction(MIDNIGHT + 5), prediction(MIDNIGHT - 5), prediction(MIDNIGHT)];

    // Act
    const result = await store.write(records);
    const back = await new FileEventStore({ dir }).query({
      fields: ['confidence', 'prediction'],
      range: { startMs: MIDNIGHT - 60_000, endMs: MIDNIGHT + 60_000 },
    });

    // Assess
    expect(result).toEqual({ accepted: 3, rejected: [] });
    expect(readdirSync(dir).sort()).toEqual(['2026-11-24.ndjson', '2026-11-25.ndjson']);
    expect(back).toEqual([records[1], records[2], records[0]]);
  });

  it('filters by range and dimensions and keeps only the asked fields', async () => {
    // Prepare
    const store = new FileEventStore({ dir });
    await store.write([
      prediction(MIDNIGHT + 1),
      prediction(MIDNIGHT + 2, { modelVersion: 'v2.0.0' }),
      prediction(MIDNIGHT + 3, { model: 'lgbm' }),
      prediction(MIDNIGHT + 4, { service: 'ranker' }),
      prediction(MIDNIGHT + 10_000),
    ]);

    // Act
    const got = await store.query({
      service: 'fraud-api',
      model: 'xgb',
      fields: ['confidence'],
      range: { startMs: MIDNIGHT, endMs: MIDNIGHT + 9_999 },
    });

    // Assess
    expect(got).toEqual([
      { ...prediction(MIDNIGHT + 1), measures: { confidence: 0.9 } },
      { ...prediction(MIDNIGHT + 2, { modelVersion: 'v2.0.0' }), measures: { confidence: 0.9 } },
    ]);
  });

  it('refuses a measure JSON cannot hold, by index', async () => {
    // Prepare
    const store = new FileEventStore({ dir });

    // Act
    const result = await store.write([
      prediction(MIDNIGHT),
      prediction(MIDNIGHT, { measures: { confidence: Number.POSITIVE_INFINITY } }),
    ]);

    // Assess
    expect(result).toEqual({
      accepted: 1,
      rejected: [{ index: 1, reason: "measure 'confidence' is Infinity: not a finite number" }],
    });
  });
});
