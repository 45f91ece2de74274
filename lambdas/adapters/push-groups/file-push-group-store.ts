/**
 * `PushGroupStore` for local mode: a snapshot of every group, `push-groups.json`, and a log of the
 * changes since, `push-groups.log` (one line per put or delete, appended and fdatasync'ed before
 * the change is acknowledged). A push costs one line of its own group, whatever the number of
 * groups held; when the log outgrows the snapshot (and 1 MiB) it is folded into a new snapshot,
 * written atomically (temp file, fsync, rename, directory fsync), and emptied, so the rewriting
 * costs a constant share of each push. A crash leaves the old or the new snapshot and at most a
 * torn last log line (never acknowledged, ignored on start): a restart finds every acknowledged
 * push. Values are stored as strings so NaN/±Inf survive (push-group-codec.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { PushGroup, PushGroupStore } from '../../domain/ports';
import { type Labels, seriesKey } from '../../domain/series/labels';
import { AppendLog } from '../files/append-log';
import { DataFileDamagedError } from '../files/data-file-damaged-error';
import { writeFileAtomicSync } from '../files/write-file-atomic';
import {
  decodeLabels,
  decodePushGroup,
  encodePushGroup,
  PushGroupDecodeError,
} from './push-group-codec';

/** Name of the snapshot inside the data directory. */
const PUSH_GROUPS_FILE = 'push-groups.json';
/** Name of the change log inside the data directory. */
const PUSH_GROUPS_LOG = 'push-groups.log';
const FORMAT_VERSION = 1;
/** The log is folded into the snapshot once it is larger than both the snapshot and this. */
const MIN_FOLD_BYTES = 1024 * 1024;

interface FilePushGroupStoreOptions {
  /** Directory of the embedded store (`ENV.DATA_DIR`); created when missing. */
  readonly directory: string;
}

const damaged = (path: string, offset: number, reason: string, cause: unknown) =>
  new DataFileDamagedError(
    path,
    offset,
    `not a push group file (${reason}). Restore it from a backup, or run \`vigil repair --data-dir <dir>\` to set it aside (the groups are forgotten until their jobs push again; their samples stay), see docs/local-data.md`,
    { cause },
  );

const loadSnapshot = (path: string, groups: Map<string, PushGroup>): void => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const doc = JSON.parse(text) as { version?: unknown; groups?: unknown };
    if (doc.version !== FORMAT_VERSION || !Array.isArray(doc.groups)) {
      throw new PushGroupDecodeError(`expected {"version":${FORMAT_VERSION},"groups":[...]}`);
    }
    for (const g of doc.groups.map(decodePushGroup)) groups.set(seriesKey(g.key), g);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const at = error instanceof SyntaxError ? /position (\d+)/.exec(reason)?.[1] : '0';
    throw damaged(path, at === undefined ? Buffer.byteLength(text) : Number(at), reason, error);
  }
};

/** Replays the change log; a last line without its newline was never acknowledged and is cut off. */
const replayLog = (path: string, groups: Map<string, PushGroup>, repair: boolean): void => {
  if (!existsSync(path)) return;
  const buf = readFileSync(path);
  const complete = buf.lastIndexOf(0x0a) + 1;
  const text = buf.subarray(0, complete).toString('utf8');
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line !== '') {
      try {
        const change = JSON.parse(line) as { put?: unknown; delete?: unknown };
        if (change.put !== undefined) {
          const g = decodePushGroup(change.put);
          groups.set(seriesKey(g.key), g);
        } else if (change.delete !== undefined)
          groups.delete(seriesKey(decodeLabels(change.delete, 'deleted key')));
        else throw new PushGroupDecodeError('expected {"put":{group}} or {"delete":{key}}');
      } catch (error) {
        throw damaged(path, offset, error instanceof Error ? error.message : String(error), error);
      }
    }
    offset += Buffer.byteLength(line) + 1;
  }
  if (repair && complete < buf.length) truncateSync(path, complete);
};

const load = (directory: string, repair: boolean): Map<string, PushGroup> => {
  const groups = new Map<string, PushGroup>();
  loadSnapshot(join(directory, PUSH_GROUPS_FILE), groups);
  replayLog(join(directory, PUSH_GROUPS_LOG), groups, repair);
  return groups;
};

/**
 * `vigil repair`: moves a damaged push group file of `directory` (snapshot or log) aside;
 * `undefined` when both are intact.
 */
const setAsideDamagedPushGroups = (
  directory: string,
  suffix: string,
): { file: string; movedTo: string; damage: DataFileDamagedError } | undefined => {
  let first: { file: string; movedTo: string; damage: DataFileDamagedError } | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      load(directory, false);
      return first;
    } catch (error) {
      if (!(error instanceof DataFileDamagedError)) throw error;
      const movedTo = `${error.file}.damaged-${suffix}`;
      renameSync(error.file, movedTo);
      first ??= { file: error.file, movedTo, damage: error };
    }
  }
  return first;
};

/** Pushgateway groups kept in memory, persisted as a snapshot plus a change log. */
class FilePushGroupStore implements PushGroupStore {
  readonly #snapshot: string;
  readonly #groups: Map<string, PushGroup>;
  readonly #log: AppendLog;
  #snapshotBytes: number;

  /** Loads the snapshot and the log; throws `DataFileDamagedError` when either is damaged. */
  constructor(options: FilePushGroupStoreOptions) {
    mkdirSync(options.directory, { recursive: true });
    this.#snapshot = join(options.directory, PUSH_GROUPS_FILE);
    this.#groups = load(options.directory, true);
    this.#snapshotBytes = existsSync(this.#snapshot) ? statSync(this.#snapshot).size : 0;
    this.#log = new AppendLog(join(options.directory, PUSH_GROUPS_LOG));
  }

  async get(key: Labels): Promise<PushGroup | undefined> {
    return this.#groups.get(seriesKey(key));
  }

  async put(group: PushGroup): Promise<void> {
    this.#groups.set(seriesKey(group.key), group);
    await this.#append(`${JSON.stringify({ put: encodePushGroup(group) })}\n`);
  }

  async delete(key: Labels): Promise<void> {
    if (!this.#groups.delete(seriesKey(key))) return;
    await this.#append(`${JSON.stringify({ delete: key })}\n`);
  }

  async list(): Promise<PushGroup[]> {
    return [...this.#groups.values()];
  }

  /** Folds the log into a new snapshot and empties the log. */
  compact(): void {
    this.#log.reset(() => {
      const body = JSON.stringify({
        version: FORMAT_VERSION,
        groups: [...this.#groups.values()].map(encodePushGroup),
      });
      writeFileAtomicSync(this.#snapshot, body);
      this.#snapshotBytes = Buffer.byteLength(body);
    });
  }

  /** Closes the log file. */
  close(): void {
    this.#log.close();
  }

  async #append(line: string): Promise<void> {
    await this.#log.append(line);
    if (this.#log.bytes > Math.max(MIN_FOLD_BYTES, this.#snapshotBytes)) this.compact();
  }
}

export type { FilePushGroupStoreOptions };
export { FilePushGroupStore, PUSH_GROUPS_FILE, PUSH_GROUPS_LOG, setAsideDamagedPushGroups };
