/**
 * `vigil logs`: reads structured log events back, one readable line each (or NDJSON with
 * `--json`), oldest first.
 *
 * Locally it reads the NDJSON files `npm start` writes under the data directory
 * (`$VIGIL_DATA_DIR`, default `.vigil`, then `logs/`); with `--remote` it runs the equivalent
 * CloudWatch Logs Insights query on the deployed stack's log groups (`/vigil/<project>/<service>`,
 * project and services from vigil.config.yaml; needs AWS credentials and a region).
 *
 * Exit codes: 0 ok (also when nothing matched), 1 the read failed, 2 bad arguments.
 */
import { resolve } from 'node:path';
import { FileLogStore, localLogsDir } from '../../lambdas/adapters/logs/file-log-store';
import type { LogEvent } from '../../lambdas/domain/logs/log-event';
import {
  DEFAULT_GROUP_SERVICE,
  logGroupName,
  logGroupResolver,
} from '../../lambdas/domain/logs/log-groups';
import type { LogQuery, LogReader } from '../../lambdas/domain/logs/log-store';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { ENV } from '../../lambdas/shared/env';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';
import { parseTimeArg } from './time-arg';

/** Default `--since`: the last hour. */
const DEFAULT_SINCE_MS = 3_600_000;
/** Default `--limit`. */
const DEFAULT_LIMIT = 1000;

const USAGE = `usage: vigil logs [--service <s>] [--correlation-id <id>] [--level <l>]
                  [--since <1h|ISO time|epoch ms>] [--until <…>] [--limit <n>] [--json] [--remote]

Reads structured log events back, oldest first: from the local data directory ($VIGIL_DATA_DIR,
default .vigil) or, with --remote, with CloudWatch Logs Insights on the deployed stack.

  --since, --until   a duration back from now (90s, 15m, 1h30m, 2d), an ISO time or epoch ms
                     (default: the last hour)
  --limit <n>        at most n events (default ${DEFAULT_LIMIT})
  --json             one NDJSON line per event, as stored

exit codes: 0 ok (also when nothing matched), 1 the read failed, 2 usage error`;

/** What `vigil logs` was asked for. */
interface LogsArgs {
  readonly query: LogQuery;
  readonly json: boolean;
  readonly remote: boolean;
}

const LOGS_FLAGS = {
  ...HELP_FLAG,
  service: { type: 'string' },
  'correlation-id': { type: 'string' },
  level: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  remote: { type: 'boolean' },
} as const;

/** Parses the arguments after `vigil logs`; `{ error }` names what is wrong. */
const parseLogsArgs = (
  args: readonly string[],
  nowMs: number,
): LogsArgs | { help: true } | { error: string } => {
  const parsed = parseFlags(args, LOGS_FLAGS);
  if ('error' in parsed) return parsed;
  if (parsed.values.help === true) return { help: true };
  const values = new Map<string, string>();
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (typeof value !== 'string') continue;
    if (value === '') return { error: `--${flag} needs a value` };
    values.set(`--${flag}`, value);
  }
  const json = parsed.values.json === true;
  const remote = parsed.values.remote === true;
  const since = parseTimeArg(values.get('--since') ?? '', nowMs);
  const until = parseTimeArg(values.get('--until') ?? '', nowMs);
  if (values.has('--since') && since === undefined) {
    return {
      error: `--since: not a duration (1h, 30m), ISO time or epoch ms: ${values.get('--since')}`,
    };
  }
  if (values.has('--until') && until === undefined) {
    return {
      error: `--until: not a duration (1h, 30m), ISO time or epoch ms: ${values.get('--until')}`,
    };
  }
  const startMs = since ?? nowMs - DEFAULT_SINCE_MS;
  const endMs = until ?? nowMs;
  if (endMs < startMs) return { error: '--until is before --since' };
  let limit = DEFAULT_LIMIT;
  if (values.has('--limit')) {
    limit = Number(values.get('--limit'));
    if (!Number.isInteger(limit) || limit < 1) {
      return { error: `--limit must be a positive integer, got ${values.get('--limit')}` };
    }
  }
  const service = values.get('--service');
  const correlationId = values.get('--correlation-id');
  const level = values.get('--level');
  return {
    query: {
      ...(service !== undefined && { service }),
      ...(correlationId !== undefined && { correlationId }),
      ...(level !== undefined && { level }),
      range: { startMs, endMs },
      limit,
    },
    json,
    remote,
  };
};

/** One readable line: time, level, service, correlation id (`-` when none), message. */
const formatLogLine = (e: LogEvent): string =>
  [
    new Date(e.timestampMs).toISOString(),
    e.level.padEnd(5),
    e.service,
    e.correlationId ?? '-',
    e.message === '' ? JSON.stringify(e.fields) : e.message.replaceAll('\n', '\\n'),
  ].join(' ');

/** One NDJSON line: the event as stored (normalised values and the original `fields`). */
const formatLogJson = (e: LogEvent): string => JSON.stringify(e);

/** Where `vigil logs` reads: the local files, or Logs Insights on the stack's log groups. */
const readerFor = async (remote: boolean, env: NodeJS.ProcessEnv): Promise<LogReader> => {
  if (!remote) {
    const dataDir = resolve(env[ENV.DATA_DIR] ?? '.vigil');
    return new FileLogStore({ dir: localLogsDir(dataDir) });
  }
  const { LogsInsightsLogReader } = await import(
    '../../lambdas/adapters/logs/logs-insights-reader'
  );
  const { config } = loadConfigFile(undefined, env);
  const services = config.logs.services;
  return new LogsInsightsLogReader({
    logGroupOf: logGroupResolver(config.project, services),
    allLogGroups: [...new Set([...services, DEFAULT_GROUP_SERVICE])].map((s) =>
      logGroupName(config.project, s),
    ),
  });
};

/** Options of {@link logs}. */
interface LogsCommandOptions {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** @default Date.now() */
  readonly nowMs?: number;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The reader to use instead of the one `--remote` selects (tests). */
  readonly reader?: LogReader;
}

/**
 * Runs `vigil logs <args>`.
 * @returns the exit code: 0 ok, 1 the read failed, 2 bad arguments.
 */
async function logs(args: readonly string[], options: LogsCommandOptions): Promise<number> {
  const parsed = parseLogsArgs(args, options.nowMs ?? Date.now());
  if ('help' in parsed) {
    options.out(USAGE);
    return ExitCode.Ok;
  }
  if ('error' in parsed) {
    options.err(`vigil logs: ${parsed.error}`);
    options.err(USAGE);
    return ExitCode.Usage;
  }
  let events: LogEvent[];
  try {
    const reader = options.reader ?? (await readerFor(parsed.remote, options.env ?? process.env));
    events = await reader.query(parsed.query);
  } catch (error) {
    options.err(`vigil logs: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  for (const e of events) options.out(parsed.json ? formatLogJson(e) : formatLogLine(e));
  if (events.length === 0 && !parsed.json) options.err('vigil logs: no matching events');
  return 0;
}

export type { LogsArgs, LogsCommandOptions };
export { formatLogLine, logs, parseLogsArgs, USAGE as LOGS_USAGE };
