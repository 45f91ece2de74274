/**
 * `vigil repair [--data-dir <dir>]`: repairs the damaged files of a local data directory (the one
 * `npm start` refused to start on), keeping every damaged original beside its file. Exit 0 when
 * the directory is intact afterwards, 1 when it is not, 2 on a usage error.
 * See docs/local-data.md for what each repair keeps and what it loses.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findDamagedFiles, repairDataDirectory } from '../../lambdas/local/data-directory';
import { ENV } from '../../lambdas/shared/env';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';

interface RepairIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Suffix of the damaged originals. @default the current time, `YYYYMMDDTHHMMSSZ` */
  readonly suffix?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const USAGE = `usage: vigil repair [--data-dir <dir>]

Repairs the damaged files of a local data directory (the one \`npm start\` refused to start on),
keeping every damaged original beside its file (docs/local-data.md).

  --data-dir <dir>   the data directory (default $VIGIL_DATA_DIR, else .vigil)

exit codes: 0 intact afterwards, 1 still damaged, 2 usage error or no such directory`;

const repair = async (args: readonly string[], io: RepairIo): Promise<number> => {
  const parsed = parseFlags(args, { ...HELP_FLAG, 'data-dir': { type: 'string' } });
  if ('error' in parsed) {
    io.err(`vigil repair: ${parsed.error}`);
    io.err(USAGE);
    return ExitCode.Usage;
  }
  if (parsed.values.help === true) {
    io.out(USAGE);
    return ExitCode.Ok;
  }
  const dataDir =
    parsed.values['data-dir'] || (io.env?.[ENV.DATA_DIR] ?? process.env[ENV.DATA_DIR] ?? '.vigil');
  const dir = resolve(dataDir);
  if (!existsSync(dir)) {
    io.err(`vigil repair: data directory ${dir} does not exist`);
    return ExitCode.Usage;
  }
  const suffix =
    io.suffix ??
    new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  const done = await repairDataDirectory(dir, suffix);
  if (done.length === 0) io.out(`${dir}: every file is intact, nothing to repair`);
  for (const line of done) io.out(line);
  const left = findDamagedFiles(dir);
  for (const d of left) io.err(`still damaged: ${d.message}`);
  return left.length === 0 ? ExitCode.Ok : ExitCode.Failure;
};

export { repair };
