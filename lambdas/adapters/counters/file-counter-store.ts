/**
 * `CounterStore` for local mode: every counter in one JSON file
 * `{"counters":{"<key>":<total>,…}}`, rewritten atomically and durably (temp file + fsync +
 * rename + directory fsync, `files/write-file-atomic.ts`) on every `add`, before it resolves.
 * Adds of one process are serialized; the file is read once, then kept in memory, so only one
 * process should use a file (local mode runs one).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StorageUnavailableError } from '../../domain/errors';
import type { CounterStore } from '../../domain/ports';
import { writeFileAtomic } from '../files/write-file-atomic';

/** Options of {@link FileCounterStore}. */
interface FileCounterStoreOptions {
  /** The JSON file; created (with its directory) on the first `add`. */
  readonly path: string;
}

/** The file local mode keeps counters in, under the data directory. */
const localCountersPath = (dataDir: string): string => join(dataDir, 'counters.json');

/** Shared counters in one JSON file; see the file comment. */
class FileCounterStore implements CounterStore {
  readonly #path: string;
  #counters: Map<string, number> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: FileCounterStoreOptions) {
    this.#path = options.path;
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
    const counters = new Map(await this.#load());
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

  async #load(): Promise<Map<string, number>> {
    if (this.#counters) return this.#counters;
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#counters = new Map();
      return this.#counters;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new StorageUnavailableError(`counter file ${this.#path} is not valid JSON`, {
        cause: error,
      });
    }
    const raw = (doc as { counters?: unknown } | null)?.counters;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new StorageUnavailableError(`counter file ${this.#path} has no "counters" object`);
    }
    this.#counters = new Map(
      Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    return this.#counters;
  }
}

export type { FileCounterStoreOptions };
export { FileCounterStore, localCountersPath };
