/**
 * `PushGroupStore` for local mode: every group in one JSON file, `push-groups.json`, under a
 * directory. The file is read once when the store is built and rewritten whole on every change,
 * atomically: write a temporary file, fsync it, rename it over the old one, fsync the directory.
 * A crash leaves either the old or the new file, never half of one, and a restart finds every
 * acknowledged push. Values are stored as strings so NaN/±Inf survive (push-group-codec.ts).
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { PushGroup, PushGroupStore } from '../../domain/ports';
import { type Labels, seriesKey } from '../../domain/series/labels';
import { decodePushGroup, encodePushGroup, PushGroupDecodeError } from './push-group-codec';
import { DataFileDamagedError } from '../files/data-file-damaged-error';
import { writeFileAtomic } from '../files/write-file-atomic';

/** Name of the file inside the data directory. */
const PUSH_GROUPS_FILE = 'push-groups.json';
const FORMAT_VERSION = 1;

interface FilePushGroupStoreOptions {
  /** Directory of the embedded store (`ENV.DATA_DIR`); created when missing. */
  readonly directory: string;
}

const load = (path: string): Map<string, PushGroup> => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  try {
    const doc = JSON.parse(text) as { version?: unknown; groups?: unknown };
    if (doc.version !== FORMAT_VERSION || !Array.isArray(doc.groups)) {
      throw new PushGroupDecodeError(`expected {"version":${FORMAT_VERSION},"groups":[...]}`);
    }
    const groups = doc.groups.map(decodePushGroup);
    return new Map(groups.map((g) => [seriesKey(g.key), g]));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const at = error instanceof SyntaxError ? /position (\d+)/.exec(reason)?.[1] : '0';
    throw new DataFileDamagedError(
      path,
      at === undefined ? Buffer.byteLength(text) : Number(at),
      `not a push group file (${reason}). Restore it from a backup, or run \`vigil repair --data-dir <dir>\` to set it aside (the groups are forgotten until their jobs push again; their samples stay), see docs/local-data.md`,
      { cause: error },
    );
  }
};

/** `vigil repair`: moves a damaged push group file of `directory` aside; `undefined` when intact. */
const setAsideDamagedPushGroups = (
  directory: string,
  suffix: string,
): { file: string; movedTo: string; damage: DataFileDamagedError } | undefined => {
  const path = join(directory, PUSH_GROUPS_FILE);
  try {
    load(path);
    return undefined;
  } catch (error) {
    if (!(error instanceof DataFileDamagedError)) throw error;
    const movedTo = `${path}.damaged-${suffix}`;
    renameSync(path, movedTo);
    return { file: path, movedTo, damage: error };
  }
};

/** Pushgateway groups kept in memory and persisted to one JSON file. */
class FilePushGroupStore implements PushGroupStore {
  readonly #directory: string;
  readonly #path: string;
  readonly #groups: Map<string, PushGroup>;
  /** Writes run one after another, each with the state at its turn. */
  #queue: Promise<void> = Promise.resolve();

  /** Loads the existing file; throws `DataFileDamagedError` when it is damaged. */
  constructor(options: FilePushGroupStoreOptions) {
    this.#directory = options.directory;
    mkdirSync(this.#directory, { recursive: true });
    this.#path = join(this.#directory, PUSH_GROUPS_FILE);
    this.#groups = load(this.#path);
  }

  async get(key: Labels): Promise<PushGroup | undefined> {
    return this.#groups.get(seriesKey(key));
  }

  async put(group: PushGroup): Promise<void> {
    this.#groups.set(seriesKey(group.key), group);
    await this.#persist();
  }

  async delete(key: Labels): Promise<void> {
    if (!this.#groups.delete(seriesKey(key))) return;
    await this.#persist();
  }

  async list(): Promise<PushGroup[]> {
    return [...this.#groups.values()];
  }

  /** Queues a rewrite of the file; resolves once the new content is durable. */
  #persist(): Promise<void> {
    const run = this.#queue.then(() => this.#write());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(): Promise<void> {
    const body = JSON.stringify({
      version: FORMAT_VERSION,
      groups: [...this.#groups.values()].map(encodePushGroup),
    });
    await writeFileAtomic(this.#path, body);
  }
}

export type { FilePushGroupStoreOptions };
export { FilePushGroupStore, PUSH_GROUPS_FILE, setAsideDamagedPushGroups };
