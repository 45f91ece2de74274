import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lambdas/domain/config/validate';
import { validateDriftConfig } from '../../../lambdas/domain/drift/drift-config';
import { loadDriftBaselines } from '../../../lambdas/shared/drift-baselines';

const driftWith = (baseline: string, fields = ['confidence', 'beard']) => {
  const { config, issues } = validateDriftConfig({
    monitors: [
      {
        name: 'faces',
        source: { events: { model: 'faces', fields } },
        reference: { baseline },
        schedule: { every: '1h' },
      },
      {
        name: 'rolling',
        source: { events: { model: 'faces', fields } },
        reference: { window: '1d' },
        schedule: { every: '1h' },
      },
    ],
  });
  expect(issues).toEqual([]);
  return config;
};

describe('Function: loadDriftBaselines', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-baselines-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads each baseline relative to the config directory, with its text and table', () => {
    // Prepare
    writeFileSync(join(dir, 'faces.csv'), 'confidence,beard,other\n0.5,no,1\n0.75,yes,2\n');

    // Act
    const loaded = loadDriftBaselines(driftWith('faces.csv'), dir);

    // Assess
    expect([...loaded.keys()]).toEqual(['faces']);
    expect(loaded.get('faces')?.path).toBe(join(dir, 'faces.csv'));
    expect(loaded.get('faces')?.table.values.confidence).toEqual([0.5, 0.75]);
  });

  it('names the monitor and the missing columns', () => {
    // Prepare
    writeFileSync(join(dir, 'faces.csv'), 'confidence\n0.5\n');

    // Act
    const load = () => loadDriftBaselines(driftWith('faces.csv'), dir);

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      `drift.monitors[0].reference.baseline: ${join(dir, 'faces.csv')} has no column "beard" (header: confidence)`,
    );
  });

  it('names a CSV that does not parse', () => {
    // Prepare
    writeFileSync(join(dir, 'faces.csv'), '');

    // Act
    const load = () => loadDriftBaselines(driftWith('faces.csv'), dir);

    // Assess
    expect(load).toThrow(/drift\.monitors\[0\]\.reference\.baseline: .*faces\.csv: /);
  });
});
