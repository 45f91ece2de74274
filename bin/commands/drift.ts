/**
 * `vigil drift --reference ref.csv --current cur.csv [--method …] [--columns a,b] [--threshold x]
 * [--min-sample-size n] [--drift-share x] [--format json|table|html] [--out file]`: compares two
 * CSV tables column by column with the drift statistics of lambdas/domain/drift; `html` writes the
 * self-contained HTML report (to `--out`, or standard output).
 *
 * Exit codes: 0 when the comparison ran (drift or not: read `dataset_drift`), 1 when an input
 * is bad (unreadable file, malformed CSV, a column missing, a method that does not apply),
 * 2 on a usage error (unknown flag, missing or invalid option value).
 *
 * `vigil drift baseline …` is dispatched to bin/commands/drift-baseline.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BadRequestError } from '../../lambdas/domain/errors';
import {
  compareDatasets,
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MIN_SAMPLE_SIZE,
  DRIFT_METHODS,
  parseCsvTable,
} from '../../lambdas/domain/drift';
import type { ColumnDrift, DatasetDrift, MethodChoice } from '../../lambdas/domain/drift';
import { featureOf } from '../../lambdas/domain/drift/report';
import { renderDriftHtml } from '../../lambdas/domain/drift/report-html';
import { HELP_FLAG, parseFlags } from '../cli-args';

/** Exit codes of `vigil drift`. */
const DriftExitCode = { Ok: 0, BadInput: 1, Usage: 2 } as const;

const FORMATS = ['json', 'table', 'html'] as const;
type Format = (typeof FORMATS)[number];

/** Parsed `vigil drift` arguments. */
interface DriftArgs {
  readonly reference: string;
  readonly current: string;
  readonly method: MethodChoice;
  readonly columns?: string[];
  readonly threshold?: number;
  readonly minSampleSize: number;
  readonly driftShare: number;
  readonly format: Format;
  /** File the output is written to instead of standard output. */
  readonly out?: string;
}

const DRIFT_USAGE = `usage: vigil drift --reference <ref.csv> --current <cur.csv> [options]
       vigil drift baseline …   (cut a baseline CSV from stored events)

Compares each column of two CSV files (header row; empty cells are missing values; a column
whose values all read as numbers is numeric) and prints every column's drift verdict.

options:
  --method auto|${DRIFT_METHODS.join('|')}   drift statistic (default auto: Evidently's choice)
  --columns a,b         only these columns (default: every column in both files)
  --threshold x         drift threshold (default per method: p ≤/< 0.05 for ks/chisquare/z, ≥ 0.1 for distances)
  --min-sample-size n   fewer values in a file give "insufficient_data" (default ${DEFAULT_MIN_SAMPLE_SIZE})
  --drift-share x       dataset drift when this share of columns drifted (default ${DEFAULT_DRIFT_SHARE})
  --format json|table|html   output format (default table); html is a self-contained page
                        with the verdicts and each column's distributions drawn
  --out <file>          write the output to this file instead of standard output

exit codes: 0 compared (drift or not), 1 bad input, 2 usage error
`;

const DRIFT_FLAGS = {
  ...HELP_FLAG,
  reference: { type: 'string' },
  current: { type: 'string' },
  method: { type: 'string' },
  columns: { type: 'string' },
  threshold: { type: 'string' },
  'min-sample-size': { type: 'string' },
  'drift-share': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;
type ValueFlag = Exclude<keyof typeof DRIFT_FLAGS, 'help'>;

/** Parses `vigil drift` flags (`--flag value` or `--flag=value`); an `error` names the problem. */
const parseDriftArgs = (
  argv: readonly string[],
): DriftArgs | { error: string } | { help: true } => {
  const parsed = parseFlags(argv, DRIFT_FLAGS);
  if ('error' in parsed) return parsed;
  if (parsed.values.help === true) return { help: true };
  const raw: Partial<Record<ValueFlag, string>> = parsed.values;
  if (raw.reference === undefined) return { error: '--reference <file.csv> is required' };
  if (raw.current === undefined) return { error: '--current <file.csv> is required' };
  const method = (raw.method ?? 'auto') as MethodChoice;
  if (method !== 'auto' && !DRIFT_METHODS.includes(method)) {
    return {
      error: `--method must be one of auto, ${DRIFT_METHODS.join(', ')}; got ${JSON.stringify(raw.method)}`,
    };
  }
  const format = (raw.format ?? 'table') as Format;
  if (!FORMATS.includes(format)) {
    return { error: `--format must be json, table or html; got ${JSON.stringify(raw.format)}` };
  }
  const number = (flag: ValueFlag, text: string | undefined): number | undefined | string => {
    if (text === undefined) return undefined;
    const x = Number(text);
    if (text.trim() === '' || !Number.isFinite(x)) {
      return `--${flag} must be a number; got ${JSON.stringify(text)}`;
    }
    return x;
  };
  const threshold = number('threshold', raw.threshold);
  if (typeof threshold === 'string') return { error: threshold };
  if (threshold !== undefined && threshold < 0) return { error: '--threshold must be ≥ 0' };
  if (raw.out === '') return { error: '--out must name a file' };
  const minSampleSize =
    number('min-sample-size', raw['min-sample-size']) ?? DEFAULT_MIN_SAMPLE_SIZE;
  if (typeof minSampleSize === 'string') return { error: minSampleSize };
  if (!Number.isInteger(minSampleSize) || minSampleSize < 1) {
    return { error: '--min-sample-size must be an integer ≥ 1' };
  }
  const driftShare = number('drift-share', raw['drift-share']) ?? DEFAULT_DRIFT_SHARE;
  if (typeof driftShare === 'string') return { error: driftShare };
  if (driftShare < 0 || driftShare > 1) return { error: '--drift-share must be between 0 and 1' };
  let columns: string[] | undefined;
  if (raw.columns !== undefined) {
    columns = raw.columns.split(',').map((c) => c.trim());
    if (columns.some((c) => c === '')) {
      return {
        error: `--columns must be a comma-separated list of names; got ${JSON.stringify(raw.columns)}`,
      };
    }
  }
  return {
    reference: raw.reference,
    current: raw.current,
    method,
    ...(columns ? { columns } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    minSampleSize,
    driftShare,
    format,
    ...(raw.out === undefined ? {} : { out: raw.out }),
  };
};

/**
 * The JSON of `vigil drift` (per column: no `bins`; `dropped_*` count the NaN and ±Infinity cells
 * left out of the comparison).
 */
const toJson = (result: DatasetDrift): string =>
  JSON.stringify({
    columns: result.columns.map((c) => ({
      column: c.column,
      method: c.method,
      statistic: c.statistic,
      p_value: c.p_value,
      threshold: c.threshold,
      drift: c.drift,
      n_reference: c.n_reference,
      n_current: c.n_current,
      dropped_reference: c.dropped_reference ?? 0,
      dropped_current: c.dropped_current ?? 0,
    })),
    share_drifted: result.share_drifted,
    dataset_drift: result.dataset_drift,
  });

const fmt = (x: number | null): string => {
  if (x === null) return '-';
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6
    ? x.toPrecision(6).replace(/\.?0+$/, '')
    : x.toExponential(3);
};

/** An aligned text table, one line per column, then the dataset verdict. */
const toTable = (result: DatasetDrift): string[] => {
  const header = [
    'column',
    'method',
    'statistic',
    'p_value',
    'threshold',
    'drift',
    'n_reference',
    'n_current',
    'dropped',
  ];
  const rows = result.columns.map((c: ColumnDrift) => [
    c.column,
    c.method,
    fmt(c.statistic),
    fmt(c.p_value),
    fmt(c.threshold),
    String(c.drift),
    String(c.n_reference),
    String(c.n_current),
    `${c.dropped_reference ?? 0}/${c.dropped_current ?? 0}`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const judged = result.columns.filter((c) => c.drift !== 'insufficient_data').length;
  const drifted = result.columns.filter((c) => c.drift === true).length;
  return [
    line(header),
    ...rows.map(line),
    '',
    'dropped: NaN and ±Infinity cells left out, reference/current',
    `drifted columns: ${drifted} of ${judged} with a verdict (share ${fmt(result.share_drifted)}); dataset drift: ${result.dataset_drift}`,
  ];
};

/** The HTML report of a comparison: the files compared, then the verdicts and distributions. */
const toHtml = (result: DatasetDrift, args: DriftArgs, rows: [number, number]): string =>
  renderDriftHtml({
    title: `Drift report: ${basename(args.current)} against ${basename(args.reference)}`,
    details: [
      ['Reference', args.reference],
      ['Current', args.current],
      ['Rows', `reference ${rows[0]}, current ${rows[1]}`],
      ['Method', args.method],
      ['Minimum sample size', String(args.minSampleSize)],
    ],
    features: result.columns.map(featureOf),
    share_drifted: result.share_drifted,
    dataset_drift: result.dataset_drift,
    drift_share: args.driftShare,
  });

const rowCount = (t: { columns: string[]; values: Record<string, unknown[]> }): number =>
  Math.max(0, ...t.columns.map((c) => t.values[c]?.length ?? 0));

/** Runs `vigil drift baseline …` (bin/commands/drift-baseline.ts, loaded only for it). */
const runBaseline = async (argv: readonly string[]): Promise<number> => {
  const { runDriftBaseline } = await import('./drift-baseline');
  return runDriftBaseline(argv);
};

/**
 * `vigil drift`: reads both CSV files, compares them, prints (or writes to `--out`) JSON, a
 * table or the HTML report.
 * @returns the exit code (0 compared, 1 bad input, 2 usage error)
 * @example await runDrift(['--reference', 'ref.csv', '--current', 'cur.csv', '--format', 'json'], console.log, console.error)
 */
const runDrift = async (
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> => {
  if (argv[0] === 'baseline') return runBaseline(argv.slice(1));
  const args = parseDriftArgs(argv);
  if ('help' in args) {
    out(DRIFT_USAGE.trimEnd());
    return DriftExitCode.Ok;
  }
  if ('error' in args) {
    err(`vigil: error: ${args.error}`);
    err(DRIFT_USAGE.trimEnd());
    return DriftExitCode.Usage;
  }
  const read = async (label: string, path: string) => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new BadRequestError(
        `cannot read ${label} file ${JSON.stringify(path)}: ${(e as Error).message}`,
      );
    }
    try {
      return parseCsvTable(text);
    } catch (e) {
      throw new BadRequestError(`${path}: ${(e as Error).message}`);
    }
  };
  try {
    const reference = await read('reference', args.reference);
    const current = await read('current', args.current);
    const result = compareDatasets(reference, current, {
      method: args.method,
      ...(args.columns ? { columns: args.columns } : {}),
      ...(args.threshold !== undefined ? { threshold: args.threshold } : {}),
      minSampleSize: args.minSampleSize,
      driftShare: args.driftShare,
    });
    const text =
      args.format === 'json'
        ? toJson(result)
        : args.format === 'html'
          ? toHtml(result, args, [rowCount(reference), rowCount(current)])
          : toTable(result).join('\n');
    if (args.out === undefined) out(text);
    else {
      try {
        await writeFile(args.out, args.format === 'html' ? text : `${text}\n`);
      } catch (e) {
        throw new BadRequestError(
          `cannot write ${JSON.stringify(args.out)}: ${(e as Error).message}`,
        );
      }
    }
    return DriftExitCode.Ok;
  } catch (e) {
    if (e instanceof BadRequestError) {
      err(`vigil: error: ${e.message}`);
      return DriftExitCode.BadInput;
    }
    throw e;
  }
};

export type { DriftArgs };
export { DRIFT_USAGE, DriftExitCode, parseDriftArgs, runDrift };
