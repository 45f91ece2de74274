import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineCsv, runDriftBaseline } from '../../../bin/commands/drift-baseline';
import { FileEventStore } from '../../../lambdas/adapters/events/file-event-store';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { parseCsvTable } from '../../../lambdas/domain/drift/index';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const DAY = 86_400_000;

const config = validateConfig({
  drift: {
    monitors: [
      {
        name: 'faces',
        source: { events: { model: 'faces', fields: ['confidence', 'beard'] } },
        reference: { baseline: 'baselines/faces.csv' },
        schedule: { every: '1h' },
      },
      {
        name: 'latency',
        source: { histogram: { metric: 'lat' } },
        reference: { window: '1d' },
        schedule: { every: '1h' },
      },
    ],
  },
}).config;

describe('Command: vigil drift baseline', () => {
  let dir: string;
  let events: FileEventStore;
  const lines: string[] = [];
  const errors: string[] = [];
  const io = () => ({
    out: (l: string) => lines.push(l),
    err: (l: string) => errors.push(l),
    now: () => NOW,
    env: { VIGIL_DATA_DIR: dir },
    config,
    events,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-baseline-'));
    events = new FileEventStore({ dir: join(dir, 'events') });
    lines.length = 0;
    errors.length = 0;
    const record = (t: number, measures: Record<string, number | string>) => ({
      timestampMs: t,
      service: 'api',
      model: 'faces',
      modelVersion: 'v1',
      measures,
    });
    await events.write([
      record(NOW - 8 * DAY, { confidence: 0.1, beard: 'old' }),
      record(NOW - 3 * DAY, { confidence: 0.25, beard: 'no' }),
      record(NOW - 2 * DAY, { confidence: 0.5 }),
      record(NOW - DAY, { beard: 'yes, "full"' }),
      { ...record(NOW - DAY, { confidence: 9 }), model: 'other' },
    ]);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the monitor fields of the events since 7d as a CSV that parses back', async () => {
    // Prepare
    const out = join(dir, 'faces.csv');

    // Act
    const code = await runDriftBaseline(
      ['--monitor', 'faces', '--since', '7d', '--out', out],
      io(),
    );

    // Assess
    expect(code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe('confidence,beard\n0.25,no\n0.5,\n,"yes, ""full"""\n');
    expect(parseCsvTable(text).values).toEqual({
      confidence: [0.25, 0.5],
      beard: ['no', 'yes, "full"'],
    });
    expect(errors[0]).toMatch(
      /^wrote 3 rows \(confidence, beard\) of 2026-11-18T12:00:00.000Z \.\. 2026-11-25T12:00:00.000Z to /,
    );
  });

  it('prints to stdout without --out, within --since and --until', async () => {
    // Act
    const code = await runDriftBaseline(
      ['--monitor=faces', '--since', '2026-11-21T00:00:00Z', '--until', '60h'],
      io(),
    );

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual(['confidence,beard\n0.25,no']);
  });

  it('refuses unknown monitors, histogram monitors, bad times and missing --monitor with exit 2', async () => {
    // Act
    const unknown = await runDriftBaseline(['--monitor', 'nope'], io());
    const histogram = await runDriftBaseline(['--monitor', 'latency'], io());
    const badTime = await runDriftBaseline(['--monitor', 'faces', '--since', 'yesterday'], io());
    const missing = await runDriftBaseline(['--since', '7d'], io());

    // Assess
    expect([unknown, histogram, badTime, missing]).toEqual([2, 2, 2, 2]);
    expect(errors[0]).toBe('vigil: error: no drift monitor "nope" (monitors: faces, latency)');
    expect(errors[1]).toBe(
      'vigil: error: monitor latency reads a histogram; baselines are for events sources',
    );
    expect(errors[2]).toMatch(/^vigil: error: cannot read --since yesterday/);
    expect(errors[3]).toMatch(/^vigil: error: --monitor is required/);
  });

  it('exits 1 and writes nothing when no event is in the window', async () => {
    // Act
    const code = await runDriftBaseline(['--monitor', 'faces', '--since', '1h'], io());

    // Assess
    expect(code).toBe(1);
    expect(errors[0]).toMatch(/^vigil: error: no prediction events of model faces/);
  });

  it('leaves out records without any of the fields', () => {
    // Act
    const csv = baselineCsv(
      [
        { timestampMs: 1, service: 's', model: 'm', modelVersion: 'v', measures: { other: 1 } },
        { timestampMs: 2, service: 's', model: 'm', modelVersion: 'v', measures: { a: -0.5 } },
      ],
      ['a'],
    );

    // Assess
    expect(csv).toBe('a\n-0.5\n');
  });
});
