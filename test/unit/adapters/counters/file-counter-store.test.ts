import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCounterStore } from '../../../../lambdas/adapters/counters/file-counter-store';
import { DataFileDamagedError } from '../../../../lambdas/adapters/files/data-file-damaged-error';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-counters-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Class: FileCounterStore', () => {
  it('adds deltas, returns running totals and keeps them on disk', async () => {
    // Prepare
    const path = join(dir, 'sub', 'counters.json');
    const store = new FileCounterStore({ path });

    // Act
    const first = await store.add([
      { key: 'a', delta: 2 },
      { key: 'b', delta: 1 },
      { key: 'a', delta: 3 },
    ]);
    const second = await new FileCounterStore({ path }).add([{ key: 'a', delta: 1 }]);

    // Assess
    expect(first).toEqual([2, 1, 5]);
    expect(second).toEqual([6]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ counters: { a: 6, b: 1 } });
  });

  it('serializes concurrent adds', async () => {
    // Prepare
    const path = join(dir, 'counters.json');
    const store = new FileCounterStore({ path });

    // Act
    await Promise.all(Array.from({ length: 25 }, () => store.add([{ key: 'n', delta: 1 }])));

    // Assess
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ counters: { n: 25 } });
  });

  it('refuses a damaged file when built, naming it and the offset, instead of failing every add', () => {
    // Prepare
    const path = join(dir, 'counters.json');
    writeFileSync(path, '{"counters":');

    // Act
    const build = () => new FileCounterStore({ path });

    // Assess
    expect(build).toThrow(DataFileDamagedError);
    expect(build).toThrow(`${path} is damaged at byte 12: not valid JSON`);
    expect(build).toThrow('vigil repair');
  });
});
