/**
 * NDJSON files split by UTC day (`<dir>/<YYYY-MM-DD>.ndjson`), shared by the local log and event
 * stores: durable appends, reads of the days a time range covers, and path-safe directory names.
 */
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TimeRange } from '../../domain/ports';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;

/** The UTC day of `ms` as `YYYY-MM-DD`. */
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The file name (no directory) of the day holding `ms`. */
const dayFileName = (ms: number): string => `${utcDay(ms)}.ndjson`;

/**
 * A name that is safe as one path segment: characters other than letters, digits, `.`, `_` and
 * `-` become `_`, and a name that is empty or starts with `.` (so `.` and `..`) gets a leading `_`.
 * Different names may map to the same segment (`a/b`, `a_b`): readers must filter by the exact
 * name stored in each line.
 */
const safeSegment = (name: string): string => {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return s === '' || s.startsWith('.') ? `_${s}` : s;
};

/** Per-file queue so appends of one process never interleave. */
const tails = new Map<string, Promise<unknown>>();

const fsyncDir = async (dir: string): Promise<void> => {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the appended data itself is synced.
  }
};

const appendNow = async (path: string, body: string): Promise<void> => {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const handle = await open(path, 'a+');
  let created = false;
  try {
    const size = (await handle.stat()).size;
    created = size === 0;
    // After a crash mid-append the file ends in a torn line: start on a line of our own, or the
    // first new line would be glued to the torn one and be unreadable too.
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    await handle.appendFile(torn ? `\n${body}` : body, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A new file's directory entry must be durable too.
  if (created) await fsyncDir(dir);
};

/**
 * Appends `lines` (each without a newline) to `path` and fsyncs before resolving, so a resolved
 * append survives a crash. Appends to one file from this process are serialized. A crash during
 * an append can leave a torn last line, which {@link readNdjson} skips; the next append starts on
 * a new line, so the torn line never swallows an acknowledged one.
 */
const appendLines = (path: string, lines: readonly string[]): Promise<void> => {
  if (lines.length === 0) return Promise.resolve();
  const body = `${lines.join('\n')}\n`;
  const previous = tails.get(path) ?? Promise.resolve();
  const next = previous.then(
    () => appendNow(path, body),
    () => appendNow(path, body),
  );
  tails.set(path, next);
  const cleanup = (): void => {
    if (tails.get(path) === next) tails.delete(path);
  };
  next.then(cleanup, cleanup);
  return next;
};

/**
 * The parsed JSON values of the lines of `path` (none when the file does not exist). Blank and
 * unparseable lines (a torn last line after a crash) are skipped.
 */
const readNdjson = async (path: string): Promise<unknown[]> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // torn line: skipped
    }
  }
  return out;
};

/** Sub-directories of `dir` (none when it does not exist). */
const subdirectories = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
};

/** Earliest and latest instants an ISO day string can name (years 0000 to 9999). */
const MIN_DAY_MS = -62_167_219_200_000;
const MAX_DAY_MS = 253_402_300_799_999;

/**
 * Reads every line of the day files of `dir` that `range` touches, oldest day first: the
 * directory is listed and only files named for a day in the range are read.
 */
const readDays = async (dir: string, range: TimeRange): Promise<unknown[]> => {
  const start = Math.max(range.startMs, MIN_DAY_MS);
  const end = Math.min(range.endMs, MAX_DAY_MS);
  if (!(end >= start)) return [];
  const first = utcDay(start);
  const last = utcDay(end);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const days = names
    .map((n) => DAY_FILE.exec(n)?.[1])
    .filter((d): d is string => d !== undefined && d >= first && d <= last)
    .sort();
  const out: unknown[] = [];
  // A loop, not push(...rows): spreading 100,000 rows overflows the call stack.
  for (const day of days)
    for (const row of await readNdjson(join(dir, `${day}.ndjson`))) out.push(row);
  return out;
};

export { appendLines, dayFileName, readDays, readNdjson, safeSegment, subdirectories, utcDay };
