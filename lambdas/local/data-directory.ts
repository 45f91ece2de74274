/**
 * The local data directory as a whole: the check local mode runs before it starts, and
 * `vigil repair`. docs/local-data.md lists the files, what damage to each means, and the way out.
 */
import { join } from 'node:path';
import {
  checkAlertStateDirectory,
  setAsideDamagedDocuments,
} from '../adapters/alert-state/file-alert-state-store';
import { FileCounterStore, rebuildCounters } from '../adapters/counters/file-counter-store';
import { DataFileDamagedError } from '../adapters/files/data-file-damaged-error';
import { localLogsDir } from '../adapters/logs/file-log-store';
import {
  FilePushGroupStore,
  setAsideDamagedPushGroups,
} from '../adapters/push-groups/file-push-group-store';
import { EmbeddedSeriesStore, repairSampleFiles } from '../adapters/storage/embedded-series-store';

/** Directories of versioned state documents (alert and dispatcher state, scrape state). */
const STATE_DIRECTORIES = ['alerts', 'scrape'] as const;

/** One or more files of the data directory are damaged; local mode does not start. */
class DataDirectoryDamagedError extends Error {
  override readonly name = 'DataDirectoryDamagedError';
  readonly damaged: readonly DataFileDamagedError[];
  constructor(dataDir: string, damaged: readonly DataFileDamagedError[]) {
    super(
      [
        `Vigil did not start: ${damaged.length === 1 ? 'a file' : `${damaged.length} files`} of the data directory ${dataDir} ${damaged.length === 1 ? 'is' : 'are'} damaged, and nothing was changed.`,
        ...damaged.map((d) => `  ${d.message}`),
        `Way out: restore the files from a backup, or run \`npx vigil repair --data-dir ${dataDir}\` (see docs/local-data.md).`,
      ].join('\n'),
    );
    this.damaged = damaged;
  }
}

const collect = (damaged: DataFileDamagedError[], open: () => unknown): void => {
  try {
    const opened = open() as { close?: () => void } | undefined;
    opened?.close?.();
  } catch (error) {
    if (!(error instanceof DataFileDamagedError)) throw error;
    damaged.push(error);
  }
};

/**
 * Reads the files of `dataDir` the way the stores will and returns one `DataFileDamagedError` per
 * damaged file (name, byte offset, reason, way out). Changes nothing. The samples are left out
 * with `samples: false`: local mode learns about them when its store loads them, without reading
 * them twice.
 */
const findDamagedFiles = (
  dataDir: string,
  { samples = true }: { samples?: boolean } = {},
): DataFileDamagedError[] => {
  const damaged: DataFileDamagedError[] = [];
  if (samples)
    collect(damaged, () => new EmbeddedSeriesStore({ dataDir: join(dataDir, 'samples') }));
  collect(damaged, () => new FilePushGroupStore({ directory: join(dataDir, 'pushgateway') }));
  collect(damaged, () => new FileCounterStore({ path: join(dataDir, 'counters.json') }));
  for (const dir of STATE_DIRECTORIES)
    damaged.push(...checkAlertStateDirectory(join(dataDir, dir)));
  return damaged;
};

/**
 * `vigil repair`: repairs each damaged file of `dataDir` and returns one line per action (none
 * when everything is intact). Every damaged original is kept beside its file as
 * `<name>.damaged-<suffix>`.
 * - samples snapshot and log: rewritten with their intact records;
 * - counters.json: rebuilt from the log files, whose events it counts;
 * - push groups, alert/scrape state documents: set aside (forgotten until pushed or evaluated again).
 */
const repairDataDirectory = async (dataDir: string, suffix: string): Promise<string[]> => {
  const lines: string[] = [];
  for (const r of repairSampleFiles(join(dataDir, 'samples'), suffix))
    lines.push(
      `${r.file}: damaged at byte ${r.damage.offset} (${r.damage.reason}); kept ${r.keptRecords} intact records; the damaged file is ${r.movedTo}`,
    );
  const groups = setAsideDamagedPushGroups(join(dataDir, 'pushgateway'), suffix);
  if (groups)
    lines.push(
      `${groups.file}: damaged at byte ${groups.damage.offset}; set aside as ${groups.movedTo} (groups are forgotten until their jobs push again)`,
    );
  const counters = await rebuildCounters(
    join(dataDir, 'counters.json'),
    localLogsDir(dataDir),
    suffix,
  );
  if (counters)
    lines.push(
      `${join(dataDir, 'counters.json')}: damaged at byte ${counters.damage.offset}; rebuilt ${counters.counters} counters from the log files; the damaged file is ${counters.movedTo}`,
    );
  for (const dir of STATE_DIRECTORIES)
    for (const d of setAsideDamagedDocuments(join(dataDir, dir), suffix))
      lines.push(
        `${d.file}: damaged at byte ${d.damage.offset}; set aside as ${d.movedTo} (this state starts over)`,
      );
  return lines;
};

export { DataDirectoryDamagedError, findDamagedFiles, repairDataDirectory };
