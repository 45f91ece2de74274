/**
 * Small helpers shared by the benchmark scripts: timing (warm-up, repeats, median) and plain-text
 * tables. Benchmarks print figures; nothing here asserts on time.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The project's root directory. */
const ROOT = resolve(import.meta.dirname, '..');

let built = false;

/** Builds `dist/` as `npm ci` does (`scripts/build.mjs`), once per bench process. */
const buildDist = (): void => {
  if (built) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  built = true;
};

/**
 * `node` arguments that run the local server as `npm start` does (`dist/server.js`, built first),
 * after `nodeArgs` (a profiler's flags).
 */
const localServerArgs = (nodeArgs: readonly string[] = []): string[] => {
  buildDist();
  return [...nodeArgs, join(ROOT, 'dist', 'server.js')];
};

/** How a measurement is repeated. */
export interface RepeatOptions {
  /** Runs thrown away before measuring (JIT warm-up). */
  readonly warmup: number;
  /** Measured runs; the median is reported. */
  readonly repeats: number;
}

/** Median of a non-empty list. */
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs `fn` `warmup` times, then `repeats` times timed; returns each timed run in ms. */
const timeRuns = async (
  fn: () => unknown | Promise<unknown>,
  opts: RepeatOptions,
): Promise<number[]> => {
  for (let i = 0; i < opts.warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < opts.repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
};

/** Formats a number with thousands separators and `digits` decimals. */
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(n);

/** Formats milliseconds with a precision that suits their size. */
const fmtMs = (ms: number): string => {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${fmt(ms, 0)} ms`;
};

/** Renders rows as an aligned text table; the first row is the header. Numbers align right. */
const table = (rows: readonly (readonly string[])[]): string => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const numeric = /^[-+]?[\d,.]+( ?(ms|KiB|x|%|B|s))?$|^n\/a$/;
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) =>
        numeric.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...body.map(line)].join('\n');
};

/** A TCP port free on 127.0.0.1 right now. */
const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolvePort(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });

/** Polls `url` until it answers 2xx; throws after `timeoutMs` or when `proc` exits. */
const waitFor = async (url: string, timeoutMs: number, proc?: ChildProcess): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null)
      throw new Error(`${url}: process exited (${proc.exitCode})`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
};

export { buildDist, fmt, fmtMs, freePort, localServerArgs, median, ROOT, table, timeRuns, waitFor };
