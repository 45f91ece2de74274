/**
 * `CounterStore` for local mode: every counter in one JSON file
 * `{"counters":{"<key>":<total>,…}}`, rewritten atomically and durably (temp file + fsync +
 * rename + directory fsync, `files/write-file-atomic.ts`) on every `add`, before it resolves.
 * Adds of one process are serialized; the file is read once, when the store is built, then kept
 * in memory, so only one process should use a file (local mode runs one). A damaged file is a
 * `DataFileDamagedError` at that point (local mode does not start), never a 503 on every request:
 * `vigil repair` rebuilds the counters from the log files they count ({@link rebuildCounters}).
 */
import { readFileSync, renameSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { counterKey } from '../../domain/logs/ingest-log-events';
import type { CounterStore } from '../../domain/ports';
import { DataFileDamagedError } from '../files/data-file-damaged-error';
import { readDays, subdirectories } from '../files/ndjson-day-files';
import { writeFileAtomic } from '../files/write-file-atomic';

/** Options of {@link FileCounterStore}. */
interface FileCounterStoreOptions {
  /** The JSON file; created (with its directory) on the first `add`. */
  readonly path: string;
}

/** The file local mode keeps counters in, under the data directory. */
const localCountersPath = (dataDir: string): string => join(dataDir, 'counters.json');

const COUNTERS_SHAPE = '{"counters":{"<key>":<number>,…}}';

/** Reads a counters file; `undefined` when there is none. Throws `DataFileDamagedError`. */
const readCountersFile = (path: string): Map<string, number> | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const remedy =
    'Run `vigil repair --data-dir <dir>` to rebuild the counters from the log files (the damaged file is kept beside it), see docs/local-data.md';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    const offset = at === undefined ? Buffer.byteLength(text) : Number(at);
    throw new DataFileDamagedError(
      path,
      offset,
      `not valid JSON (${(error as Error).message}). ${remedy}`,
      { cause: error },
    );
  }
  const raw = (doc as { counters?: unknown } | null)?.counters;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new DataFileDamagedError(path, 0, `not ${COUNTERS_SHAPE}. ${remedy}`);
  const counters = new Map<string, number>();
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new DataFileDamagedError(
        path,
        Math.max(0, text.indexOf(JSON.stringify(key))),
        `counter ${key} is ${JSON.stringify(value)}, not a count. ${remedy}`,
      );
    counters.set(key, value);
  }
  return counters;
};

/** Shared counters in one JSON file; see the file comment. */
class FileCounterStore implements CounterStore {
  readonly #path: string;
  #counters: Map<string, number>;
  #tail: Promise<unknown> = Promise.resolve();

  /** Reads the file now; throws `DataFileDamagedError` when it is damaged. */
  constructor(options: FileCounterStoreOptions) {
    this.#path = options.path;
    this.#counters = readCountersFile(this.#path) ?? new Map();
  }

  /** Adds each delta to its counter and returns the new totals in the same order. */
  add(increments: readonly { readonly key: string; readonly delta: number }[]): Promise<number[]> {
    const run = this.#tail.then(
      () => this.#add(increments),
      () => this.#add(increments),
    );
    this.#tail = run;
    return run;
  }

  async #add(
    increments: readonly { readonly key: string; readonly delta: number }[],
  ): Promise<number[]> {
    for (const { key, delta } of increments) {
      if (!Number.isFinite(delta)) {
        throw new RangeError(`counter ${key}: delta ${delta} is not a finite number`);
      }
    }
    const counters = new Map(this.#counters);
    const totals = increments.map(({ key, delta }) => {
      const total = (counters.get(key) ?? 0) + delta;
      counters.set(key, total);
      return total;
    });
    if (increments.length > 0) {
      await mkdir(dirname(this.#path), { recursive: true });
      const body = JSON.stringify({ counters: Object.fromEntries(counters) });
      await writeFileAtomic(this.#path, `${body}\n`);
      this.#counters = counters;
    }
    return totals;
  }
}

const ALL_TIME = { startMs: -62_167_219_200_000, endMs: 253_402_300_799_999 } as const;

/**
 * `vigil repair` for a damaged counters file: moves it to `<path>.damaged-<suffix>` and writes the
 * counts of the events in the log files (`<logsDir>/<service>/<day>.ndjson`) per
 * `{service, level}`: what `vigil_log_events_total` counts. Returns `undefined` when the file is
 * intact (it is left alone), else where the damaged one went and how many counters were rebuilt.
 */
const rebuildCounters = async (
  path: string,
  logsDir: string,
  suffix: string,
): Promise<{ movedTo: string; counters: number; damage: DataFileDamagedError } | undefined> => {
  try {
    readCountersFile(path);
    return undefined;
  } catch (error) {
    if (!(error instanceof DataFileDamagedError)) throw error;
    const counts = new Map<string, number>();
    for (const dir of await subdirectories(logsDir)) {
      for (const line of await readDays(join(logsDir, dir), ALL_TIME)) {
        const e = line as { service?: unknown; level?: unknown };
        if (typeof e?.service !== 'string' || typeof e.level !== 'string') continue;
        const key = counterKey(e.service, e.level);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const movedTo = `${path}.damaged-${suffix}`;
    renameSync(path, movedTo);
    await writeFileAtomic(path, `${JSON.stringify({ counters: Object.fromEntries(counts) })}\n`);
    return { movedTo, counters: counts.size, damage: error };
  }
};

export type { FileCounterStoreOptions };
export { FileCounterStore, localCountersPath, rebuildCounters };
