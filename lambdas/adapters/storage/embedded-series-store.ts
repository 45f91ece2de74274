import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { admitNamesInMemory } from '../../domain/ingest/name-budget';
import type {
  CardinalityTracker,
  NameBudget,
  NameRefusal,
  SeriesNames,
  SeriesStore,
  TimeRange,
  WriteResult,
} from '../../domain/ports';
import { type Labels, METRIC_NAME_LABEL, metricName, seriesKey } from '../../domain/series/labels';
import { type LabelMatcher, MatchOp, matchesAll } from '../../domain/series/matchers';
import { isStaleNaN, STALE_NAN, type Sample, type Series } from '../../domain/series/sample';
import { AppendLog } from '../files/append-log';
import type { ColumnSeries } from '../../domain/series/columns';
import { DataFileDamagedError } from '../files/data-file-damaged-error';
import { selectColumnsOf } from './embedded-series-read';
import { SampleColumns } from './sample-columns';

/**
 * The write-ahead log is folded into a snapshot once it is larger than this and than the last
 * snapshot: rewriting the snapshot then costs a constant share of the bytes written, whatever the
 * size of the store.
 */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;
const WAL_FILE = 'samples.wal';
const SNAPSHOT_FILE = 'samples.snapshot';
/** First line of a snapshot; a snapshot that starts with it must end with its end marker. */
const SNAPSHOT_HEADER = '{"vigil":"samples.snapshot","version":2}';
const END_MARKER_PREFIX = '{"end":';

type EncodedValue = number | 'NaN' | '+Inf' | '-Inf' | 'stale';

const encodeValue = (v: number): EncodedValue => {
  if (Number.isFinite(v)) return v;
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return isStaleNaN(v) ? 'stale' : 'NaN';
};

const decodeValue = (e: EncodedValue): number => {
  if (typeof e === 'number') return e;
  if (e === '+Inf') return Number.POSITIVE_INFINITY;
  if (e === '-Inf') return Number.NEGATIVE_INFINITY;
  return e === 'stale' ? STALE_NAN : Number.NaN;
};

interface StoredSeries {
  readonly labels: Labels;
  /** `JSON.stringify(labels)`, written in the series' defining log record. */
  readonly json: string;
  readonly samples: SampleColumns;
  /** The number the series' log records refer to it by, unique in this process. */
  readonly ref: number;
  /** The log generation whose file holds the series' defining record (-1: none yet). */
  loggedIn: number;
}

/** Cuts a log file back to its last complete line (a crash may have left half a record). */
const dropTornTail = (file: string): void => {
  if (!existsSync(file)) return;
  const buf = readFileSync(file);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
  truncateSync(file, buf.lastIndexOf(0x0a) + 1);
};

const ENCODED_WORDS: ReadonlySet<unknown> = new Set(['NaN', '+Inf', '-Inf', 'stale']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One stored line back into its parts, or why it is not one: `{"l":{labels},"s":[[t,v],…]}` (a
 * snapshot's records, and the log's before series references), `{"r":ref,"l":{labels},"s":…}`
 * (the log's first record of a series, which defines `ref`) or `{"r":ref,"s":…}` (the log's
 * later records of it).
 */
const decodeRecord = (
  line: string,
): { labels?: Labels; ref?: number; samples: Sample[] } | string => {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch (e) {
    return `not a JSON record (${(e as Error).message})`;
  }
  if (!isPlainObject(rec) || !Array.isArray(rec.s) || (rec.l === undefined && rec.r === undefined))
    return 'not a {"l":{labels},"s":[[t,v],…]} or {"r":ref,"s":[[t,v],…]} record';
  if (rec.l !== undefined) {
    if (!isPlainObject(rec.l)) return 'its labels ("l") are not an object';
    for (const [k, v] of Object.entries(rec.l))
      if (typeof v !== 'string') return `label ${JSON.stringify(k)} is not a string`;
  }
  if (rec.r !== undefined && !(Number.isSafeInteger(rec.r) && (rec.r as number) >= 0))
    return `series reference ${JSON.stringify(rec.r)} is not a non-negative integer`;
  const samples: Sample[] = [];
  for (const x of rec.s) {
    if (!Array.isArray(x) || x.length !== 2 || !Number.isSafeInteger(x[0]))
      return `sample ${JSON.stringify(x)} is not [integer ms, value]`;
    const v = x[1];
    if (!(typeof v === 'number' && Number.isFinite(v)) && !ENCODED_WORDS.has(v))
      return `sample value ${JSON.stringify(v)} is not a number, "NaN", "+Inf", "-Inf" or "stale"`;
    samples.push({ t: x[0] as number, v: decodeValue(v as EncodedValue) });
  }
  return {
    ...(rec.l !== undefined ? { labels: rec.l as Labels } : {}),
    ...(rec.r !== undefined ? { ref: rec.r as number } : {}),
    samples,
  };
};

/** Which file a reader reads: the snapshot is written whole (any damage is damage), the log is appended (a torn last line is a crash). */
type SampleFileKind = 'snapshot' | 'wal';

interface SampleFileRead {
  readonly records: { labels: Labels; samples: Sample[] }[];
  /** The first damage, if any (lenient reads go on past it). */
  readonly damage?: { offset: number; reason: string };
}

/**
 * Reads a snapshot or log file. Strict reads stop at the first damage; lenient reads (`vigil
 * repair`) keep every intact record and report the first damage.
 */
const readSampleFile = (file: string, kind: SampleFileKind, lenient: boolean): SampleFileRead => {
  const records: { labels: Labels; samples: Sample[] }[] = [];
  if (!existsSync(file)) return { records };
  const text = readFileSync(file, 'utf8');
  let damage: { offset: number; reason: string } | undefined;
  const damaged = (offset: number, reason: string): boolean => {
    damage ??= { offset, reason };
    return !lenient;
  };
  let start = 0;
  let nextOffset = 0;
  let versioned = false;
  let ended = false;
  const hash = createHash('sha256');
  let count = 0;
  /** The log's series references: a later definition of a number replaces an earlier one. */
  const refs = new Map<number, Labels>();
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const offset = nextOffset;
    if (end === -1) {
      // In the log, a line without its newline was cut by a crash mid-write, never acknowledged.
      if (kind === 'snapshot') damaged(offset, 'the last record is cut short');
      break;
    }
    const line = text.slice(start, end);
    start = end + 1;
    nextOffset += Buffer.byteLength(line) + 1;
    if (kind === 'snapshot' && offset === 0 && line === SNAPSHOT_HEADER) {
      versioned = true;
      continue;
    }
    if (ended) {
      if (damaged(offset, 'data after the end marker')) break;
      continue;
    }
    if (versioned && line.startsWith(END_MARKER_PREFIX)) {
      ended = true;
      const marker = (() => {
        try {
          return JSON.parse(line) as { end?: { records?: unknown; sha256?: unknown } };
        } catch {
          return {};
        }
      })();
      const digest = hash.copy().digest('hex');
      if (marker.end?.records !== count || marker.end?.sha256 !== digest)
        if (
          damaged(
            offset,
            `the end marker says ${JSON.stringify(marker.end?.records)} records, ${count} were read, or their checksum differs`,
          )
        )
          break;
      continue;
    }
    if (line === '' && kind === 'wal') continue;
    const rec = decodeRecord(line);
    if (typeof rec === 'string') {
      if (damaged(offset, rec)) break;
      continue;
    }
    if (rec.ref !== undefined && kind === 'snapshot') {
      if (damaged(offset, 'a snapshot record refers to a series instead of naming its labels'))
        break;
      continue;
    }
    const labels = rec.labels ?? refs.get(rec.ref as number);
    if (labels === undefined) {
      if (damaged(offset, `series reference ${rec.ref} comes before the record that defines it`))
        break;
      continue;
    }
    if (rec.ref !== undefined && rec.labels !== undefined) refs.set(rec.ref, rec.labels);
    hash.update(`${line}\n`);
    count++;
    records.push({ labels, samples: rec.samples });
  }
  if (versioned && !ended && damage === undefined)
    damaged(
      Buffer.byteLength(text),
      `the file ends after ${count} records without its end marker: it was cut short`,
    );
  return damage ? { records, damage } : { records };
};

/** The message of damage to a sample file, with the way out. */
const sampleFileDamage = (
  file: string,
  kind: SampleFileKind,
  damage: { offset: number; reason: string },
  intact: number,
): DataFileDamagedError =>
  new DataFileDamagedError(
    file,
    damage.offset,
    `${damage.reason}. Vigil does not start with samples missing. Restore ${kind === 'snapshot' ? SNAPSHOT_FILE : WAL_FILE} from a backup, or run \`vigil repair --data-dir <dir>\` to keep the ${intact} intact records (the damaged file is kept beside it), see docs/local-data.md`,
  );

/** What `repairSampleFiles` did to one file. */
interface SampleFileRepair {
  readonly file: string;
  readonly keptRecords: number;
  readonly damage: { offset: number; reason: string };
  /** Where the damaged original was moved. */
  readonly movedTo: string;
}

const writeSnapshotFile = (path: string, lines: Iterable<string>): void => {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  let count = 0;
  writeSync(fd, `${SNAPSHOT_HEADER}\n`);
  for (const line of lines) {
    hash.update(`${line}\n`);
    count++;
    writeSync(fd, `${line}\n`);
  }
  writeSync(fd, `${JSON.stringify({ end: { records: count, sha256: hash.digest('hex') } })}\n`);
  fsyncSync(fd);
  closeSync(fd);
};

const encodeRecord = (labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>): string => {
  const s: [number, EncodedValue][] = new Array(ts.length);
  for (let i = 0; i < ts.length; i++) s[i] = [ts[i] as number, encodeValue(vs[i] as number)];
  return JSON.stringify({ l: labels, s });
};

/** A value as `encodeRecord` writes it (JSON.stringify of `encodeValue`). */
const valueJson = (v: number): string => {
  if (Number.isFinite(v)) return String(v);
  if (v === Number.POSITIVE_INFINITY) return '"+Inf"';
  if (v === Number.NEGATIVE_INFINITY) return '"-Inf"';
  return isStaleNaN(v) ? '"stale"' : '"NaN"';
};

/**
 * `vigil repair` for the embedded store in `dataDir`: each damaged file (snapshot or log) is
 * moved aside to `<name>.damaged-<suffix>` and rewritten with its intact records. Files without
 * damage are left alone. Returns what was done, one entry per repaired file.
 */
const repairSampleFiles = (dataDir: string, suffix: string): SampleFileRepair[] => {
  const done: SampleFileRepair[] = [];
  for (const [name, kind] of [
    [SNAPSHOT_FILE, 'snapshot'],
    [WAL_FILE, 'wal'],
  ] as const) {
    const file = join(dataDir, name);
    const read = readSampleFile(file, kind, true);
    if (!read.damage) continue;
    const movedTo = `${file}.damaged-${suffix}`;
    renameSync(file, movedTo);
    const lines = read.records.map((r) =>
      encodeRecord(
        r.labels,
        r.samples.map((x) => x.t),
        r.samples.map((x) => x.v),
      ),
    );
    if (kind === 'snapshot') writeSnapshotFile(file, lines);
    else {
      const fd = openSync(file, 'w');
      for (const line of lines) writeSync(fd, `${line}\n`);
      fsyncSync(fd);
      closeSync(fd);
    }
    done.push({ file, keptRecords: read.records.length, damage: read.damage, movedTo });
  }
  return done;
};

/**
 * The local-mode sample store: every series in memory, every write appended to a write-ahead
 * log under the data directory and fdatasync'ed before `write` returns, so a restart (or a
 * crash) loses nothing that was acknowledged. Writes arriving together share one log write and
 * one sync (`AppendLog`). The log is folded into a snapshot when it outgrows both 64 MiB and the
 * snapshot. Same timestamp twice in a series: the last write wins (as on Timestream, see docs/ingest.md).
 */
class EmbeddedSeriesStore implements SeriesStore, CardinalityTracker {
  readonly #dir: string;
  readonly #series = new Map<string, StoredSeries>();
  readonly #byMetric = new Map<string, Set<string>>();
  /**
   * Label names (`__name__` excluded) of the stored series, plus those `admitNames` admitted
   * since start-up: the names Timestream would count as the table's dimensions.
   */
  readonly #dimensionNames = new Set<string>();
  /** Metric names of the stored series, plus those `admitNames` admitted since start-up. */
  readonly #measureNames = new Set<string>();
  readonly #wal: AppendLog;
  #snapshotBytes = 0;
  #nextRef = 0;

  /** Opens (or creates) the store in `dataDir`, replaying the snapshot and the log. */
  constructor(opts: { dataDir: string }) {
    this.#dir = opts.dataDir;
    mkdirSync(this.#dir, { recursive: true });
    const snapshot = join(this.#dir, SNAPSHOT_FILE);
    this.#load(snapshot, 'snapshot');
    this.#load(join(this.#dir, WAL_FILE), 'wal');
    if (existsSync(snapshot)) this.#snapshotBytes = statSync(snapshot).size;
    // Appending after a torn line would glue the next record to it and make the log unreadable.
    dropTornTail(join(this.#dir, WAL_FILE));
    this.#wal = new AppendLog(join(this.#dir, WAL_FILE));
  }

  /** Number of series held. */
  get seriesCount(): number {
    return this.#series.size;
  }

  async write(series: readonly Series[], keys?: readonly string[]): Promise<WriteResult> {
    let accepted = 0;
    let text = '';
    for (let j = 0; j < series.length; j++) {
      const s = series[j] as Series;
      if (s.samples.length === 0) continue;
      const stored = this.#apply(s.labels, s.samples, keys?.[j]);
      accepted += s.samples.length;
      // A series' first record in this log generation names its labels, the later ones its ref.
      if (stored.loggedIn === this.#wal.generation) text += `{"r":${stored.ref},"s":[`;
      else {
        text += `{"r":${stored.ref},"l":${stored.json},"s":[`;
        stored.loggedIn = this.#wal.generation;
      }
      for (let i = 0; i < s.samples.length; i++) {
        const x = s.samples[i] as Sample;
        text += `${i === 0 ? '' : ','}[${x.t},${valueJson(x.v)}]`;
      }
      text += ']}\n';
    }
    if (text !== '') {
      await this.#wal.append(text);
      if (this.#wal.bytes > Math.max(COMPACT_AT_BYTES, this.#snapshotBytes)) this.compact();
    }
    return { accepted, rejected: [] };
  }

  async select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    const out: Series[] = [];
    for (const s of this.#candidates(matchers)) {
      if (!matchesAll(matchers, s.labels)) continue;
      const cols = s.samples;
      const from = cols.lowerBound(range.startMs);
      const to = cols.lowerBound(range.endMs + 1);
      if (from >= to) continue;
      const samples: Sample[] = new Array(to - from);
      for (let i = from; i < to; i++) samples[i - from] = { t: cols.timeAt(i), v: cols.valueAt(i) };
      out.push({ labels: s.labels, samples });
    }
    return out;
  }

  async selectColumns(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
  ): Promise<ColumnSeries[]> {
    return selectColumnsOf(this.#candidates(matchers), matchers, range);
  }

  async series(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<Labels[]> {
    return this.#matching(matcherSets, range).map((s) => s.labels);
  }

  async labelNames(
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.#matching(matcherSets, range))
      for (const n of Object.keys(s.labels)) names.add(n);
    return [...names].sort();
  }

  async labelValues(
    name: string,
    matcherSets: readonly (readonly LabelMatcher[])[],
    range: TimeRange,
  ): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.#matching(matcherSets, range)) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  async admit(
    series: readonly { readonly metric: string; readonly key: string }[],
    limitPerMetric: number,
  ): Promise<ReadonlySet<string>> {
    const refused = new Set<string>();
    const added = new Map<string, Set<string>>();
    for (const { metric, key } of series) {
      if (this.#series.has(key)) continue;
      const pending = added.get(metric) ?? new Set<string>();
      if (pending.has(key)) continue;
      const known = this.#byMetric.get(metric)?.size ?? 0;
      if (known + pending.size >= limitPerMetric) refused.add(key);
      else {
        pending.add(key);
        added.set(metric, pending);
      }
    }
    return refused;
  }

  /**
   * The same rule as `DynamoDbCardinalityTracker.admitNames`, over the names this store holds
   * (those of its series, and those admitted since start-up).
   */
  async admitNames(
    series: readonly SeriesNames[],
    budget: NameBudget,
  ): Promise<ReadonlyMap<number, NameRefusal>> {
    return admitNamesInMemory(
      { dimensions: this.#dimensionNames, measures: this.#measureNames },
      series,
      budget,
    );
  }

  /** Folds the log into a new snapshot (written to a temp file, fsync'ed, renamed) and empties the log. */
  compact(): void {
    this.#wal.reset(() => {
      const tmp = join(this.#dir, `${SNAPSHOT_FILE}.tmp`);
      const series = this.#series.values();
      writeSnapshotFile(
        tmp,
        (function* () {
          for (const s of series) {
            const { t, v } = s.samples.view(0, s.samples.length);
            yield encodeRecord(s.labels, t, v);
          }
        })(),
      );
      renameSync(tmp, join(this.#dir, SNAPSHOT_FILE));
      this.#snapshotBytes = statSync(join(this.#dir, SNAPSHOT_FILE)).size;
    });
  }

  close(): void {
    this.#wal.close();
  }

  /** Replays a sample file; damage is a `DataFileDamagedError` naming the file and offset. */
  #load(file: string, kind: SampleFileKind): void {
    const read = readSampleFile(file, kind, false);
    if (read.damage) {
      const intact = readSampleFile(file, kind, true).records.length;
      throw sampleFileDamage(file, kind, read.damage, intact);
    }
    for (const r of read.records) this.#apply(r.labels, r.samples);
  }

  #apply(labels: Labels, samples: readonly Sample[], knownKey?: string): StoredSeries {
    const key = knownKey ?? seriesKey(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = {
        labels,
        json: JSON.stringify(labels),
        samples: new SampleColumns(samples.length),
        ref: this.#nextRef++,
        loggedIn: -1,
      };
      this.#series.set(key, s);
      const name = metricName(labels);
      let set = this.#byMetric.get(name);
      if (!set) {
        set = new Set();
        this.#byMetric.set(name, set);
      }
      set.add(key);
      this.#measureNames.add(name);
      for (const label of Object.keys(labels)) {
        if (label !== METRIC_NAME_LABEL) this.#dimensionNames.add(label);
      }
    }
    s.samples.append(samples);
    return s;
  }

  #candidates(matchers: readonly LabelMatcher[]): Iterable<StoredSeries> {
    const byName = matchers.find((m) => m.name === '__name__' && m.op === MatchOp.Equal);
    if (!byName) return this.#series.values();
    const keys = this.#byMetric.get(byName.value);
    if (!keys) return [];
    const series = this.#series;
    return (function* () {
      for (const k of keys) {
        const s = series.get(k);
        if (s) yield s;
      }
    })();
  }

  #matching(matcherSets: readonly (readonly LabelMatcher[])[], range: TimeRange): StoredSeries[] {
    const out: StoredSeries[] = [];
    const inRange = (s: StoredSeries): boolean => {
      const i = s.samples.lowerBound(range.startMs);
      return i < s.samples.length && s.samples.timeAt(i) <= range.endMs;
    };
    if (matcherSets.length === 0) {
      for (const s of this.#series.values()) if (inRange(s)) out.push(s);
      return out;
    }
    const seen = new Set<StoredSeries>();
    for (const ms of matcherSets) {
      for (const s of this.#candidates(ms)) {
        if (!seen.has(s) && matchesAll(ms, s.labels) && inRange(s)) {
          seen.add(s);
          out.push(s);
        }
      }
    }
    return out;
  }
}

export type { SampleFileRepair };
export { EmbeddedSeriesStore, repairSampleFiles };
