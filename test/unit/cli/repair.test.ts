import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repair } from '../../../bin/commands/repair';

describe('Command: vigil repair', () => {
  let dir: string;
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await repair(args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      suffix: 'T',
      env: {},
    });
    return { code, out, err };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-repair-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('says an intact directory needs nothing and exits 0', async () => {
    // Prepare
    writeFileSync(join(dir, 'counters.json'), '{"counters":{"a":1}}\n');

    // Act
    const { code, out, err } = await run(['--data-dir', dir]);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([`${dir}: every file is intact, nothing to repair`]);
    expect(err).toEqual([]);
  });

  it('repairs a damaged log, keeps the original beside it, and exits 0', async () => {
    // Prepare
    mkdirSync(join(dir, 'samples'));
    const wal = join(dir, 'samples', 'samples.wal');
    const good = '{"l":{"__name__":"m"},"s":[[1,2]]}';
    writeFileSync(wal, `${good}\n\0\0\0\0\n${good.replace('[1,2]', '[2,3]')}\n`);

    // Act
    const { code, out } = await run([`--data-dir=${dir}`]);

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      new RegExp(
        `^${wal}: damaged at byte ${good.length + 1} \\(not a JSON record \\(.+\\)\\); kept 2 intact records; the damaged file is ${wal}\\.damaged-T$`,
      ),
    );
    expect(readFileSync(wal, 'utf8')).toBe(`${good}\n${good.replace('[1,2]', '[2,3]')}\n`);
  });

  it('rewrites a log of numbered series with labels in each record, losing the records of a series whose numbering line was destroyed', async () => {
    // Prepare
    mkdirSync(join(dir, 'samples'));
    const wal = join(dir, 'samples', 'samples.wal');
    writeFileSync(
      wal,
      [
        '{"r":0,"l":{"__name__":"a"},"s":[[1,1]]}',
        '\0\0\0\0',
        '{"r":0,"s":[[2,2]]}',
        '{"r":1,"s":[[2,5]]}',
        '{"r":2,"l":{"__name__":"c"},"s":[[1,7]]}',
        '',
      ].join('\n'),
    );

    // Act
    const { code, out } = await run([`--data-dir=${dir}`]);

    // Assess: the destroyed line numbered series 1, whose later record goes with it.
    expect(code).toBe(0);
    expect(out[0]).toMatch(/kept 3 intact records/);
    expect(readFileSync(wal, 'utf8')).toBe(
      [
        '{"l":{"__name__":"a"},"s":[[1,1]]}',
        '{"l":{"__name__":"a"},"s":[[2,2]]}',
        '{"l":{"__name__":"c"},"s":[[1,7]]}',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 on a missing directory or an unknown argument', async () => {
    // Act
    const missing = await run(['--data-dir', join(dir, 'nope')]);
    const unknown = await run(['--force']);

    // Assess
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toContain('does not exist');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual([
      'vigil repair: unknown flag --force',
      expect.stringMatching(/^usage: vigil repair \[--data-dir <dir>\]/),
    ]);
  });
});
