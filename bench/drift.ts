/**
 * `npm run bench` (drift part): time of `ks`, `wasserstein` and `psi` on 1,000,000 vs
 * 1,000,000 samples through `compareColumn` (values as a plain number[], as a CSV or the event
 * store gives them: missing-value filtering, typed-array copy, sort, statistic, verdict), and —
 * in the same run, on the same data — scipy's time for the same definitions when Debian's
 * /usr/bin/python3 has scipy: `ks_2samp`, `wasserstein_distance / max(np.std, 0.001)`, and
 * Evidently's psi (`np.unique`, `histogram_bin_edges(sturges)`, `np.histogram`, zero fill, Σ).
 * Figures are printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DriftMethod } from '../lambdas/domain/drift';
import { compareColumn } from '../lambdas/domain/drift';
import { fmtMs, median, type RepeatOptions, ROOT, table, timeRuns } from './lib';

const PYTHON = '/usr/bin/python3';
const N = 1_000_000;
const METHODS: readonly DriftMethod[] = ['ks', 'wasserstein', 'psi'];

/** The same definitions in scipy/numpy, timed with perf_counter (median after warm-up). */
const SCIPY_SCRIPT = `
import json, sys, time
import numpy as np
from scipy import stats
ref = np.fromfile(sys.argv[1], dtype='<f8'); cur = np.fromfile(sys.argv[2], dtype='<f8')
warmup, repeats = int(sys.argv[3]), int(sys.argv[4])
def ks(): return float(stats.ks_2samp(ref, cur).statistic)
def wasserstein(): return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
def psi():
    assert len(np.unique(ref)) > 20
    bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
    r = np.histogram(ref, bins)[0] / len(ref); c = np.histogram(cur, bins)[0] / len(cur)
    for p in (r, c):
        m = min(p[p != 0]); np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return float(np.sum((r - c) * np.log(r / c)))
out = {'version': __import__('scipy').__version__, 'numpy': np.__version__}
for name, fn in (('ks', ks), ('wasserstein', wasserstein), ('psi', psi)):
    for _ in range(warmup): fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); value = fn(); times.append((time.perf_counter() - t) * 1000)
    out[name] = {'ms': sorted(times)[len(times) // 2], 'statistic': value}
print(json.dumps(out))
`;

/** Deterministic normal samples (mulberry32 + Box–Muller), so every run times the same data. */
const normals = (seed: number, n: number, mean: number): number[] => {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Array<number>(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = mean + r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(th);
  }
  return out;
};

/** The whole-process reference: numpy reads both CSV files, then scipy's ks, wasserstein and psi. */
const SCIPY_CSV_SCRIPT = `
import json, sys
import numpy as np
from scipy import stats
ref = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
cur = np.loadtxt(sys.argv[2], delimiter=',', skiprows=1)
ks = stats.ks_2samp(ref, cur)
out = {'ks': float(ks.statistic), 'p_value': float(ks.pvalue)}
if sys.argv[3] == 'all':
    out['wasserstein'] = float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
    assert len(np.unique(ref)) > 20
    bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
    r = np.histogram(ref, bins)[0] / len(ref); c = np.histogram(cur, bins)[0] / len(cur)
    for p in (r, c):
        m = min(p[p != 0]); np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    out['psi'] = float(np.sum((r - c) * np.log(r / c)))
print(json.dumps(out))
`;

/** One method's figures. */
interface DriftBenchRow {
  readonly method: DriftMethod;
  readonly vigilMs: number;
  readonly vigilStatistic: number | null;
  readonly scipyMs?: number;
  readonly scipyStatistic?: number;
}

/** All figures, and why scipy is missing when it is. */
interface DriftBenchReport {
  readonly rows: DriftBenchRow[];
  readonly scipy: string;
}

/** Runs the drift bench: Vigil in this process, then scipy in /usr/bin/python3 on the same data. */
const runDriftBench = async (opts: RepeatOptions): Promise<DriftBenchReport> => {
  const reference = normals(1, N, 0);
  const current = normals(2, N, 0.02);
  const rows: DriftBenchRow[] = [];
  for (const method of METHODS) {
    let statistic: number | null = null;
    const times = await timeRuns(() => {
      statistic = compareColumn('x', reference, current, { method }).statistic;
    }, opts);
    rows.push({ method, vigilMs: median(times), vigilStatistic: statistic });
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-drift-'));
  try {
    const refFile = join(dir, 'ref.f64');
    const curFile = join(dir, 'cur.f64');
    writeFileSync(refFile, new Uint8Array(Float64Array.from(reference).buffer));
    writeFileSync(curFile, new Uint8Array(Float64Array.from(current).buffer));
    const py = spawnSync(
      PYTHON,
      ['-c', SCIPY_SCRIPT, refFile, curFile, String(opts.warmup), String(opts.repeats)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (py.status !== 0) {
      const why = py.error?.message ?? py.stderr.trim().split('\n').at(-1) ?? 'failed';
      return { rows, scipy: `scipy not measured (${PYTHON}: ${why})` };
    }
    const s = JSON.parse(py.stdout) as Record<string, { ms: number; statistic: number }> & {
      version: string;
      numpy: string;
    };
    return {
      rows: rows.map((r) => ({
        ...r,
        scipyMs: s[r.method]?.ms,
        scipyStatistic: s[r.method]?.statistic,
      })),
      scipy: `scipy ${s.version}, numpy ${s.numpy} (${PYTHON})`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The figures as a table. */
const formatDriftFigures = (r: DriftBenchReport): string => {
  const rel = (a: number | null, b: number | undefined): string =>
    a === null || b === undefined ? 'n/a' : (Math.abs(a - b) / Math.abs(b)).toExponential(1);
  return [
    `1,000,000 vs 1,000,000 normal samples (current shifted by 0.02 sd); ${r.scipy}. Medians.`,
    table([
      ['method', 'Vigil', 'scipy', 'Vigil/scipy', 'statistic', '|Δ| rel. to scipy'],
      ...r.rows.map((row) => [
        row.method,
        fmtMs(row.vigilMs),
        row.scipyMs === undefined ? 'n/a' : fmtMs(row.scipyMs),
        row.scipyMs === undefined ? 'n/a' : (row.vigilMs / row.scipyMs).toFixed(2),
        String(row.vigilStatistic),
        rel(row.vigilStatistic, row.scipyStatistic),
      ]),
    ]),
  ].join('\n');
};

/** Whole-process figures: `vigil drift` as users run it, beside the numpy+scipy scripts. */
interface DriftCliBenchReport {
  readonly vigilMs: number;
  readonly vigil: { statistic: number; p_value: number };
  /** loadtxt + ks, wasserstein and psi. */
  readonly scipyAllMs?: number;
  /** loadtxt + ks only. */
  readonly scipyKsMs?: number;
  readonly scipy?: { ks: number; p_value: number };
  readonly note: string;
}

/** Wall milliseconds of one process, and its stdout; throws when it fails. */
const timeProcess = (command: string, args: string[]): { ms: number; stdout: string } => {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  }
  return { ms, stdout: r.stdout };
};

/**
 * `node dist/cli.js drift --method ks` on two 1,000,000-row CSV files (one column, values as
 * `String(x)` writes them), from spawn to exit, alternating with /usr/bin/python3 scripts that
 * read the same files with `np.loadtxt` and compute ks, wasserstein and psi (the reference) or
 * ks alone; medians of `runs` rounds after one warm-up round.
 */
const runDriftCliBench = async ({ runs }: { runs: number }): Promise<DriftCliBenchReport> => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-drift-cli-'));
  try {
    const refFile = join(dir, 'reference.csv');
    const curFile = join(dir, 'current.csv');
    writeFileSync(refFile, `x\n${normals(1, N, 0).join('\n')}\n`);
    writeFileSync(curFile, `x\n${normals(2, N, 0.02).join('\n')}\n`);
    const vigilArgs = [
      join(ROOT, 'dist', 'cli.js'),
      'drift',
      '--reference',
      refFile,
      '--current',
      curFile,
      '--method',
      'ks',
      '--format',
      'json',
    ];
    const pythonArgs = (what: 'all' | 'ks'): string[] => [
      '-c',
      SCIPY_CSV_SCRIPT,
      refFile,
      curFile,
      what,
    ];
    const hasScipy = spawnSync(PYTHON, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
    const vigilMs: number[] = [];
    const scipyAllMs: number[] = [];
    const scipyKsMs: number[] = [];
    let vigilOut = '';
    let scipyOut = '';
    for (let round = 0; round <= runs; round++) {
      const v = timeProcess(process.execPath, vigilArgs);
      vigilOut = v.stdout;
      if (round > 0) vigilMs.push(v.ms);
      if (hasScipy.status !== 0) continue;
      const all = timeProcess(PYTHON, pythonArgs('all'));
      scipyOut = all.stdout;
      const ks = timeProcess(PYTHON, pythonArgs('ks'));
      if (round > 0) {
        scipyAllMs.push(all.ms);
        scipyKsMs.push(ks.ms);
      }
    }
    const column = (JSON.parse(vigilOut) as { columns: { statistic: number; p_value: number }[] })
      .columns[0] as { statistic: number; p_value: number };
    const vigil = { statistic: column.statistic, p_value: column.p_value };
    if (hasScipy.status !== 0) {
      return {
        vigilMs: median(vigilMs),
        vigil,
        note: `scipy not measured (${PYTHON}: ${hasScipy.stderr.trim().split('\n').at(-1)})`,
      };
    }
    return {
      vigilMs: median(vigilMs),
      vigil,
      scipyAllMs: median(scipyAllMs),
      scipyKsMs: median(scipyKsMs),
      scipy: JSON.parse(scipyOut) as { ks: number; p_value: number },
      note: `median of ${runs} rounds after 1 warm-up, each round Vigil then the two scripts`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The whole-process figures as a table. */
const formatDriftCliFigures = (r: DriftCliBenchReport): string => {
  const ratio = (ms: number | undefined): string =>
    ms === undefined ? 'n/a' : `${(r.vigilMs / ms).toFixed(2)}x`;
  const ms = (x: number | undefined): string => (x === undefined ? 'n/a' : fmtMs(x));
  return [
    `two 1,000,000-row CSV files, spawn to exit; ${r.note}.`,
    table([
      ['process', 'wall', 'Vigil/this'],
      ['node dist/cli.js drift --method ks', fmtMs(r.vigilMs), '1.00x'],
      ['python3: np.loadtxt ×2, ks + wasserstein + psi', ms(r.scipyAllMs), ratio(r.scipyAllMs)],
      ['python3: np.loadtxt ×2, ks', ms(r.scipyKsMs), ratio(r.scipyKsMs)],
    ]),
    `ks: Vigil D = ${r.vigil.statistic}, p = ${r.vigil.p_value}; scipy D = ${r.scipy?.ks ?? 'n/a'}, p = ${r.scipy?.p_value ?? 'n/a'}`,
  ].join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  console.log(formatDriftFigures(await runDriftBench({ warmup: 1, repeats: 3 })));
  console.log(formatDriftCliFigures(await runDriftCliBench({ runs: 5 })));
}

export type { DriftBenchReport, DriftBenchRow, DriftCliBenchReport };
export { formatDriftCliFigures, formatDriftFigures, runDriftBench, runDriftCliBench };
