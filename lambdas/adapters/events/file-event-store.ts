/**
 * `EventStore` for local mode: prediction records as NDJSON files `<dir>/<YYYY-MM-DD>.ndjson`
 * (UTC day of the record), one `PredictionRecord` JSON object per line:
 * `{"timestampMs":…,"service":"…","model":"…","modelVersion":"…","measures":{"confidence":0.93,…}}`.
 *
 * Appends are durable (fsync before `write` resolves) and serialized per file within the
 * process; a query reads only the day files its range covers.
 */
import { join } from 'node:path';
import type {
  BatchResult,
  EventStore,
  PredictionQuery,
  PredictionRecord,
} from '../../domain/ports';
import { appendLines, dayFileName, readDays } from '../files/ndjson-day-files';

/** Options of {@link FileEventStore}. */
interface FileEventStoreOptions {
  /** Directory of the day files; created on first write. */
  readonly dir: string;
}

/** The directory local mode keeps prediction events in, under the data directory. */
const localEventsDir = (dataDir: string): string => join(dataDir, 'events');

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored line back into a record, or undefined when it is not one. */
const recordOf = (line: unknown): PredictionRecord | undefined => {
  if (!isObj(line)) return undefined;
  const { timestampMs, service, model, modelVersion, measures } = line;
  if (
    typeof timestampMs !== 'number' ||
    typeof service !== 'string' ||
    typeof model !== 'string' ||
    typeof modelVersion !== 'string' ||
    !isObj(measures)
  ) {
    return undefined;
  }
  const kept: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(measures)) {
    if (typeof v === 'number' || typeof v === 'string') kept[k] = v;
  }
  return { timestampMs, service, model, modelVersion, measures: kept };
};

/** Local prediction events as NDJSON day files. */
class FileEventStore implements EventStore {
  readonly #dir: string;

  constructor(options: FileEventStoreOptions) {
    this.#dir = options.dir;
  }

  /**
   * Appends every record to its day file. Numbers that JSON cannot carry (NaN, ±Inf) are
   * refused by index, as the Timestream store refuses them.
   */
  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    const byFile = new Map<string, string[]>();
    const rejected: { index: number; reason: string }[] = [];
    records.forEach((r, index) => {
      const bad = Object.entries(r.measures).find(
        ([, v]) => typeof v === 'number' && !Number.isFinite(v),
      );
      if (bad) {
        rejected.push({ index, reason: `measure '${bad[0]}' is ${bad[1]}: not a finite number` });
        return;
      }
      const path = join(this.#dir, dayFileName(r.timestampMs));
      let lines = byFile.get(path);
      if (!lines) {
        lines = [];
        byFile.set(path, lines);
      }
      lines.push(
        JSON.stringify({
          timestampMs: r.timestampMs,
          service: r.service,
          model: r.model,
          modelVersion: r.modelVersion,
          measures: r.measures,
        }),
      );
    });
    await Promise.all([...byFile].map(([path, lines]) => appendLines(path, lines)));
    return { accepted: records.length - rejected.length, rejected };
  }

  /** Records in the range matching the given dimensions, with only the asked fields, by time. */
  async query(query: PredictionQuery): Promise<PredictionRecord[]> {
    const out: PredictionRecord[] = [];
    for (const line of await readDays(this.#dir, query.range)) {
      const r = recordOf(line);
      if (
        !r ||
        r.timestampMs < query.range.startMs ||
        r.timestampMs > query.range.endMs ||
        (query.service !== undefined && r.service !== query.service) ||
        (query.model !== undefined && r.model !== query.model) ||
        (query.modelVersion !== undefined && r.modelVersion !== query.modelVersion)
      ) {
        continue;
      }
      const measures: Record<string, number | string> = {};
      for (const f of query.fields) {
        const v = r.measures[f];
        if (v !== undefined) measures[f] = v;
      }
      out.push({ ...r, measures });
    }
    // Stable: records of one millisecond keep their write order.
    return out.sort((a, b) => a.timestampMs - b.timestampMs);
  }
}

export type { FileEventStoreOptions };
export { FileEventStore, localEventsDir };
