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

interface RepairIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Suffix of the damaged originals. @default the current time, `YYYYMMDDTHHMMSSZ` */
  readonly suffix?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const repair = async (args: readonly string[], io: RepairIo): Promise<number> => {
  let dataDir = io.env?.[ENV.DATA_DIR] ?? process.env[ENV.DATA_DIR] ?? '.vigil';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--data-dir' && args[i + 1] !== undefined) dataDir = args[++i] as string;
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else {
      io.err(
        `vigil repair: unexpected argument ${JSON.stringify(arg)}; usage: vigil repair [--data-dir <dir>]`,
      );
      return 2;
    }
  }
  const dir = resolve(dataDir);
  if (!existsSync(dir)) {
    io.err(`vigil repair: data directory ${dir} does not exist`);
    return 2;
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
  return left.length === 0 ? 0 : 1;
};

export { repair };
