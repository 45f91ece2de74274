import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDriftArgs } from '../../../bin/commands/drift';
import { compareDatasets, parseCsvTable } from '../../../lambdas/domain/drift';

const VIGIL = join(process.cwd(), 'bin', 'vigil.js');

/** Runs the real CLI (`npx vigil` = bin/vigil.js through tsx). */
const vigil = (...args: string[]) => {
  const r = spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const csv = (header: string, n: number, row: (i: number) => string): string =>
  [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n');

const REFERENCE = csv(
  'age,segment,income,flag',
  200,
  (i) => `${20 + (i % 50)},${['a', 'b', 'c'][i % 3]},${1000 + i * 3},${i % 2 ? 'y' : 'n'}`,
);
const CURRENT = csv(
  'age,segment,income,flag',
  150,
  (i) => `${35 + (i % 50)},${['a', 'a', 'b', 'c'][i % 4]},${1300 + i * 4},${i < 10 ? 'y' : ''}`,
);

let dir: string;
let ref: string;
let cur: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-drift-cli-'));
  ref = join(dir, 'ref.csv');
  cur = join(dir, 'cur.csv');
  writeFileSync(ref, REFERENCE);
  writeFileSync(cur, CURRENT);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Command: vigil drift', () => {
  it('writes the HTML report to --out: the verdicts and a chart per compared column', () => {
    // Prepare
    const out = join(dir, 'report.html');
    const expected = compareDatasets(parseCsvTable(REFERENCE), parseCsvTable(CURRENT));

    // Act
    const r = vigil(
      'drift',
      '--reference',
      ref,
      '--current',
      cur,
      '--format',
      'html',
      '--out',
      out,
    );

    // Assess
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Drift report: cur.csv against ref.csv</title>');
    expect(html).toContain(expected.dataset_drift ? 'Dataset drift detected' : 'No dataset drift');
    const judged = expected.columns.filter((c) => c.drift !== 'insufficient_data');
    expect(judged.length).toBeGreaterThan(1);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(judged.length);
    expect(html).toContain('Fewer values than the minimum sample size');
    expect(html).not.toMatch(/<script|<link|@import|url\(/);
  });

  it('refuses an --out it cannot write with exit code 1', () => {
    // Act
    const r = vigil(
      'drift',
      '--reference',
      ref,
      '--current',
      cur,
      '--format',
      'html',
      '--out',
      join(dir, 'missing', 'report.html'),
    );

    // Assess
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^vigil: error: cannot write ".*missing\/report\.html": ENOENT/);
  });

  it('prints the documented JSON and exits 0 when columns drifted', () => {
    // Prepare
    const expected = compareDatasets(parseCsvTable(REFERENCE), parseCsvTable(CURRENT));

    // Act
    const r = vigil('drift', '--reference', ref, '--current', cur, '--format', 'json');

    // Assess
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['columns', 'share_drifted', 'dataset_drift']);
    expect(Object.keys(json.columns[0])).toEqual([
      'column',
      'method',
      'statistic',
      'p_value',
      'threshold',
      'drift',
      'n_reference',
      'n_current',
      'dropped_reference',
      'dropped_current',
    ]);
    expect(
      json.columns.map((c: { column: string; method: string; drift: unknown }) => [
        c.column,
        c.method,
        c.drift,
      ]),
    ).toEqual([
      ['age', 'ks', true],
      ['segment', 'chisquare', true],
      ['income', 'ks', true],
      ['flag', 'z', 'insufficient_data'],
    ]);
    expect(json.columns[0].statistic).toBe(expected.columns[0]?.statistic);
    expect(json.columns[0].p_value).toBe(expected.columns[0]?.p_value);
    expect(json.columns[3]).toEqual({
      column: 'flag',
      method: 'z',
      statistic: null,
      p_value: null,
      threshold: 0.05,
      drift: 'insufficient_data',
      n_reference: 200,
      n_current: 10,
      dropped_reference: 0,
      dropped_current: 0,
    });
    expect(json).toMatchObject({ share_drifted: 1, dataset_drift: true });
    expect(r.out).toBe(`${JSON.stringify(json)}\n`);
  });

  it('applies --method, --columns and --threshold, and prints a table by default', () => {
    // Act
    const r = vigil(
      'drift',
      `--reference=${ref}`,
      `--current=${cur}`,
      '--method',
      'psi',
      '--columns',
      'segment,income',
      '--threshold',
      '5',
    );

    // Assess
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^column\s+method\s+statistic\s+p_value\s+threshold\s+drift\s+n_reference\s+n_current\s+dropped$/,
    );
    expect(lines[1]).toMatch(/^segment\s+psi\s+[0-9.]+\s+-\s+5\s+false\s+200\s+150\s+0\/0$/);
    expect(lines[2]).toMatch(/^income\s+psi\s+6\.64\d+\s+-\s+5\s+true\s+200\s+150\s+0\/0$/);
    expect(lines.at(-1)).toBe(
      'drifted columns: 1 of 2 with a verdict (share 0.5); dataset drift: true',
    );
  });

  it('drops NaN, nan, inf and Infinity cells of a numeric column and counts them, instead of calling it categorical', () => {
    // Prepare: the same 100 values in both files, and one non-finite spelling per kind in current
    const values = Array.from({ length: 100 }, (_, i) => `${(i * 37) % 100}.5`);
    const same = join(dir, 'same-ref.csv');
    const withNaN = join(dir, 'same-cur.csv');
    writeFileSync(same, `x\n${values.join('\n')}\nnan\n`);
    writeFileSync(withNaN, `x\n${[...values, 'NaN', 'nan', 'inf', '-Infinity'].join('\n')}\n`);

    // Act
    const r = vigil('drift', `--reference=${same}`, `--current=${withNaN}`, '--format=json');

    // Assess
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).columns).toEqual([
      {
        column: 'x',
        method: 'ks',
        statistic: 0,
        p_value: 1,
        threshold: 0.05,
        drift: false,
        n_reference: 100,
        n_current: 100,
        dropped_reference: 1,
        dropped_current: 4,
      },
    ]);
  });

  it('exits 1 with the file and line on a malformed CSV, and on a missing column', () => {
    // Prepare
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'age,segment\n1,a\n2\n');

    // Act
    const malformed = vigil('drift', '--reference', bad, '--current', cur);
    const missing = vigil('drift', '--reference', ref, '--current', cur, '--columns', 'age,height');
    const wrongMethod = vigil(
      'drift',
      '--reference',
      ref,
      '--current',
      cur,
      '--method',
      'ks',
      '--columns',
      'segment',
    );

    // Assess
    expect(malformed).toEqual({
      code: 1,
      out: '',
      err: `vigil: error: ${bad}: line 3: expected 2 fields (as in the header), found 1\n`,
    });
    expect(missing).toEqual({
      code: 1,
      out: '',
      err: 'vigil: error: column(s) not in both tables: "height"\n',
    });
    expect(wrongMethod.code).toBe(1);
    expect(wrongMethod.err).toBe(
      'vigil: error: method ks needs a numeric column; column "segment" has non-numeric values\n',
    );
  });

  it('exits 1 when a file cannot be read', () => {
    // Act
    const r = vigil('drift', '--reference', join(dir, 'none.csv'), '--current', cur);

    // Assess
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^vigil: error: cannot read reference file ".*none\.csv": ENOENT/);
  });

  it('hands `vigil drift baseline …` to bin/commands/drift-baseline.ts', () => {
    // Act
    const r = vigil('drift', 'baseline', '--help');

    // Assess
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: vigil drift baseline --monitor <name>/);
  });

  it('exits 2 on usage errors', () => {
    // Act
    const r = vigil('drift', '--reference', ref);

    // Assess
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('vigil: error: --current <file.csv> is required');
  });
});

describe('Function: parseDriftArgs', () => {
  it.each([
    [
      ['--reference', 'a', '--current', 'b', '--method', 'kl'],
      '--method must be one of auto, ks, wasserstein, psi, jensenshannon, chisquare, z; got "kl"',
    ],
    [
      ['--reference', 'a', '--current', 'b', '--format', 'xml'],
      '--format must be json, table or html; got "xml"',
    ],
    [
      ['--reference', 'a', '--current', 'b', '--threshold', 'x'],
      '--threshold must be a number; got "x"',
    ],
    [['--reference', 'a', '--current', 'b', '--threshold=-1'], '--threshold must be ≥ 0'],
    [
      ['--reference', 'a', '--current', 'b', '--threshold', '-1'],
      '--threshold needs a value (write --threshold=<value> for a value starting with "-")',
    ],
    [
      ['--reference', 'a', '--current', 'b', '--min-sample-size', '2.5'],
      '--min-sample-size must be an integer ≥ 1',
    ],
    [
      ['--reference', 'a', '--current', 'b', '--drift-share', '1.5'],
      '--drift-share must be between 0 and 1',
    ],
    [
      ['--reference', 'a', '--current', 'b', '--columns', 'a,,b'],
      '--columns must be a comma-separated list of names; got "a,,b"',
    ],
    [['--reference', 'a', '--reference', 'b'], '--reference given twice'],
    [['--reference'], '--reference needs a value'],
    [['--verbose'], 'unknown flag --verbose'],
    [['ref.csv'], 'unexpected argument "ref.csv"'],
    [['--current', 'b'], '--reference <file.csv> is required'],
  ])('rejects %j', (argv, error) => {
    // Act / Assess
    expect(parseDriftArgs(argv)).toEqual({ error });
  });

  it('reads every option with its default', () => {
    // Assess
    expect(parseDriftArgs(['--reference', 'a.csv', '--current=b.csv'])).toEqual({
      reference: 'a.csv',
      current: 'b.csv',
      method: 'auto',
      minSampleSize: 30,
      driftShare: 0.5,
      format: 'table',
    });
    expect(
      parseDriftArgs([
        '--reference',
        'a',
        '--current',
        'b',
        '--columns',
        'x, y',
        '--threshold',
        '0.2',
        '--min-sample-size',
        '10',
        '--drift-share',
        '0.3',
        '--format',
        'json',
        '--method',
        'z',
      ]),
    ).toEqual({
      reference: 'a',
      current: 'b',
      method: 'z',
      columns: ['x', 'y'],
      threshold: 0.2,
      minSampleSize: 10,
      driftShare: 0.3,
      format: 'json',
    });
  });
});
