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
import type { DriftMethod } from '../lambdas/domain/drift';
import { compareColumn } from '../lambdas/domain/drift';
import { fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

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

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  console.log(formatDriftFigures(await runDriftBench({ warmup: 1, repeats: 3 })));
}

export type { DriftBenchReport, DriftBenchRow };
export { formatDriftFigures, runDriftBench };
