/**
 * `vigil drift baseline`: cuts a baseline CSV for a drift monitor from stored prediction events,
 * to ship as its `reference: { baseline: <file> }`.
 *
 * ```sh
 * npx vigil drift baseline --monitor faces --since 7d [--until 1d] --out baselines/faces.csv [--remote]
 * ```
 *
 * Locally it reads the events `npm start` stored under the data directory (`$VIGIL_DATA_DIR`,
 * default `.vigil`, then `events/`); with `--remote` the deployed stack's Timestream `events`
 * table (database from vigil.config.yaml; needs AWS credentials and a region). The monitor must
 * have an events source; its fields are the CSV's columns, one row per prediction event in
 * `(since, until]`, missing values as empty cells.
 *
 * Exit codes: 0 written, 1 nothing to write or the read failed, 2 bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileEventStore, localEventsDir } from '../../lambdas/adapters/events/file-event-store';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import type { EventStore, PredictionRecord } from '../../lambdas/domain/ports';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { ENV } from '../../lambdas/shared/env';
import { HELP_FLAG, parseFlags } from '../cli-args';
import { parseTimeArg } from './time-arg';

const USAGE = `usage: vigil drift baseline --monitor <name> [--since <7d|RFC 3339|epoch ms>] [--until <…>]
                           [--out <file.csv>] [--remote]

Cuts a baseline CSV for a drift monitor (one with an events source) from the prediction events
stored in (since, until]: locally those of the data directory ($VIGIL_DATA_DIR, default .vigil),
with --remote the deployed stack's Timestream events table.

  --since, --until   a duration back from now (7d, 1h30m), an RFC 3339 time or epoch ms
                     (default --since 7d, --until now)
  --out <file.csv>   write the CSV there (default: standard output)

exit codes: 0 written, 1 nothing to write or the read failed, 2 usage error`;

/** Default `--since`: a week back, the usual rolling reference. */
const DEFAULT_SINCE = '7d';
/** Name of the Timestream events table (lib/constructs/storage.ts `EVENTS_TABLE_NAME`). */
const EVENTS_TABLE = 'events';

/** What `runDriftBaseline` writes to and reads from; tests replace them. */
interface BaselineIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now: () => number;
  readonly env: NodeJS.ProcessEnv;
  /** @default loadConfigFile() */
  readonly config?: VigilConfig;
  /** @default the FileEventStore of the data directory, or Timestream with `--remote` */
  readonly events?: EventStore;
}

const DEFAULT_IO: BaselineIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  now: () => Date.now(),
  env: process.env,
};

interface BaselineArgs {
  readonly monitor: string;
  readonly since: string;
  readonly until?: string;
  readonly out?: string;
  readonly remote: boolean;
}

const BASELINE_FLAGS = {
  ...HELP_FLAG,
  monitor: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  out: { type: 'string' },
  remote: { type: 'boolean' },
} as const;

const parseBaselineArgs = (
  argv: readonly string[],
): BaselineArgs | { help: true } | { error: string } => {
  const parsed = parseFlags(argv, BASELINE_FLAGS);
  if ('error' in parsed) return parsed;
  const { help, monitor, since, until, out, remote } = parsed.values;
  if (help === true) return { help: true };
  for (const [flag, value] of Object.entries({ monitor, since, until, out })) {
    if (value === '') return { error: `--${flag} needs a value` };
  }
  if (monitor === undefined) return { error: '--monitor is required' };
  return {
    monitor,
    since: since ?? DEFAULT_SINCE,
    ...(until === undefined ? {} : { until }),
    ...(out === undefined ? {} : { out }),
    remote: remote === true,
  };
};

/** The deployed stack's events table; the AWS SDK is loaded only for `--remote`. */
const timestreamEvents = async (config: VigilConfig): Promise<EventStore> => {
  const { TimestreamEventStore } = await import(
    '../../lambdas/adapters/events/timestream-event-store'
  );
  return new TimestreamEventStore({ database: config.timestream.database, table: EVENTS_TABLE });
};

/** A CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, or edge spaces. */
const csvCell = (v: number | string | undefined): string => {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The CSV of `records` over `fields`: header row, then one row per record that has at least one
 * of the fields. Numbers are written in JavaScript's shortest round-trip form.
 */
const baselineCsv = (records: readonly PredictionRecord[], fields: readonly string[]): string => {
  const rows = records
    .filter((r) => fields.some((f) => r.measures[f] !== undefined))
    .map((r) => fields.map((f) => csvCell(r.measures[f])).join(','));
  return `${[fields.map(csvCell).join(','), ...rows].join('\n')}\n`;
};

/**
 * `vigil drift baseline …` (dispatched by bin/commands/drift.ts).
 * @returns the exit code (0 written, 1 nothing written, 2 usage error)
 * @example await runDriftBaseline(['--monitor', 'faces', '--since', '7d', '--out', 'ref.csv'])
 */
const runDriftBaseline = async (
  argv: readonly string[],
  io: BaselineIO = DEFAULT_IO,
): Promise<number> => {
  const args = parseBaselineArgs(argv);
  if ('help' in args) {
    io.out(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.err(`vigil: error: ${args.error}\n${USAGE}`);
    return 2;
  }
  const nowMs = io.now();
  const startMs = parseTimeArg(args.since, nowMs);
  const endMs = args.until === undefined ? nowMs : parseTimeArg(args.until, nowMs);
  if (startMs === undefined || endMs === undefined) {
    io.err(
      `vigil: error: cannot read ${startMs === undefined ? `--since ${args.since}` : `--until ${args.until}`}: use a duration (7d), an RFC 3339 time or epoch ms`,
    );
    return 2;
  }
  if (endMs <= startMs) {
    io.err('vigil: error: --until must be after --since');
    return 2;
  }
  let config: VigilConfig;
  try {
    config = io.config ?? loadConfigFile(undefined, io.env).config;
  } catch (e) {
    io.err(`vigil: error: ${(e as Error).message}`);
    return 1;
  }
  const monitor = config.drift.monitors.find((m) => m.name === args.monitor);
  if (!monitor) {
    const names = config.drift.monitors.map((m) => m.name).join(', ') || 'none configured';
    io.err(`vigil: error: no drift monitor ${JSON.stringify(args.monitor)} (monitors: ${names})`);
    return 2;
  }
  if (monitor.source.kind !== 'events') {
    io.err(
      `vigil: error: monitor ${monitor.name} reads a histogram; baselines are for events sources`,
    );
    return 2;
  }
  const source = monitor.source;
  const events =
    io.events ??
    (args.remote
      ? await timestreamEvents(config)
      : new FileEventStore({
          dir: localEventsDir(resolve(io.env[ENV.DATA_DIR] ?? '.vigil')),
        }));
  let records: PredictionRecord[];
  try {
    records = (
      await events.query({
        ...(source.service === undefined ? {} : { service: source.service }),
        model: source.model,
        ...(source.modelVersion === undefined ? {} : { modelVersion: source.modelVersion }),
        fields: source.fields,
        range: { startMs: startMs + 1, endMs },
      })
    ).filter((r) => r.timestampMs > startMs && r.timestampMs <= endMs);
  } catch (e) {
    io.err(`vigil: error: reading prediction events failed: ${(e as Error).message}`);
    return 1;
  }
  const csv = baselineCsv(records, source.fields);
  const rows = csv.split('\n').length - 2;
  const window = `${new Date(startMs).toISOString()} .. ${new Date(endMs).toISOString()}`;
  if (rows === 0) {
    io.err(
      `vigil: error: no prediction events of model ${source.model} with ${source.fields.join(', ')} in ${window}`,
    );
    return 1;
  }
  if (args.out === undefined) {
    io.out(csv.trimEnd());
  } else {
    writeFileSync(args.out, csv);
    io.err(`wrote ${rows} rows (${source.fields.join(', ')}) of ${window} to ${args.out}`);
  }
  return 0;
};

export type { BaselineIO };
export { baselineCsv, runDriftBaseline };
