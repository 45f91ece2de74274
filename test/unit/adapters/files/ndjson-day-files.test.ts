import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLines, readNdjson } from '../../../../lambdas/adapters/files/ndjson-day-files';

describe('Feature: NDJSON day files after a crash mid-append', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ndjson-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the next append on a line of its own, so no acknowledged line is lost', async () => {
    // Prepare: the last write was cut mid-line by a crash (never acknowledged)
    const file = join(dir, '2026-11-25.ndjson');
    writeFileSync(file, '{"n":1}\n{"n":2,"mess');

    // Act
    await appendLines(file, ['{"n":3}', '{"n":4}']);
    const rows = await readNdjson(file);

    // Assess
    expect(rows).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2,"mess\n{"n":3}\n{"n":4}\n');
  });

  it('appends directly after a complete last line', async () => {
    // Prepare
    const file = join(dir, '2026-11-25.ndjson');
    writeFileSync(file, '{"n":1}\n');

    // Act
    await appendLines(file, ['{"n":2}']);

    // Assess
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });
});
