/**
 * `AlertStateStore` for local mode: one JSON file per document key under a directory,
 * `{"key":…,"version":n,"updatedAt":…,"state":…}`.
 *
 * File names: the key made safe ({@link fileNameOf}: letters, digits, `-` and `_` kept, the rest
 * replaced, at most 80 characters) followed by 16 hex digits of the key's SHA-256, so different
 * keys never share a file, even on case-insensitive file systems, and any key is a valid name.
 *
 * Writes are atomic and durable: a temporary file is written and fsynced, renamed over the old
 * one, then the directory is fsynced; a crash leaves the old or the new document, never half of
 * one. The version check is made against the file on disk, not a cached copy, while holding a
 * lock file (`<name>.lock`, created exclusively), so two processes sharing the directory cannot
 * both save on the same version; saves of one process are also queued per key. A lock left by a
 * crashed process is broken once it is older than {@link STALE_LOCK_MS}.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageUnavailableError } from '../../domain/errors';
import type { AlertStateStore } from '../../domain/ports';
import { DataFileDamagedError } from '../files/data-file-damaged-error';
import { writeFileAtomic } from '../files/write-file-atomic';

/** A lock file older than this is considered left by a crashed process and removed. */
const STALE_LOCK_MS = 30_000;
/** Longest readable part of a file name, characters. */
const MAX_SLUG_CHARS = 80;
const LOCK_RETRY_MS = 10;

interface FileAlertStateStoreOptions {
  /** Directory holding the documents; created when missing. */
  readonly directory: string;
  /** Time source for `updatedAt`, ms (locks always use the wall clock). @default `Date.now` */
  readonly now?: () => number;
  /** How long `save` waits for another process's lock before failing, ms. @default 2000 */
  readonly lockWaitMs?: number;
}

interface StoredDocument {
  readonly key: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly state: unknown;
}

/** The file name (without directory) of a document key. */
const fileNameOf = (key: string): string => {
  const slug = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, MAX_SLUG_CHARS);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  return `${slug}.${hash}.json`;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const errnoCode = (error: unknown): string | undefined =>
  (error as NodeJS.ErrnoException | undefined)?.code;

const DOCUMENT_FILE = /^.+\.[0-9a-f]{16}\.json$/;

/** Why the text of document file `name` is not a document, or `undefined` when it is one. */
const documentDamage = (
  name: string,
  text: string,
): { offset: number; reason: string } | undefined => {
  let doc: Partial<StoredDocument>;
  try {
    doc = JSON.parse(text) as Partial<StoredDocument>;
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    return {
      offset: at === undefined ? Buffer.byteLength(text) : Number(at),
      reason: `not valid JSON (${(error as Error).message})`,
    };
  }
  if (
    typeof doc !== 'object' ||
    doc === null ||
    typeof doc.key !== 'string' ||
    !Number.isSafeInteger(doc.version) ||
    (doc.version ?? 0) < 1 ||
    typeof doc.updatedAt !== 'string' ||
    !('state' in doc)
  )
    return { offset: 0, reason: 'not a {"key":…,"version":n,"updatedAt":…,"state":…} document' };
  if (fileNameOf(doc.key) !== name)
    return {
      offset: 0,
      reason: `holds key ${JSON.stringify(doc.key)}, whose file is ${fileNameOf(doc.key)}`,
    };
  return undefined;
};

/**
 * Checks every document file of `directory` (alert state, dispatcher state, scrape state), as
 * local mode does before it starts: a damaged one would otherwise answer 503 on every read.
 * Returns one `DataFileDamagedError` per damaged file.
 */
const checkAlertStateDirectory = (directory: string): DataFileDamagedError[] => {
  let names: string[];
  try {
    names = readdirSync(directory).filter((n) => DOCUMENT_FILE.test(n));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const damaged: DataFileDamagedError[] = [];
  for (const name of names.sort()) {
    const path = join(directory, name);
    const damage = documentDamage(name, readFileSync(path, 'utf8'));
    if (damage)
      damaged.push(
        new DataFileDamagedError(
          path,
          damage.offset,
          `${damage.reason}. Restore the file from a backup, or run \`vigil repair --data-dir <dir>\` to set it aside (that state starts over: alerts go through pending again), see docs/local-data.md`,
        ),
      );
  }
  return damaged;
};

/** `vigil repair`: moves each damaged document of `directory` to `<file>.damaged-<suffix>`. */
const setAsideDamagedDocuments = (
  directory: string,
  suffix: string,
): { file: string; movedTo: string; damage: DataFileDamagedError }[] =>
  checkAlertStateDirectory(directory).map((damage) => {
    const movedTo = `${damage.file}.damaged-${suffix}`;
    renameSync(damage.file, movedTo);
    return { file: damage.file, movedTo, damage };
  });

/** Versioned alert-state documents as JSON files; see the file comment for the guarantees. */
class FileAlertStateStore implements AlertStateStore {
  readonly #directory: string;
  readonly #now: () => number;
  readonly #lockWaitMs: number;
  /** Per-key tail of queued saves, so saves of one process run one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: FileAlertStateStoreOptions) {
    this.#directory = options.directory;
    this.#now = options.now ?? Date.now;
    this.#lockWaitMs = options.lockWaitMs ?? 2000;
    mkdirSync(this.#directory, { recursive: true });
  }

  /** The document on disk; throws `StorageUnavailableError` naming the file when it is corrupt. */
  async load(key: string): Promise<{ state: unknown; version: number } | undefined> {
    const doc = await this.#read(key);
    return doc && { state: doc.state, version: doc.version };
  }

  /** Saves when the version on disk is still `expectedVersion`; false on a conflict. */
  save(key: string, state: unknown, expectedVersion: number): Promise<boolean> {
    const json = JSON.stringify(state);
    if (json === undefined) {
      return Promise.reject(new TypeError(`alert state ${key} is not JSON-serialisable`));
    }
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.#save(key, json, expectedVersion));
    const tail = run.catch(() => undefined);
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }

  async #save(key: string, json: string, expectedVersion: number): Promise<boolean> {
    const path = this.#pathOf(key);
    const unlock = await this.#lock(`${path}.lock`);
    try {
      const current = await this.#read(key);
      if ((current?.version ?? 0) !== expectedVersion) return false;
      const body = `{"key":${JSON.stringify(key)},"version":${expectedVersion + 1},"updatedAt":${JSON.stringify(new Date(this.#now()).toISOString())},"state":${json}}\n`;
      await this.#writeAtomically(path, body);
      return true;
    } finally {
      await unlock();
    }
  }

  async #read(key: string): Promise<StoredDocument | undefined> {
    const path = this.#pathOf(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw new StorageUnavailableError(`cannot read alert state file ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    try {
      const doc = JSON.parse(text) as Partial<StoredDocument>;
      if (doc.key !== key || !Number.isSafeInteger(doc.version) || (doc.version ?? 0) < 1) {
        throw new Error(`expected {"key":${JSON.stringify(key)},"version":n,...}`);
      }
      return doc as StoredDocument;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StorageUnavailableError(`alert state file ${path} is unreadable: ${reason}`, {
        cause: error,
      });
    }
  }

  /** Takes the lock file, waiting for another holder and breaking a stale lock. */
  async #lock(lockPath: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.#lockWaitMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') {
          throw new StorageUnavailableError(`cannot create lock file ${lockPath}`, {
            cause: error,
          });
        }
      }
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StorageUnavailableError(
          `alert state lock ${lockPath} is held by another process; retry`,
        );
      }
      await sleep(LOCK_RETRY_MS);
    }
  }

  async #writeAtomically(path: string, body: string): Promise<void> {
    try {
      await writeFileAtomic(path, body);
    } catch (error) {
      throw new StorageUnavailableError(`cannot write alert state file ${path}`, { cause: error });
    }
  }

  #pathOf(key: string): string {
    return join(this.#directory, fileNameOf(key));
  }
}

export type { FileAlertStateStoreOptions };
export {
  checkAlertStateDirectory,
  FileAlertStateStore,
  fileNameOf,
  STALE_LOCK_MS,
  setAsideDamagedDocuments,
};
